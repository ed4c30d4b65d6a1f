"""The hand-over outbox: durable, retried, dead-lettered, visible to staff.

Events are written in the same transaction as the change that causes them and sent
later by ``lotse jobs run``. A case system that is down for a day delays delivery
but loses nothing; the Standard Webhooks id makes repeats harmless for receivers.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from flask import current_app
from sqlalchemy import select

from integrations.case_system.base import Connector, DeliveryFailed, Handover
from integrations.case_system.file_drop import FileDropConnector
from integrations.case_system.office_mail import EmailConnector
from integrations.case_system.webhook import WebhookConnector
from integrations.case_system.zammad import ZammadConnector

from ..constants import CaseSystem, HandoverEvent, HandoverStatus
from ..extensions import db
from ..models import HandoverDelivery, Intake, utcnow
from ..notifications import mail
from ..notifications.errors import PermanentDeliveryError
from .config import (
    ConfigError,
    EmailTarget,
    FileDropTarget,
    HandoverConfig,
    Target,
    WebhookTarget,
    ZammadTarget,
    load_config,
    resolve_secret,
)

log = logging.getLogger(__name__)

# Seconds to wait after each failed attempt (the Standard Webhooks schedule, stretched):
# together about 37 hours, so a receiver that is down for a day loses nothing.
BACKOFF_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000, 36000)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
BATCH_SIZE = 50
EXTENSION_KEY = "lotse_handover_config"


@dataclass(frozen=True)
class Content:
    """What an event carries: the JSON data, and German renderings for people."""

    data: dict[str, Any]
    subject: str
    notice: str
    html: str | None = None


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


def handover_config() -> HandoverConfig:
    app = current_app
    if EXTENSION_KEY not in app.extensions:
        configured = app.config.get("HANDOVER_CONFIG")
        if isinstance(configured, HandoverConfig):
            app.extensions[EXTENSION_KEY] = configured
        else:
            app.extensions[EXTENSION_KEY] = load_config(Path(configured) if configured else None)
    config: HandoverConfig = app.extensions[EXTENSION_KEY]
    return config


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _payload(event: HandoverEvent, target: Target, content: Content, now: dt.datetime) -> dict:
    """Only what this kind of receiver may get: e-mail never carries the data itself."""
    stored: dict[str, Any] = {"subject": content.subject, "notice": content.notice}
    if target.system != CaseSystem.EMAIL:
        stored["body"] = {"type": event.value, "timestamp": now.isoformat(), "data": content.data}
        stored["html"] = content.html
    return stored


def enqueue(
    intake: Intake,
    event: HandoverEvent,
    content: Content,
    now: dt.datetime | None = None,
    only_targets: set[str] | None = None,
) -> list[HandoverDelivery]:
    """One delivery per target of the appointment's office (flushed, not committed)."""
    now = now or utcnow()
    office = intake.appointment.office
    deliveries = []
    for name, target in handover_config().targets_for(office.slug):
        if only_targets is not None and name not in only_targets:
            continue
        delivery = HandoverDelivery(
            webhook_id=new_message_id(),
            event=event.value,
            system=target.system,
            target=name,
            office_id=office.id,
            intake_id=intake.id,
            status=HandoverStatus.PENDING,
            payload=_payload(event, target, content, now),
            next_attempt_at=now,
        )
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.flush()
    return deliveries


def _delivered_submissions(intake_id: int) -> dict[str, HandoverDelivery]:
    rows = db.session.scalars(
        select(HandoverDelivery).where(
            HandoverDelivery.intake_id == intake_id,
            HandoverDelivery.event == HandoverEvent.INTAKE_SUBMITTED,
            HandoverDelivery.status == HandoverStatus.DELIVERED,
        )
    )
    return {row.target: row for row in rows}


def received_submission(intake: Intake) -> dict[str, HandoverDelivery]:
    """Per target, the delivered intake.submitted (receivers that hold the summary)."""
    return _delivered_submissions(intake.id)


def cancel_undelivered(intake: Intake, now: dt.datetime | None = None) -> int:
    """A summary not yet delivered is simply not sent (e.g. after a withdrawal)."""
    pending = db.session.scalars(
        select(HandoverDelivery).where(
            HandoverDelivery.intake_id == intake.id,
            HandoverDelivery.status.in_((HandoverStatus.PENDING, HandoverStatus.DEAD)),
        )
    ).all()
    for delivery in pending:
        delivery.status, delivery.payload = HandoverStatus.CANCELLED, None
        delivery.last_error = "withdrawn before delivery"
    return len(pending)


def _connector(target: Target, client: httpx.Client) -> Connector:
    config = current_app.config
    if isinstance(target, WebhookTarget):
        return WebhookConnector(target.url, resolve_secret(target.secret), client)
    if isinstance(target, ZammadTarget):
        token = resolve_secret(target.token)
        return ZammadConnector(target.url, token, target.group, target.customer, client)
    if isinstance(target, FileDropTarget):
        return FileDropConnector(target.directory)
    assert isinstance(target, EmailTarget)
    if not config["SMTP_HOST"]:
        raise DeliveryFailed("waiting for LOTSE_SMTP_HOST")
    return EmailConnector(target.to, config["MAIL_FROM"], lambda m: _send_mail(config, m))


