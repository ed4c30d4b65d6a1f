"""The client's rights through the token link: see, export, withdraw, delete (Art. 15–17, 20)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import consent
from ..booking.service import cancel
from ..constants import CancelledBy, ConsentPurpose
from ..extensions import db
from ..models import Appointment, utcnow
from . import service

WITHDRAWAL_REASON = "consent_withdrawn"
DELETION_REASON = "deleted_by_client"


def export(appointment: Appointment) -> dict[str, Any]:
    """Everything Lotse stores about this booking, in plain JSON."""
    intake = appointment.intake
    return {
        "appointment": {
            "code": appointment.code,
            "status": appointment.status,
            "service": appointment.service.slug,
            "office": appointment.office.slug,
            "type": appointment.appointment_type.slug,
            "mode": appointment.mode,
            "start": appointment.starts_at.isoformat(),
            "end": appointment.ends_at.isoformat(),
            "language": appointment.client_language,
            "interpreter_language": appointment.interpreter_language,
            "topics": appointment.topics or [],
            "contact": appointment.contact or {},
            "cancel_reason": appointment.cancel_reason,
            "booked_via": appointment.origin,
            "booked_at": appointment.created_at.isoformat(),
        },
        "consents": [
            {
                "purpose": record.purpose,
                "text_version": record.text.version,
                "text_language": record.language,
                "text": record.text.body_md,
                "channel": record.channel,
                "given_at": record.given_at.isoformat(),
                "withdrawn_at": record.withdrawn_at.isoformat() if record.withdrawn_at else None,
            }
            for record in appointment.consents
        ],
        "pre_intake": None
        if intake is None
        else {
            "status": intake.status,
            "answers": intake.answers,
            "sent_at": intake.submitted_at.isoformat() if intake.submitted_at else None,
            "summary_sent": intake.summary,
        },
    }


def withdraw_purpose(
    appointment: Appointment, purpose: ConsentPurpose, now: dt.datetime | None = None
) -> None:
    """Withdraw one consent and act on it at once; commits."""
    now = now or utcnow()
    if purpose == ConsentPurpose.ARRANGE_APPOINTMENT:
        delete_everything(appointment, now)  # no appointment without processing its details
        return
    intake = appointment.intake
    if purpose == ConsentPurpose.SHARE_SUMMARY:
        # Special categories were only ever collected to be shared.
        consent.withdraw(appointment, ConsentPurpose.SPECIAL_CATEGORIES, now)
        consent.withdraw(appointment, ConsentPurpose.SHARE_SUMMARY, now)
        if intake is not None:
            service.withdraw_sharing(intake, WITHDRAWAL_REASON, now)
    else:
        consent.withdraw(appointment, ConsentPurpose.SPECIAL_CATEGORIES, now)
        if intake is not None:
            service.withdraw_special_categories(intake, now)
    db.session.commit()


def delete_everything(appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Cancel the appointment if it is still ahead, erase every personal detail, withdraw
    every consent and ask receivers to delete the summary. Commits."""
    now = now or utcnow()
    if appointment.is_upcoming(now):
        cancel(appointment, CancelledBy.CLIENT, None, now)
    if appointment.intake is not None:
        service.withdraw_sharing(appointment.intake, DELETION_REASON, now)
    for record in appointment.consents:
        if record.in_force:
            record.withdrawn_at = now
    appointment.topics, appointment.contact, appointment.cancel_reason = None, None, None
    appointment.interpreter_language = None
    db.session.commit()
