"""Sends due messages from the outbox with retries, and erases data whose purpose ended."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, or_, select

from ..constants import AppointmentStatus, MessageChannel, MessageStatus
from ..extensions import db
from ..models import Appointment, OutboundMessage, utcnow
from . import mail, sms
from .errors import DeliveryError, PermanentDeliveryError

log = logging.getLogger(__name__)

# Minutes to wait after each failed attempt: together about 40 hours, so a mail
# server that is down for a day delays messages but loses none.
BACKOFF_MINUTES = (1, 5, 15, 30, 60, 120, 240, 480, 720, 720)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
BATCH_SIZE = 100
KEEP_DELIVERY_RECORDS_DAYS = 30


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    undeliverable: int = 0
    waiting_for_configuration: int = 0


def _next_due(now: dt.datetime, seen: set[int]) -> OutboundMessage | None:
    """The next due message, locked until the commit after its attempt. One at a time:
    a commit releases every lock, so rows claimed in a batch would be free for another
    job runner while this one still works through them (two runners never send the same
    message on PostgreSQL)."""
    query = (
        select(OutboundMessage)
        .where(
            OutboundMessage.status == MessageStatus.PENDING,
            OutboundMessage.next_attempt_at <= now,
            OutboundMessage.id.not_in(seen),  # e.g. waiting for a mail server setting
        )
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(query).first()


def _finish(message: OutboundMessage, status: MessageStatus, now: dt.datetime) -> None:
    message.status, message.payload = status, None
    if status == MessageStatus.SENT:
        message.sent_at = now


def _send(message: OutboundMessage, sms_backend: sms.SmsSender | None) -> None:
    payload = message.payload or {}
    if message.channel == MessageChannel.SMS:
        if sms_backend is None:
            raise DeliveryError("no SMS backend configured")
        sms_backend.send(payload["to"], payload["text"])
        return
    config = current_app.config
    mail.send(config, mail.build_message(config, payload, message.language))


def deliver_due(now: dt.datetime | None = None) -> DeliveryReport:
    now = now or utcnow()
    report = DeliveryReport()
    config = current_app.config
    sms_backend = sms.load_backend(config)
    seen: set[int] = set()
    for _ in range(BATCH_SIZE):
        if (message := _next_due(now, seen)) is None:
            break
        seen.add(message.id)
        to = (message.payload or {}).get("to", "")
        if message.channel == MessageChannel.EMAIL and mail.is_reserved_address(to):
            _finish(message, MessageStatus.UNDELIVERABLE, now)
            report.undeliverable += 1
        elif message.channel == MessageChannel.EMAIL and not config["SMTP_HOST"]:
            report.waiting_for_configuration += 1
        else:
            _attempt(message, sms_backend, now, report)
        db.session.commit()  # one message at a time: a crash never resends a whole batch
    db.session.commit()
    return report


def _attempt(
    message: OutboundMessage,
    sms_backend: sms.SmsSender | None,
    now: dt.datetime,
    report: DeliveryReport,
) -> None:
    message.attempts += 1
    try:
        _send(message, sms_backend)
    except PermanentDeliveryError as error:
        message.last_error = str(error)[:200]
        _finish(message, MessageStatus.FAILED, now)
        report.failed += 1
    except DeliveryError as error:
        message.last_error = str(error)[:200]
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, MessageStatus.FAILED, now)
            report.failed += 1
        else:
            wait = BACKOFF_MINUTES[message.attempts - 1]
            message.next_attempt_at = now + dt.timedelta(minutes=wait)
            report.retrying += 1
        # Kind and error class only: recipients and texts are never logged.
        log.warning("message %s (%s) not delivered: %s", message.id, message.kind, error)
    else:
        _finish(message, MessageStatus.SENT, now)
        report.sent += 1


@dataclass
class PurgeReport:
    appointments_erased: int = 0
    messages_deleted: int = 0


def purge_expired(now: dt.datetime | None = None) -> PurgeReport:
    """Erase client details once an appointment's purpose is fulfilled.

    Contact details, topics and cancellation reasons go a configurable number of
    days after the appointment (or its cancellation); what remains (service, time,
    status, language) identifies no one.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=current_app.config["CONTACT_RETENTION_DAYS"])
    finished = or_(
        Appointment.ends_at < cutoff,
        (Appointment.status == AppointmentStatus.CANCELLED) & (Appointment.cancelled_at < cutoff),
    )
    report = PurgeReport()
    holds_details = or_(
        Appointment.contact.is_not(None),
        Appointment.topics.is_not(None),
        Appointment.cancel_reason.is_not(None),
    )
    for appointment in db.session.scalars(select(Appointment).where(finished, holds_details)):
        appointment.contact = appointment.topics = appointment.cancel_reason = None
        report.appointments_erased += 1
    old = now - dt.timedelta(days=KEEP_DELIVERY_RECORDS_DAYS)
    result = db.session.execute(
        delete(OutboundMessage).where(
            OutboundMessage.status != MessageStatus.PENDING, OutboundMessage.created_at < old
        )
    )
    report.messages_deleted = result.rowcount or 0  # type: ignore[attr-defined]
    db.session.commit()
    return report
