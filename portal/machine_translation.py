"""Where the portal keeps argostranslate language packages, and configuring them once."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from integrations.translation import argos


def packages_dir(app: Flask) -> Path:
    """Where language packages live: $LOTSE_ARGOS_PACKAGES_DIR, else <instance>/argos-packages
    (the ARGOS_PACKAGES_DIR setting, read when the app starts)."""
    return Path(app.config["ARGOS_PACKAGES_DIR"])


def use_packages(app: Flask) -> None:
    """Configure argostranslate for this app once (configuring again drops loaded models)."""
    wanted = packages_dir(app).resolve()
    if argos.configured_dir() != wanted:
        argos.configure(wanted)
