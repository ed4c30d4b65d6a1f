"""One's own account: two-factor status, changing the password (forced after an admin's
reset), and ending sessions whose password or second factor changed elsewhere."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import audit
from ..constants import AuditAction
from ..extensions import db
from ..models import StaffUser
from . import bp
from .credentials import MIN_PASSWORD_LENGTH, hash_password, verify_password
from .signin import FINGERPRINT_KEY, STAFF_USER, fingerprint, remember_credentials
from .totp import has_two_factor, requires_two_factor
from .two_factor import CodeForm

# What a person who must choose a new password can still open.
_ALLOWED_BEFORE_NEW_PASSWORD = frozenset({"auth.change_password", "auth.logout", "static"})


@bp.before_app_request
def enforce_account_state() -> Response | None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if session.get(FINGERPRINT_KEY) != fingerprint(current_user):
        # An admin reset the password, the second factor or the role, or the session is
        # older than this check (it may lack the second factor): this session ends.
        logout_user()
        session.pop(FINGERPRINT_KEY, None)
        flash(_("Your sign-in has ended because your account was changed. Please sign in again."))
        return redirect(url_for("auth.login"))
    if current_user.must_change_password and request.endpoint not in _ALLOWED_BEFORE_NEW_PASSWORD:
        return redirect(url_for("auth.change_password"))
    return None


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1000)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=_l(
                    "The new password needs at least %(num)d characters.", num=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
    )


def _password_errors(user: StaffUser, form: PasswordForm) -> bool:
    """Check the current password and that the new one differs; errors go onto the form."""
    if not verify_password(user, form.current_password.data):
        form.current_password.errors = [_("This is not your current password.")]
        return True
    if verify_password(user, form.new_password.data):
        form.new_password.errors = [_("The new password must differ from the current one.")]
        return True
    return False


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    user: StaffUser = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit() and not _password_errors(user, form):
        user.password_hash = hash_password(form.new_password.data)
        user.must_change_password = False
        audit.record(AuditAction.PASSWORD_CHANGED, STAFF_USER, user.id)
        db.session.commit()
        remember_credentials(user)
        flash(_("Your new password is saved."), "success")
        return redirect(url_for("auth.home"))
    return render_template(
        "staff/password.html",
        form=form,
        forced=user.must_change_password,
        min_length=MIN_PASSWORD_LENGTH,
    )


@bp.get("/account")
@login_required
def account() -> str:
    user: StaffUser = current_user._get_current_object()
    return render_template(
        "staff/account.html",
        user=user,
        enabled=has_two_factor(user),
        required=requires_two_factor(user),
        codes_left=len(user.recovery_code_hashes or []),
        form=CodeForm(),
    )
