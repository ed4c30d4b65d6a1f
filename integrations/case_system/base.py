"""What every case-system connector receives and how it reports failure.

Connectors know nothing of the portal's database: the portal's outbox hands them a
``Handover`` and records the result, so a service can switch its case system by
configuration alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Handover:
    # Standard Webhooks message id; the same on every retry, so receivers can drop duplicates.
    message_id: str
    event: str  # intake.submitted, intake.withdrawn, appointment.cancelled
    # The JSON body: {"type": event, "timestamp": ..., "data": {...}}.
    payload: dict[str, Any]
    # German HTML rendering of the summary (intake.submitted only).
    html: str | None
    # A short German text without special-category data or the client's own words,
    # for channels that are not end-to-end protected (e-mail).
    notice: str
    subject: str
    # The receiver's reference from the earlier intake.submitted (e.g. a Zammad ticket id).
    earlier_ref: str | None = None


class DeliveryFailed(Exception):
    """A delivery did not succeed. ``permanent`` failures are not retried."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason[:200], permanent


class Connector(Protocol):
    def deliver(self, handover: Handover) -> str | None:
        """Deliver or raise DeliveryFailed; return the receiver's reference, if any."""
