"""Consent records: per purpose, bound to the exact text version the client agreed to."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import select

from .constants import ConsentPurpose, Origin
from .extensions import db
from .models import Appointment, ConsentRecord, ConsentText, utcnow


class ConsentProblem(StrEnum):
    MISSING = "missing"
    OUTDATED = "outdated"  # the client saw a version that is no longer current


class ConsentError(Exception):
    def __init__(self, problem: ConsentProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def current_text(purpose: ConsentPurpose, lang: str) -> ConsentText:
    text = db.session.scalar(
        select(ConsentText).where(
            ConsentText.purpose == purpose.value,
            ConsentText.lang == lang,
            ConsentText.current.is_(True),
        )
    )
    if text is None:
        raise LookupError(f"no consent text for {purpose} in {lang}; run `lotse content load`")
    return text


def current_texts(lang: str) -> dict[ConsentPurpose, ConsentText]:
    return {purpose: current_text(purpose, lang) for purpose in ConsentPurpose}


def check_version(purpose: ConsentPurpose, lang: str, version: str | None) -> ConsentText:
    """The current text if ``version`` names it; a client never agrees to words unseen."""
    if not version:
        raise ConsentError(ConsentProblem.MISSING)
    text = current_text(purpose, lang)
    if text.version != version:
        raise ConsentError(ConsentProblem.OUTDATED)
    return text


def in_force(appointment: Appointment, purpose: ConsentPurpose) -> ConsentRecord | None:
    return next(
        (r for r in appointment.consents if r.purpose == purpose.value and r.in_force), None
    )


def give(
    appointment: Appointment,
    purpose: ConsentPurpose,
    text: ConsentText,
    channel: Origin,
    now: dt.datetime | None = None,
) -> ConsentRecord:
    """Record consent (flushed, not committed). Agreeing again to the same text changes
    nothing; agreeing to a newer text replaces the earlier agreement."""
    now = now or utcnow()
    existing = in_force(appointment, purpose)
    if existing is not None and existing.consent_text_id == text.id:
        return existing
    if existing is not None:
        existing.withdrawn_at = now
        db.session.flush()  # one consent in force per purpose (unique index)
    record = ConsentRecord(
        purpose=purpose.value,
        text=text,
        language=text.lang,
        channel=channel.value,
        given_at=now,
    )
    appointment.consents.append(record)
    db.session.flush()
    return record


def withdraw(
    appointment: Appointment, purpose: ConsentPurpose, now: dt.datetime | None = None
) -> ConsentRecord | None:
    record = in_force(appointment, purpose)
    if record is not None:
        record.withdrawn_at = now or utcnow()
    return record
