"""A durable outbox: notifications are rows written in the same transaction as the
change they announce, and sent later by ``lotse jobs run``. A mail server that is
down for a day delays messages; it does not lose them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..constants import MessageChannel, MessageKind, MessageStatus
from ..extensions import db
from ..models import OutboundMessage, utcnow


def enqueue(
    kind: MessageKind,
    language: str,
    recipient: str,
    subject: str,
    text: str,
    *,
    appointment_id: int | None = None,
    channel: MessageChannel = MessageChannel.EMAIL,
    send_after: dt.datetime | None = None,
    calendar: str | None = None,
) -> OutboundMessage:
    """Queue a message (the caller commits, together with the change it announces)."""
    when = send_after or utcnow()
    payload = {"to": recipient, "subject": subject, "text": text}
    if calendar:
        payload["calendar"] = calendar
    message = OutboundMessage(
        kind=kind,
        channel=channel,
        status=MessageStatus.PENDING,
        language=language,
        appointment_id=appointment_id,
        payload=payload,
        send_after=when,
        next_attempt_at=when,
    )
    db.session.add(message)
    return message


def cancel_pending(appointment_id: int, kinds: tuple[MessageKind, ...]) -> int:
    """Withdraw queued messages that no longer apply (e.g. the reminder of a moved time)."""
    messages = db.session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.appointment_id == appointment_id,
            OutboundMessage.status == MessageStatus.PENDING,
            OutboundMessage.kind.in_([str(kind) for kind in kinds]),
        )
    ).all()
    for message in messages:
        message.status, message.payload = MessageStatus.CANCELLED, None
    return len(messages)
