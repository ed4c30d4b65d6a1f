"""TOTP codes (RFC 6238) and one-time recovery codes, the second factor of a staff sign-in."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, session
from sqlalchemy import or_, update

from ..extensions import db
from ..models import StaffUser, utcnow
from .credentials import readable_secret

ISSUER = "Lotse"
# Codes of the previous and the next 30-second step count too: phone clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# A recovery code carries about 50 random bits, so light argon2 parameters suffice; checking
# all ten at sign-in then takes milliseconds instead of seconds.
recovery_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def requires_two_factor(user: StaffUser) -> bool:
    return user.role in current_app.config["TWO_FACTOR_ROLES"]


def has_two_factor(user: StaffUser) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


# The secret being set up lives in the person's own session until a code confirms it: a
# secret stored on the account earlier could be read by whoever opened the page first
# (e.g. the admin who handed out the one-time password) and used after the real enrolment.
CANDIDATE_KEY = "totp_candidate"


def enrolment_secret(user: StaffUser) -> str:
    """The secret being enrolled; the same on reload, so a scanned QR code stays valid."""
    candidate = session.get(CANDIDATE_KEY)
    if not candidate or candidate.get("user") != user.id:
        candidate = {"user": user.id, "secret": pyotp.random_base32()}
        session[CANDIDATE_KEY] = candidate
    return str(candidate["secret"])


def confirm_enrolment_code(user: StaffUser, code: str) -> bool:
    """A valid code of the secret being enrolled makes it the account's secret."""
    candidate = session.get(CANDIDATE_KEY)
    if not candidate or candidate.get("user") != user.id:
        return False
    step = _accepted_step(str(candidate["secret"]), None, code)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = str(candidate["secret"]), step
    session.pop(CANDIDATE_KEY, None)
    return True


def provisioning_uri(user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI (allowed by the CSP's ``img-src data:``)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4, light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _normalised(code: str) -> str:
    return "".join(char for char in code.lower() if char.isalnum())


def verify_totp(user: StaffUser, code: str) -> bool:
    """A current code not used before; remembers its time step so it cannot be used again."""
    if not user.totp_secret:
        return False
    step = _accepted_step(user.totp_secret, user.totp_last_step, code)
    if step is None:
        return False
    # Claimed in the database: of two requests with the same code at once, one wins.
    claimed = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    user.totp_last_step = step
    return True


def _accepted_step(secret: str, last_step: int | None, code: str) -> int | None:
    """The time step ``code`` belongs to, if it is current and newer than ``last_step``."""
    code = _normalised(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current_step = int(time.time()) // totp.interval
    for step in range(current_step - DRIFT_STEPS, current_step + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # this code (or an older one) was accepted already
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable_two_factor(user: StaffUser) -> list[str]:
    """Mark the confirmed secret as active; returns new recovery codes (shown once)."""
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Replace all recovery codes; only their hashes are stored."""
    codes = [readable_secret(groups=2, size=5) for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_code_hashes = [recovery_hasher.hash(_normalised(code)) for code in codes]
    return codes


def use_recovery_code(user: StaffUser, code: str) -> bool:
    """True (and the code is used up) if ``code`` is one of the unused recovery codes."""
    code = _normalised(code)
    if len(code) != 10:
        return False
    for stored in user.recovery_code_hashes or []:
        try:
            recovery_hasher.verify(stored, code)
        except (VerificationError, InvalidHashError):
            continue
        # A new list, so the JSON column notices the change.
        user.recovery_code_hashes = [
            other for other in user.recovery_code_hashes if other != stored
        ]
        return True
    return False


def reset_two_factor(user: StaffUser) -> None:
    """Forget secret and recovery codes: the person enrols again at the next sign-in."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_code_hashes = []
