"""Pre-intake lifecycle: answer, submit, prepare and hand over, withdraw, erase."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import consent
from ..constants import (
    ConsentPurpose,
    HandoverEvent,
    IntakeStatus,
)
from ..extensions import db
from ..handover import outbox
from ..models import Appointment, Intake, utcnow
from . import render
from .questions import Theme
from .summary import build_summary

OPEN_STATUSES = (IntakeStatus.DRAFT,)
SHARED_STATUSES = (IntakeStatus.SUBMITTED, IntakeStatus.PREPARED)


class IntakeClosed(Exception):
    """The appointment has started, was cancelled, or the answers were already sent."""


def intake_for(appointment: Appointment) -> Intake:
    """The client's intake, created on first use (flushed)."""
    if appointment.intake is None:
        appointment.intake = Intake(public_id=str(uuid.uuid4()), status=IntakeStatus.DRAFT)
        db.session.flush()
    return appointment.intake


def save_answers(intake: Intake, theme: Theme, answers: dict[str, Any] | None) -> None:
    """Store one theme's answers; ``None`` records that the client skipped it."""
    if intake.status not in OPEN_STATUSES:
        raise IntakeClosed()
    # A new dict, so SQLAlchemy sees the change to the encrypted column.
    intake.answers = {**(intake.answers or {}), theme.slug: answers or {}}


def answered(intake: Intake) -> set[str]:
    return set(intake.answers or {})


def submit(intake: Intake, now: dt.datetime | None = None) -> None:
    """Send to the service; only with consent to share. Prepared by the job runner."""
    if intake.status not in OPEN_STATUSES or not intake.appointment.is_upcoming(now):
        raise IntakeClosed()
    if consent.in_force(intake.appointment, ConsentPurpose.SHARE_SUMMARY) is None:
        raise consent.ConsentError(consent.ConsentProblem.MISSING)
    intake.status, intake.submitted_at = IntakeStatus.SUBMITTED, now or utcnow()


def _submitted_content(intake: Intake, document: dict[str, Any]) -> outbox.Content:
    return outbox.Content(
        data=document,
        subject=render.subject(intake, HandoverEvent.INTAKE_SUBMITTED),
        notice=render.notice(intake, document),
        html=render.document_html(document),
    )


def prepare(intake: Intake, now: dt.datetime | None = None) -> None:
    """Build the frozen summary (with machine translation) and queue the hand-over."""
    now = now or utcnow()
    document = build_summary(intake, now)
    intake.summary, intake.status, intake.prepared_at = document, IntakeStatus.PREPARED, now
    content = _submitted_content(intake, document)
    outbox.enqueue(intake, HandoverEvent.INTAKE_SUBMITTED, content, now)


def prepare_submitted(now: dt.datetime | None = None) -> int:
    """Prepare every submitted intake (run by the job runner; translation takes time)."""
    ids = db.session.scalars(select(Intake.id).where(Intake.status == IntakeStatus.SUBMITTED))
    count = 0
    for intake_id in list(ids):
        intake = db.session.get_one(Intake, intake_id)
        prepare(intake, now)
        db.session.commit()
        count += 1
    return count


def _erase(intake: Intake, status: IntakeStatus, now: dt.datetime) -> None:
    intake.answers, intake.summary = None, None
    intake.status, intake.erased_at = status, now


def _tell_receivers(
    intake: Intake, event: HandoverEvent, data: dict[str, Any], now: dt.datetime
) -> None:
    """Queue ``event`` for the receivers that hold the summary (nobody else knows of it)."""
    holders = outbox.received_submission(intake)
    if not holders:
        return
    content = outbox.Content(
        data={"intake_id": intake.public_id, "appointment_code": intake.appointment.code, **data},
        subject=render.subject(intake, event),
        notice=render.event_notice(intake, event, data),
    )
    outbox.enqueue(intake, event, content, now, only_targets=set(holders))


def withdraw_sharing(intake: Intake, reason: str, now: dt.datetime | None = None) -> None:
    """Consent to share withdrawn (or everything deleted): erase, stop what has not gone
    out yet, and ask the receivers that hold the summary to delete it."""
    now = now or utcnow()
    if intake.status in SHARED_STATUSES:
        outbox.cancel_undelivered(intake, now)
        data = {"scope": "all", "reason": reason, "withdrawn_at": now.isoformat()}
        _tell_receivers(intake, HandoverEvent.INTAKE_WITHDRAWN, data, now)
    if intake.status != IntakeStatus.PURGED:
        _erase(intake, IntakeStatus.WITHDRAWN, now)


def withdraw_special_categories(intake: Intake, now: dt.datetime | None = None) -> None:
    """Erase the Art. 9 answers; receivers are asked to delete that part."""
    now = now or utcnow()
    if intake.answers and "vulnerability" in intake.answers:
        intake.answers = {k: v for k, v in intake.answers.items() if k != "vulnerability"}
    if intake.status == IntakeStatus.PREPARED and intake.summary:
        summary = {k: v for k, v in intake.summary.items() if k != "special_categories"}
        summary["flags"] = {**summary["flags"], "vulnerability_indicated": None}
        intake.summary = summary
        data = {"scope": "special_categories", "reason": "consent_withdrawn"}
        _tell_receivers(
            intake, HandoverEvent.INTAKE_WITHDRAWN, {**data, "withdrawn_at": now.isoformat()}, now
        )


def appointment_cancelled(appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Receivers holding a summary learn that the appointment will not take place."""
    intake = appointment.intake
    if intake is None or intake.status not in SHARED_STATUSES:
        return
    now = now or utcnow()
    outbox.cancel_undelivered(intake, now)
    data = {"cancelled_at": now.isoformat(), "cancelled_by": appointment.cancelled_by}
    _tell_receivers(intake, HandoverEvent.APPOINTMENT_CANCELLED, data, now)


@dataclass
class PurgeReport:
    intakes_erased: int = 0
    deliveries_emptied: int = 0


def purge(now: dt.datetime | None = None) -> PurgeReport:
    """Erase intake answers the set number of days after the appointment; keep counts."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=current_app.config["INTAKE_RETENTION_DAYS"])
    report = PurgeReport()
    expired = db.session.scalars(
        select(Intake)
        .join(Appointment, Intake.appointment_id == Appointment.id)
        .where(Appointment.ends_at < cutoff, Intake.erased_at.is_(None))
    )
    for intake in expired:
        _erase(intake, IntakeStatus.PURGED, now)
        report.intakes_erased += 1
        report.deliveries_emptied += outbox.empty_payloads(intake)
    db.session.commit()
    return report
