"""The steps of a staff sign-in: a second factor pending, failures and locks, the finished
sign-in; ``login_user`` is only ever called once every required factor is given."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from enum import StrEnum

from flask import current_app, session
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import update

from .. import audit
from ..constants import AuditAction
from ..extensions import db
from ..models import StaffUser, utcnow

# The audit subject type of everything about staff accounts.
STAFF_USER = "staff_user"
PENDING_KEY = "staff_pending"
FINGERPRINT_KEY = "staff_fingerprint"
# A password checked but the second factor not given expires after this long.
PENDING_SECONDS = 5 * 60


class PendingStep(StrEnum):
    CODE = "code"  # enter a TOTP or recovery code
    ENROL = "enrol"  # the role needs two factors but none is set up yet


class FailureReason(StrEnum):
    """The audit detail of a failed sign-in (never the typed e-mail or password)."""

    UNKNOWN_ACCOUNT = "unknown account"
    PASSWORD = "wrong password"
    INACTIVE = "inactive account"
    LOCKED = "account locked"
    CODE = "wrong code"


def locked_message() -> str:
    return _(
        "This account is locked for a while after too many failed sign-ins. Try again later "
        "or ask an administrator to unlock it."
    )


def start_pending(user: StaffUser, step: PendingStep) -> None:
    session[PENDING_KEY] = {"user": user.id, "step": step.value, "at": int(time.time())}


def clear_pending() -> None:
    session.pop(PENDING_KEY, None)


def pending_user(step: PendingStep) -> StaffUser | None:
    """The person whose password was checked for ``step``, unless that was too long ago."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or state.get("step") != step.value:
        return None
    if time.time() - float(state.get("at", 0)) > PENDING_SECONDS:
        clear_pending()
        return None
    user = db.session.get(StaffUser, int(state.get("user", 0)))
    return user if user is not None and user.active else None


def is_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failure(user: StaffUser | None, reason: FailureReason) -> bool:
    """Audit a failed sign-in step and count it; True when this failure locked the account.

    The caller commits.
    """
    audit.record(
        AuditAction.LOGIN_FAILED, STAFF_USER, user.id if user else None, reason.value, actor=None
    )
    if user is None or reason is FailureReason.LOCKED:
        return False
    # Counted in SQL, so parallel attempts cannot slip past the limit.
    count = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(failed_logins=StaffUser.failed_logins + 1)
        .returning(StaffUser.failed_logins),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    db.session.expire(user, ["failed_logins"])
    if count < current_app.config["LOGIN_LOCK_AFTER"]:
        return False
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    user.locked_until = utcnow() + dt.timedelta(minutes=minutes)
    user.failed_logins = 0  # after the lock, the next attempts count from zero
    audit.record(AuditAction.ACCOUNT_LOCKED, STAFF_USER, user.id, f"{minutes} min", actor=None)
    return True


def unlock(user: StaffUser) -> None:
    user.locked_until = None
    user.failed_logins = 0


def finish_sign_in(user: StaffUser) -> None:
    """Every required factor given: sign in and audit it."""
    unlock(user)
    user.last_login_at = utcnow()
    audit.record(AuditAction.LOGIN, STAFF_USER, user.id, actor=user)
    db.session.commit()
    # A fresh session: nothing from before the sign-in (a client's chat on a shared computer,
    # the pending step) carries over into the staff session; only the messages to show do.
    messages = session.get("_flashes")
    session.clear()
    if messages:
        session["_flashes"] = messages
    login_user(user)
    remember_credentials(user)


def fingerprint(user: StaffUser) -> str:
    """Changes when the password, the two-factor setup or the role changes, ending older
    sessions (a person moved into a role that needs two factors must sign in with them)."""
    enabled = int(user.totp_enabled_at.timestamp()) if user.totp_enabled_at else 0
    message = f"{user.id}|{user.password_hash}|{enabled}|{user.role}".encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def remember_credentials(user: StaffUser) -> None:
    """After one's own change of password or second factor: this session stays valid."""
    session[FINGERPRINT_KEY] = fingerprint(user)
