"""The audit log of staff actions: who did what to which record, when; never any content."""

from __future__ import annotations

from flask_login import current_user

from .constants import AuditAction
from .extensions import db
from .models import AuditEvent, StaffUser


def record(
    action: AuditAction,
    subject_type: str,
    subject_id: int | None = None,
    detail: str | None = None,
    actor: StaffUser | None = None,
) -> None:
    """Add an audit event to the current transaction (the caller commits).

    ``actor`` defaults to the signed-in person; ``detail`` is a short reference such as
    "health:ar rev 4", never a text a client or an editor wrote.
    """
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action.value,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail[:200] if detail else None,
        )
    )
