"""Encryption at rest for personal data in the database (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from ``LOTSE_DATA_KEYS`` (comma-separated Fernet keys, the first encrypts,
all decrypt: add a new key in front to rotate) or, for a local demo, from a key file
generated in the instance folder. The keys never live in the database, so a copy
of the database alone does not reveal what is encrypted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "lotse_fernet"


def load_keys(instance_path: Path) -> list[str]:
    if configured := os.environ.get("LOTSE_DATA_KEYS"):
        return [key.strip() for key in configured.split(",") if key.strip()]
    key_file = instance_path / "data_keys"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(Fernet.generate_key().decode() + "\n")
        key_file.chmod(0o600)
    return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]


def init_app(app: Flask) -> None:
    keys = app.config["DATA_KEYS"]
    if not keys:
        raise RuntimeError("no data encryption key configured (LOTSE_DATA_KEYS)")
    app.extensions[EXTENSION_KEY] = MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    fernet: MultiFernet = current_app.extensions[EXTENSION_KEY]
    return fernet


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted; ``None`` stays NULL so emptiness is queryable."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(decrypt(value))
