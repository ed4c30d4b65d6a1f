"""Configuration from the environment, with safe defaults for a local demo."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """LOTSE_SECRET_KEY, else a random key kept in the instance folder."""
    if key := os.environ.get("LOTSE_SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'lotse.db'}"
    # Accept the common postgres:// spelling and use the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(instance_path: Path) -> dict[str, object]:
    secure_cookies = os.environ.get("LOTSE_INSECURE_COOKIES", "") != "1"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_DIR": Path(os.environ.get("LOTSE_CONTENT_DIR", PROJECT_ROOT / "content")),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "locales"),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "RATELIMIT_STORAGE_URI": os.environ.get("LOTSE_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/json", "image/svg+xml"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        "FORCE_HTTPS": os.environ.get("LOTSE_FORCE_HTTPS", "") == "1",
        "JSON_SORT_KEYS": False,
    }
