"""Staff sign-in: argon2 password hashes, CSRF-protected forms, rate-limited attempts."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter, login_manager
from ..i18n import preferred_language
from ..models import StaffUser, utcnow

bp = Blueprint("auth", __name__, url_prefix="/staff")
password_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = password_hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(user: StaffUser | None, password: str) -> bool:
    try:
        password_hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    return db.session.get(StaffUser, int(user_id))


login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


@bp.before_request
def staff_language() -> None:
    g.lang = preferred_language(request)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
        if verify_password(user, form.password.data) and user is not None and user.active:
            if password_hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, duration=dt.timedelta(hours=8))
            return redirect(url_for("auth.home"))
        flash(_("E-mail address or password is wrong."), "error")
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
@login_required
def home() -> str:
    return render_template("staff/home.html", user=current_user)
