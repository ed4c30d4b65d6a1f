"""Staff sign-in: argon2 password hashes, CSRF-protected forms, rate-limited attempts, a second
factor (TOTP) where the role requires it, and accounts locked after repeated failures."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..constants import AuditAction
from ..extensions import db, limiter, login_manager
from ..i18n import use_preferred_language
from ..models import StaffUser
from .credentials import find_account, hash_password, password_hasher, verify_password
from .signin import (
    STAFF_USER,
    FailureReason,
    PendingStep,
    clear_pending,
    finish_sign_in,
    is_locked,
    locked_message,
    record_failure,
    start_pending,
)
from .totp import has_two_factor, requires_two_factor

__all__ = ["bp", "hash_password", "verify_password"]

bp = Blueprint("auth", __name__, url_prefix="/staff")
# The same limit guards each step of a sign-in (password, code, enrolment).
SIGN_IN_RATE_LIMIT = "10/minute;50/hour"


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    return db.session.get(StaffUser, int(user_id))


login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


bp.before_request(use_preferred_language)


def _after_password(user: StaffUser) -> Response:
    """The password was right: ask for the second factor, set one up, or sign in."""
    if has_two_factor(user):
        start_pending(user, PendingStep.CODE)
        db.session.commit()
        return redirect(url_for("auth.login_code"))
    if requires_two_factor(user):
        start_pending(user, PendingStep.ENROL)
        db.session.commit()
        return redirect(url_for("auth.login_enrol"))
    finish_sign_in(user)
    return redirect(url_for("auth.home"))


def _failure_reason(user: StaffUser | None, password_ok: bool) -> FailureReason:
    if user is None:
        return FailureReason.UNKNOWN_ACCOUNT
    return FailureReason.INACTIVE if password_ok else FailureReason.PASSWORD


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_RATE_LIMIT, methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        clear_pending()
        user = find_account(form.email.data)
        # Always verified, so unknown e-mails take as long as known ones.
        password_ok = verify_password(user, form.password.data)
        if user is not None and is_locked(user):
            record_failure(user, FailureReason.LOCKED)
            db.session.commit()
            flash(locked_message(), "error")
        elif user is not None and password_ok and user.active:
            if password_hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            return _after_password(user)
        else:
            locked = record_failure(user, _failure_reason(user, password_ok))
            db.session.commit()
            flash(
                locked_message() if locked else _("E-mail address or password is wrong."), "error"
            )
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    audit.record(AuditAction.LOGOUT, STAFF_USER, current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
@login_required
def home() -> str:
    return render_template("staff/home.html", user=current_user)


from . import account, two_factor  # noqa: E402,F401  (registers the routes)