def _send_mail(config: Any, message: EmailMessage) -> None:
    """The portal's SMTP sender; a refused recipient will not be accepted on a retry."""
    try:
        mail.send(config, message)
    except PermanentDeliveryError as error:
        raise DeliveryFailed(str(error), permanent=True) from None


def _handover(delivery: HandoverDelivery) -> Handover:
    payload = delivery.payload or {}
    earlier = None
    if delivery.event != HandoverEvent.INTAKE_SUBMITTED and delivery.intake_id is not None:
        # Follow-up events refer to what this receiver made of the summary (e.g. a ticket).
        first = _delivered_submissions(delivery.intake_id).get(delivery.target)
        earlier = first.external_ref if first else None
    return Handover(
        message_id=delivery.webhook_id,
        event=delivery.event,
        payload=payload.get("body") or {},
        html=payload.get("html"),
        notice=payload.get("notice", ""),
        subject=payload.get("subject", ""),
        earlier_ref=earlier,
    )


def _next_due(now: dt.datetime) -> HandoverDelivery | None:
    """The next due delivery, locked until the commit after its attempt. One at a time:
    a commit releases every lock, so rows claimed in a batch would be free for another
    job runner while this one still works through them (two runners never send the same
    event)."""
    query = (
        select(HandoverDelivery)
        .where(
            HandoverDelivery.status == HandoverStatus.PENDING,
            HandoverDelivery.next_attempt_at <= now,
        )
        .order_by(HandoverDelivery.next_attempt_at, HandoverDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(query).first()


def _failed(delivery: HandoverDelivery, error: DeliveryFailed, now: dt.datetime) -> bool:
    """Record a failure; True if the delivery is now dead."""
    delivery.attempts += 1
    delivery.last_error = error.reason
    if error.permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = HandoverStatus.DEAD
        return True
    delivery.next_attempt_at = now + dt.timedelta(seconds=BACKOFF_SECONDS[delivery.attempts - 1])
    return False


def _attempt(delivery: HandoverDelivery, client: httpx.Client, now: dt.datetime) -> bool:
    targets = handover_config().targets
    if delivery.target not in targets:
        raise DeliveryFailed("target no longer configured", permanent=True)
    try:
        connector = _connector(targets[delivery.target], client)
    except ConfigError as error:
        raise DeliveryFailed(str(error)) from None
    reference = connector.deliver(_handover(delivery))
    delivery.attempts += 1
    delivery.status, delivery.delivered_at = HandoverStatus.DELIVERED, now
    delivery.external_ref, delivery.payload, delivery.last_error = reference, None, None
    return True


def deliver_due(now: dt.datetime | None = None) -> DeliveryReport:
    """Send what is due, one commit per delivery, so a crash repeats at most one send."""
    report = DeliveryReport()
    with httpx.Client(timeout=20) as client:
        for _ in range(BATCH_SIZE):
            if (delivery := _next_due(now or utcnow())) is None:
                break
            moment = now or utcnow()
            try:
                _attempt(delivery, client, moment)
                report.delivered += 1
            except DeliveryFailed as error:
                if _failed(delivery, error, moment):
                    report.dead += 1
                else:
                    report.retrying += 1
                log.warning(
                    "hand-over %s (%s to %s) failed: %s",
                    delivery.id,
                    delivery.event,
                    delivery.system,
                    delivery.last_error,
                )
            db.session.commit()
    return report


def retry(delivery_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Put dead deliveries (all, or the given ones) back in the queue, due now."""
    query = select(HandoverDelivery).where(HandoverDelivery.status == HandoverStatus.DEAD)
    if delivery_ids:
        query = query.where(HandoverDelivery.id.in_(delivery_ids))
    revived = 0
    for delivery in db.session.scalars(query):
        delivery.status, delivery.next_attempt_at = HandoverStatus.PENDING, now or utcnow()
        delivery.attempts = 0
        revived += 1
    db.session.commit()
    return revived


def status_counts() -> Counter[tuple[str, str, str]]:
    """(target, event, status) → count, for `lotse handover status` and the staff page."""
    rows = db.session.execute(
        select(HandoverDelivery.target, HandoverDelivery.event, HandoverDelivery.status)
    )
    return Counter((target, event, status) for target, event, status in rows)


def empty_payloads(intake: Intake) -> int:
    """Erase the stored content of every delivery of this intake (retention over)."""
    rows = db.session.scalars(
        select(HandoverDelivery).where(
            HandoverDelivery.intake_id == intake.id, HandoverDelivery.payload.is_not(None)
        )
    ).all()
    for delivery in rows:
        delivery.payload = None
        if delivery.status in (HandoverStatus.PENDING, HandoverStatus.DEAD):
            delivery.status, delivery.last_error = HandoverStatus.CANCELLED, "retention ended"
    return len(rows)
