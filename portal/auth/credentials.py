"""Passwords: argon2 hashes, timing-equal checks, temporary passwords set by an admin."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ..extensions import db
from ..models import StaffUser

MIN_PASSWORD_LENGTH = 12
password_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = password_hasher.hash("not a real password")
# Without look-alikes (0/o, 1/l/i), so a password read out on the phone is typed right.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def find_account(email: str) -> StaffUser | None:
    """The account of an e-mail address, however it is capitalised or padded."""
    normalised = email.strip().lower()
    return db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == normalised))


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(user: StaffUser | None, password: str) -> bool:
    try:
        password_hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def readable_secret(groups: int, size: int = 4) -> str:
    """Random groups of readable characters joined by hyphens, e.g. ``k3mz-8qpa-…``."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(size)) for _ in range(groups))


def temporary_password() -> str:
    """A one-time password an admin hands over (20 characters, about 99 bits)."""
    return readable_secret(groups=4, size=5)
