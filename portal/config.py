"""Configuration from the environment, with safe defaults for a local demo."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .constants import Role
from .crypto import load_keys

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret(instance_path: Path, variable: str, filename: str) -> str:
    """The environment variable, else a random secret kept (0600) in the instance folder."""
    if value := os.environ.get(variable):
        return value
    secret_file = instance_path / filename
    if not secret_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_urlsafe(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()


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


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _two_factor_roles() -> tuple[str, ...]:
    """LOTSE_2FA_ROLES; a misspelt role would silently switch two factors off, so refuse it."""
    raw = os.environ.get("LOTSE_2FA_ROLES", "admin,counsellor,lead")
    roles = tuple(role.strip() for role in raw.split(",") if role.strip())
    unknown = set(roles) - {role.value for role in Role}
    if unknown:
        raise ValueError(f"LOTSE_2FA_ROLES: unknown role(s) {sorted(unknown)}")
    return roles


def mail_config() -> dict[str, object]:
    """SMTP settings; without LOTSE_SMTP_HOST messages wait in the queue until one is set."""
    return {
        "SMTP_HOST": os.environ.get("LOTSE_SMTP_HOST", ""),
        "SMTP_PORT": _int("LOTSE_SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("LOTSE_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("LOTSE_SMTP_PASSWORD", ""),
        # starttls (default), ssl, or none (only for a server on the same machine)
        "SMTP_SECURITY": os.environ.get("LOTSE_SMTP_SECURITY", "starttls"),
        "MAIL_FROM": os.environ.get("LOTSE_MAIL_FROM", "Lotse <no-reply@lotse.invalid>"),
        "SMS_BACKEND": os.environ.get("LOTSE_SMS_BACKEND", ""),
    }


def build_config(instance_path: Path) -> dict[str, object]:
    secure_cookies = os.environ.get("LOTSE_INSECURE_COOKIES", "") != "1"
    return {
        **mail_config(),
        "DATA_KEYS": load_keys(instance_path),
        # Shared secret the assistant sends to the booking API.
        "BOT_API_SECRET": _secret(instance_path, "LOTSE_BOT_API_SECRET", "bot_api_secret"),
        # Public address used in e-mails and for the assistant's links (no request there).
        "PUBLIC_BASE_URL": os.environ.get("LOTSE_PUBLIC_URL", "http://localhost:5000"),
        "REMINDER_HOURS_BEFORE": _int("LOTSE_REMINDER_HOURS", 24),
        # Contact details are erased this many days after the appointment (purpose fulfilled).
        "CONTACT_RETENTION_DAYS": _int("LOTSE_CONTACT_RETENTION_DAYS", 7),
        # Pre-intake answers are erased this many days after the appointment.
        "INTAKE_RETENTION_DAYS": _int("LOTSE_INTAKE_RETENTION_DAYS", 30),
        # Which case systems each office hands summaries to (YAML; see portal/handover/config.py).
        "HANDOVER_CONFIG": os.environ.get(
            "LOTSE_HANDOVER_CONFIG", str(instance_path / "handover.yml")
        ),
        # Machine-translation language packages (argostranslate), installed from local files.
        "ARGOS_PACKAGES_DIR": os.environ.get(
            "LOTSE_ARGOS_PACKAGES_DIR", str(instance_path / "argos-packages")
        ),
        # The manage link stops working this many days after the appointment.
        "MANAGE_LINK_DAYS_AFTER": _int("LOTSE_MANAGE_LINK_DAYS", 14),
        "BOOKING_RATE_LIMIT": os.environ.get("LOTSE_BOOKING_RATE_LIMIT", "20/minute;100/hour"),
        # All chat users reach the API through the one assistant, so its limit is higher.
        "BOT_API_RATE_LIMIT": os.environ.get("LOTSE_BOT_API_RATE_LIMIT", "600/minute"),
        # The assistant (Rasa REST channel and tracker API; never exposed to browsers).
        "RASA_URL": os.environ.get("LOTSE_RASA_URL", "http://127.0.0.1:5005"),
        "RASA_TOKEN": os.environ.get("LOTSE_RASA_TOKEN", ""),
        "CHAT_RATE_LIMIT": os.environ.get("LOTSE_CHAT_RATE_LIMIT", "20/minute;300/hour"),
        # Chat message texts are erased from Rasa's tracker store after this many hours.
        "CHAT_RETENTION_HOURS": _int("LOTSE_CHAT_RETENTION_HOURS", 24),
        "CHAT_TRACKER_DB": os.environ.get(
            "LOTSE_CHAT_TRACKER_DB", str(instance_path / "rasa-tracker.db")
        ),
        # Staff workspace (issue 6).
        # "1": a content revision must be published by someone other than its author.
        "FOUR_EYES": os.environ.get("LOTSE_FOUR_EYES", "") == "1",
        # Offices whose details were not confirmed for this many months are listed for review.
        "STALE_AFTER_MONTHS": _int("LOTSE_STALE_AFTER_MONTHS", 6),
        # Figures below this count are shown as "<N" (small groups could identify a person).
        "FIGURES_MIN_COUNT": _int("LOTSE_FIGURES_MIN_COUNT", 5),
        # Roles that must use two-factor authentication (comma separated).
        "TWO_FACTOR_ROLES": _two_factor_roles(),
        # Failed sign-ins in a row before an account is locked, and for how long.
        "LOGIN_LOCK_AFTER": _int("LOTSE_LOGIN_LOCK_AFTER", 5),
        "LOGIN_LOCK_MINUTES": _int("LOTSE_LOGIN_LOCK_MINUTES", 30),
        "SECRET_KEY": _secret(instance_path, "LOTSE_SECRET_KEY", "secret_key"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_HOLIDAY_SUBDIVISION": os.environ.get("LOTSE_HOLIDAY_STATE", "BB"),
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
