"""The audit log for admins: who did what to which record and when, filtered and paged.

It never shows content; looking at it is itself audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from .. import audit
from ..auth.access import ADMINS, roles_required
from ..auth.signin import STAFF_USER, FailureReason
from ..constants import TIMEZONE, AuditAction, RecordType
from ..extensions import db
from ..models import AuditEvent, StaffUser
from . import bp

PAGE_SIZE = 50
AUDIT_LOG = "audit_log"  # the audit subject type of a look at the log

ACTION_LABELS = {
    AuditAction.INTAKE_VIEWED: _l("Pre-intake summary viewed"),
    AuditAction.INTAKE_MARKED_IMPORTED: _l("Pre-intake marked as imported"),
    AuditAction.HANDOVER_RETRIED: _l("Hand-over retried"),
    AuditAction.LOGIN: _l("Signed in"),
    AuditAction.LOGIN_FAILED: _l("Sign-in failed"),
    AuditAction.LOGOUT: _l("Signed out"),
    AuditAction.ACCOUNT_LOCKED: _l("Account locked"),
    AuditAction.ACCOUNT_UNLOCKED: _l("Account unlocked"),
    AuditAction.TOTP_ENROLLED: _l("Two-factor authentication set up"),
    AuditAction.TOTP_RESET: _l("Two-factor authentication reset"),
    AuditAction.RECOVERY_CODE_USED: _l("Recovery code used"),
    AuditAction.PASSWORD_RESET: _l("Password reset by an administrator"),
    AuditAction.PASSWORD_CHANGED: _l("Password changed"),
    AuditAction.USER_CREATED: _l("Account created"),
    AuditAction.USER_CHANGED: _l("Account changed"),
    AuditAction.CONTENT_SAVED: _l("Content saved"),
    AuditAction.CONTENT_SUBMITTED: _l("Content submitted for review"),
    AuditAction.CONTENT_RETURNED: _l("Content returned to the author"),
    AuditAction.CONTENT_PUBLISHED: _l("Content published"),
    AuditAction.CONTENT_RESTORED: _l("Older content version restored"),
    AuditAction.CONTENT_CONFIRMED: _l("Details confirmed as up to date"),
    AuditAction.MACHINE_DRAFT_REQUESTED: _l("Machine translation requested"),
    AuditAction.CONTENT_EXPORTED: _l("Content exported"),
    AuditAction.FIGURES_VIEWED: _l("Figures viewed"),
    AuditAction.FIGURES_EXPORTED: _l("Figures exported"),
    AuditAction.AUDIT_VIEWED: _l("Audit log viewed"),
}
SUBJECT_LABELS = {
    STAFF_USER: _l("Staff account"),
    AUDIT_LOG: _l("Audit log"),
    "intake": _l("Pre-intake"),
    "handover_delivery": _l("Hand-over"),
    RecordType.TOPIC_TRANSLATION: _l("Topic text"),
    RecordType.SERVICE: _l("Service"),
    RecordType.OFFICE: _l("Office"),
    RecordType.CONSENT_TEXT: _l("Consent text"),
}
DETAIL_LABELS = {
    FailureReason.UNKNOWN_ACCOUNT: _l("unknown e-mail address"),
    FailureReason.PASSWORD: _l("wrong password"),
    FailureReason.INACTIVE: _l("account deactivated"),
    FailureReason.LOCKED: _l("account was locked"),
    FailureReason.CODE: _l("wrong two-factor code"),
}


@bp.app_template_filter("audit_action_label")
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))  # type: ignore[call-overload]


@bp.app_template_filter("audit_subject_label")
def subject_label(subject_type: str) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type))


@bp.app_template_filter("audit_detail_label")
def detail_label(detail: str | None) -> str:
    if not detail:
        return ""
    return str(DETAIL_LABELS.get(detail, detail))  # type: ignore[call-overload]


@dataclass
class AuditFilters:
    action: str = ""
    person: int | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict[str, Any]:
        """The filters as URL parameters, for the pager links."""
        args: dict[str, Any] = {"action": self.action, "person": self.person}
        args["from"] = self.first_day.isoformat() if self.first_day else None
        args["to"] = self.last_day.isoformat() if self.last_day else None
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """The audit detail of a look at the log (filters only; the log holds no content)."""
        parts = [f"{key}={value}" for key, value in self.query_args().items()]
        return "; ".join([*parts, f"page {self.page}"])


def _date(args: MultiDict[str, str], name: str, filters: AuditFilters) -> dt.date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    # Years far out would overflow the day arithmetic and the time zone conversion.
    if day is None or not 2000 <= day.year <= 9000:
        filters.errors[name] = _("Please enter the date as YYYY-MM-DD, e.g. 2025-03-31.")
        return None
    return day


def parse_filters(args: MultiDict[str, str]) -> AuditFilters:
    filters = AuditFilters()
    action = args.get("action", "")
    filters.action = action if action in ACTION_LABELS else ""
    person = args.get("person", "")
    filters.person = (
        int(person) if person.isascii() and person.isdigit() and len(person) < 10 else None
    )
    filters.first_day = _date(args, "from", filters)
    filters.last_day = _date(args, "to", filters)
    if filters.first_day and filters.last_day and filters.first_day > filters.last_day:
        filters.errors["to"] = _("The last day must not be before the first day.")
        filters.last_day = None
    page = args.get("page", "1")
    filters.page = max(int(page), 1) if page.isascii() and page.isdigit() and len(page) < 7 else 1
    return filters


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight German time, as the log stores UTC but people think in local days."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(TIMEZONE))


def filtered_query(filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.person is not None:
        # Both what the person did and what was done to their account (e.g. failed sign-ins).
        about_person = and_(
            AuditEvent.subject_type == STAFF_USER, AuditEvent.subject_id == filters.person
        )
        query = query.where(or_(AuditEvent.actor_id == filters.person, about_person))
    if filters.first_day:
        query = query.where(AuditEvent.at >= _start_of(filters.first_day))
    if filters.last_day:
        query = query.where(AuditEvent.at < _start_of(filters.last_day + dt.timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@bp.get("/audit")
@roles_required(*ADMINS)
def audit_log() -> str:
    filters = parse_filters(request.args)
    audit.record(AuditAction.AUDIT_VIEWED, AUDIT_LOG, detail=filters.describe())
    db.session.commit()
    page = db.paginate(
        filtered_query(filters), page=filters.page, per_page=PAGE_SIZE, error_out=False
    )
    people = db.session.scalars(select(StaffUser).order_by(func.lower(StaffUser.name)))
    return render_template(
        "admin/audit.html",
        events=page.items,
        page=page,
        filters=filters,
        actions=sorted(ACTION_LABELS.items(), key=lambda item: str(item[1])),
        people=list(people),
    )
