"""Staff accounts for admins: create, change name, role and status, reset a password or the
second factor, unlock. Every action is audited; one's own account is changed elsewhere."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from .. import audit
from ..auth.access import ADMINS, roles_required
from ..auth.credentials import find_account, hash_password, temporary_password
from ..auth.signin import STAFF_USER, is_locked, unlock
from ..auth.totp import has_two_factor, requires_two_factor, reset_two_factor
from ..constants import AuditAction, Role
from ..extensions import db
from ..models import StaffUser
from . import bp

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.EDITOR: _l("Editor"),
    Role.COUNSELLOR: _l("Counsellor"),
    Role.LEAD: _l("Head of service"),
}


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))  # type: ignore[call-overload]


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(ROLE_LABELS[role])) for role in Role]


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=_l("Please enter a valid e-mail address.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices)


class EditUserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices)
    active = BooleanField(_l("Active (may sign in)"))


def _user_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _not_oneself(user: StaffUser) -> bool:
    """Admins change their own account on the account page, so they cannot lock themselves out."""
    if user.id == current_user.id:
        flash(_("Change your own account on your account page."), "error")
        return False
    return True


def _temporary_password_page(user: StaffUser, password: str) -> Response:
    response = make_response(
        render_template(
            "admin/temporary_password.html",
            person=user,
            password=password,
            needs_enrolment=requires_two_factor(user) and not has_two_factor(user),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_temporary_password(user: StaffUser) -> str:
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    return password


@bp.get("/users")
@roles_required(*ADMINS)
def users() -> str:
    people = db.session.scalars(select(StaffUser).order_by(func.lower(StaffUser.name)))
    return render_template("admin/users.html", people=list(people), is_locked=is_locked)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new_user() -> str | Response:
    form = NewUserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if find_account(email):
            form.email.errors = [_("An account with this e-mail address exists already.")]
        else:
            user = StaffUser(email=email, name=form.name.data.strip(), role=form.role.data)
            password = _set_temporary_password(user)
            db.session.add(user)
            db.session.flush()
            audit.record(AuditAction.USER_CREATED, STAFF_USER, user.id, f"role {user.role}")
            db.session.commit()
            return _temporary_password_page(user, password)
    return render_template("admin/user_new.html", form=form)


def _changes(user: StaffUser, form: EditUserForm) -> list[str]:
    """What the form changes, as short audit references (never the name itself)."""
    changes = []
    if form.name.data.strip() != user.name:
        changes.append("name")
    if form.role.data != user.role:
        changes.append(f"role {user.role}→{form.role.data}")
    if form.active.data != user.active:
        changes.append("activated" if form.active.data else "deactivated")
    return changes


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def user(user_id: int) -> str | Response:
    person = _user_or_404(user_id)
    form = EditUserForm(obj=person)
    if form.validate_on_submit():
        changes = _changes(person, form)
        # An admin cannot take away their own admin role or deactivate themselves.
        demotes_oneself = person.id == current_user.id and (
            form.role.data != person.role or not form.active.data
        )
        if demotes_oneself:
            _not_oneself(person)
        elif changes:
            person.name = form.name.data.strip()
            person.role = form.role.data
            person.active = form.active.data
            audit.record(AuditAction.USER_CHANGED, STAFF_USER, person.id, ", ".join(changes))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template(
        "admin/user.html",
        person=person,
        form=form,
        locked=is_locked(person),
        two_factor=has_two_factor(person),
        two_factor_required=requires_two_factor(person),
        oneself=person.id == current_user.id,
    )


@bp.post("/users/<int:user_id>/password")
@roles_required(*ADMINS)
def reset_password(user_id: int) -> Response:
    person = _user_or_404(user_id)
    if not _not_oneself(person):
        return redirect(url_for("admin.user", user_id=person.id))
    password = _set_temporary_password(person)
    # Reset usually follows a lock-out, so the account is unlocked with it.
    if is_locked(person):
        audit.record(AuditAction.ACCOUNT_UNLOCKED, STAFF_USER, person.id)
    unlock(person)
    audit.record(AuditAction.PASSWORD_RESET, STAFF_USER, person.id)
    db.session.commit()
    return _temporary_password_page(person, password)


@bp.post("/users/<int:user_id>/unlock")
@roles_required(*ADMINS)
def unlock_user(user_id: int) -> Response:
    person = _user_or_404(user_id)
    unlock(person)
    audit.record(AuditAction.ACCOUNT_UNLOCKED, STAFF_USER, person.id)
    db.session.commit()
    flash(_("The account is unlocked."), "success")
    return redirect(url_for("admin.user", user_id=person.id))


def _two_factor_reset_message(person: StaffUser) -> str:
    if requires_two_factor(person):
        return _(
            "Two-factor authentication is reset: %(name)s sets it up again at the next sign-in.",
            name=person.name,
        )
    return _("Two-factor authentication is reset and now off for %(name)s.", name=person.name)


@bp.post("/users/<int:user_id>/two-factor")
@roles_required(*ADMINS)
def reset_user_two_factor(user_id: int) -> Response:
    person = _user_or_404(user_id)
    if _not_oneself(person):
        reset_two_factor(person)
        audit.record(AuditAction.TOTP_RESET, STAFF_USER, person.id)
        db.session.commit()
        flash(_two_factor_reset_message(person), "success")
    return redirect(url_for("admin.user", user_id=person.id))
