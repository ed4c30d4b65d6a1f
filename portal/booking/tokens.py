"""Booking codes (read out on the phone) and manage tokens (secret, stored only as a hash)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

# No 0/O, 1/I/L, no vowels that could spell words: easy to read out and to type.
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
CODE_LENGTH = 8
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_booking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str:
    """Accept what a person types: any case, spaces or no dash."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else raw


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def is_valid_idempotency_key(key: str) -> bool:
    return bool(IDEMPOTENCY_KEY.match(key))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def manage_token_for(idempotency_key: str) -> str:
    """The manage token of the booking made with this idempotency key.

    Derived with the server secret, so a retried request gets the same link back
    while the database holds only a hash of the token and of the key.
    """
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    mac = hmac.new(secret, b"lotse-manage-token:" + idempotency_key.encode("utf-8"), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def looks_like_token(token: str) -> bool:
    return bool(TOKEN.match(token))
