"""The second factor: the code step of a sign-in, enrolment (at sign-in when the role requires
it, or from the account page) and new recovery codes."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..constants import AuditAction
from ..extensions import db, limiter
from ..models import StaffUser
from . import SIGN_IN_RATE_LIMIT, bp
from .signin import (
    STAFF_USER,
    FailureReason,
    PendingStep,
    clear_pending,
    finish_sign_in,
    is_locked,
    locked_message,
    pending_user,
    record_failure,
    remember_credentials,
)
from .totp import (
    confirm_enrolment_code,
    enable_two_factor,
    enrolment_secret,
    grouped,
    has_two_factor,
    new_recovery_codes,
    provisioning_uri,
    qr_code_data_uri,
    requires_two_factor,
    use_recovery_code,
    verify_totp,
)


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])


def _no_store(html: str) -> Response:
    """Secrets and recovery codes stay out of every cache and the browser history."""
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _restart(message: str) -> Response:
    clear_pending()
    flash(message, "error")
    return redirect(url_for("auth.login"))


def _pending_or_restart(step: PendingStep) -> StaffUser | Response:
    user = pending_user(step)
    if user is None:
        return _restart(_("Your sign-in took too long or was interrupted. Please sign in again."))
    if is_locked(user):
        return _restart(locked_message())
    return user


def _wrong_code(user: StaffUser) -> Response | None:
    """Count a wrong code; a response when that locked the account."""
    locked = record_failure(user, FailureReason.CODE)
    db.session.commit()
    if locked:
        return _restart(locked_message())
    flash(_("This code is wrong or was used already. Please try the next code."), "error")
    return None


def _recovery_code_used(user: StaffUser) -> None:
    left = len(user.recovery_code_hashes)
    audit.record(AuditAction.RECOVERY_CODE_USED, STAFF_USER, user.id, f"{left} left", actor=user)
    flash(
        ngettext(
            "You signed in with a recovery code. %(num)d recovery code is left.",
            "You signed in with a recovery code. %(num)d recovery codes are left.",
            left,
        ),
        "info",
    )


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_RATE_LIMIT, methods=["POST"])
def login_code() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    user = _pending_or_restart(PendingStep.CODE)
    if isinstance(user, Response):
        return user
    form = CodeForm()
    if form.validate_on_submit():
        if verify_totp(user, form.code.data):
            finish_sign_in(user)
            return redirect(url_for("auth.home"))
        if use_recovery_code(user, form.code.data):
            _recovery_code_used(user)
            finish_sign_in(user)
            return redirect(url_for("auth.home"))
        if (restart := _wrong_code(user)) is not None:
            return restart
    return render_template("staff/login_code.html", form=form)


def _enrolment_page(user: StaffUser, form: CodeForm, action: str) -> Response:
    secret = enrolment_secret(user)
    return _no_store(
        render_template(
            "staff/enrol.html",
            form=form,
            action=action,
            qr_code=qr_code_data_uri(provisioning_uri(user, secret)),
            secret=grouped(secret),
            required=requires_two_factor(user),
        )
    )


def _recovery_codes_page(codes: list[str]) -> Response:
    return _no_store(render_template("staff/recovery_codes.html", codes=codes))


def _confirm_enrolment(user: StaffUser) -> list[str]:
    codes = enable_two_factor(user)
    audit.record(AuditAction.TOTP_ENROLLED, STAFF_USER, user.id, actor=user)
    return codes


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_RATE_LIMIT, methods=["POST"])
def login_enrol() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    user = _pending_or_restart(PendingStep.ENROL)
    if isinstance(user, Response):
        return user
    if has_two_factor(user):  # set up meanwhile (another tab or device): sign in with a code
        clear_pending()
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if confirm_enrolment_code(user, form.code.data):
            codes = _confirm_enrolment(user)
            finish_sign_in(user)
            return _recovery_codes_page(codes)
        if (restart := _wrong_code(user)) is not None:
            return restart
    return _enrolment_page(user, form, url_for("auth.login_enrol"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_RATE_LIMIT, methods=["POST"])
@login_required
def enrol() -> Response:
    """Set up two-factor authentication when signed in (optional for some roles)."""
    user: StaffUser = current_user._get_current_object()
    if has_two_factor(user):
        return redirect(url_for("auth.account"))
    form = CodeForm()
    if form.validate_on_submit():
        if confirm_enrolment_code(user, form.code.data):
            codes = _confirm_enrolment(user)
            db.session.commit()
            remember_credentials(user)
            return _recovery_codes_page(codes)
        flash(_("This code is wrong or was used already. Please try the next code."), "error")
    return _enrolment_page(user, form, url_for("auth.enrol"))


@bp.post("/account/recovery-codes")
@limiter.limit(SIGN_IN_RATE_LIMIT)
@login_required
def regenerate_recovery_codes() -> Response:
    """New recovery codes replace all old ones; a current code proves the phone is at hand."""
    user: StaffUser = current_user._get_current_object()
    form = CodeForm()
    if not has_two_factor(user):
        return redirect(url_for("auth.account"))
    if form.validate_on_submit() and verify_totp(user, form.code.data):
        codes = new_recovery_codes(user)
        audit.record(AuditAction.USER_CHANGED, STAFF_USER, user.id, "new recovery codes")
        db.session.commit()
        return _recovery_codes_page(codes)
    flash(_("This code is wrong or was used already. Please try the next code."), "error")
    return redirect(url_for("auth.account"))
