"""Which receiving systems each office hands summaries to (``LOTSE_HANDOVER_CONFIG``).

A YAML file names targets and assigns them to offices; ``"*"`` is the default for
offices not listed. Secrets are never in the file: ``env:NAME`` reads them from the
environment. Without a file every summary stays in Lotse's counsellor inbox only.

    targets:
      mbe-case-system: {system: webhook, url: "https://case.example.org/lotse",
                        secret: "env:LOTSE_MBE_WEBHOOK_SECRET"}
      mbe-mailbox: {system: email, to: "mbe@example.org"}
      share: {system: file_drop, directory: /srv/lotse-drop}
      helpdesk: {system: zammad, url: "https://zammad.example.org",
                 token: "env:LOTSE_ZAMMAD_TOKEN", group: Migrationsberatung,
                 customer: "mbe@example.org"}
    offices:
      mbe-finsterwalde: [mbe-case-system, mbe-mailbox]
      "*": [share]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..constants import CaseSystem

DEFAULT_OFFICE = "*"


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookTarget(_Target):
    system: Literal[CaseSystem.WEBHOOK]
    url: str = Field(pattern=r"^https?://")
    secret: str = Field(description="whsec_… (base64), or env:NAME")


class EmailTarget(_Target):
    system: Literal[CaseSystem.EMAIL]
    to: str = Field(min_length=3)


class FileDropTarget(_Target):
    system: Literal[CaseSystem.FILE_DROP]
    directory: Path


class ZammadTarget(_Target):
    system: Literal[CaseSystem.ZAMMAD]
    url: str = Field(pattern=r"^https?://")
    token: str
    group: str
    customer: str = Field(description="e-mail of the Zammad customer the tickets belong to")


Target = Annotated[
    WebhookTarget | EmailTarget | FileDropTarget | ZammadTarget, Field(discriminator="system")
]


class HandoverConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: dict[str, Target] = Field(default_factory=dict)
    offices: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_targets(self) -> HandoverConfig:
        for office, names in self.offices.items():
            for name in names:
                if name not in self.targets:
                    raise ValueError(f"office '{office}': unknown target '{name}'")
        return self

    def targets_for(self, office_slug: str) -> list[tuple[str, Target]]:
        names = self.offices.get(office_slug, self.offices.get(DEFAULT_OFFICE, []))
        return [(name, self.targets[name]) for name in names]


class ConfigError(Exception):
    pass


def resolve_secret(value: str) -> str:
    if not value.startswith("env:"):
        return value
    name = value.removeprefix("env:")
    if not (secret := os.environ.get(name, "")):
        raise ConfigError(f"environment variable {name} is not set")
    return secret


def load_config(path: Path | None) -> HandoverConfig:
    if path is None or not path.exists():
        return HandoverConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return HandoverConfig.model_validate(data)
    except (yaml.YAMLError, ValidationError) as error:
        raise ConfigError(f"{path}: {error}") from None
