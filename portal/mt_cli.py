"""The ``lotse mt`` commands: machine-translation language packages (argostranslate)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from integrations.translation import argos

from .machine_translation import packages_dir


# AppGroup wraps each command in an app context, also when the group is added to `lotse`.
@click.group(cls=AppGroup)
def mt() -> None:
    """Machine-translation language packages."""


@mt.command("install")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def install(path: Path) -> None:
    """Install a local .argosmodel file (nothing is downloaded)."""
    argos.configure(packages_dir(current_app))
    try:
        source, target = argos.install_package(path)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"installed translate-{source}_{target}")


@mt.command("list")
def list_packages() -> None:
    """List the installed language pairs."""
    argos.configure(packages_dir(current_app))
    pairs = argos.installed_pairs()
    if not pairs:
        click.echo("no machine-translation package installed")
    for source, target in pairs:
        click.echo(f"translate-{source}_{target}")
