"""Counts for the annual report: conversations by language, messages by language and intent.

Only counts are stored – never a text, never a sender id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..booking.slots import BERLIN
from ..constants import LANGUAGES, ChatCountKind
from ..extensions import db
from ..models import ChatCount, utcnow

MAX_INTENT_CHARS = 64


def count(kind: ChatCountKind, language: str, intent: str = "") -> None:
    """Add one to today's counter; a concurrent first insert is retried as an update."""
    language = language if language in LANGUAGES else "und"
    day = utcnow().astimezone(BERLIN).date()
    for _attempt in range(2):
        try:
            _increment(day, kind, language, intent[:MAX_INTENT_CHARS])
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()


def _increment(day: dt.date, kind: ChatCountKind, language: str, intent: str) -> None:
    row = db.session.scalar(
        select(ChatCount)
        .where(
            ChatCount.day == day,
            ChatCount.kind == kind,
            ChatCount.language == language,
            ChatCount.intent == intent,
        )
        .with_for_update()
    )
    if row is None:
        db.session.add(ChatCount(day=day, kind=kind, language=language, intent=intent, count=1))
    else:
        row.count += 1
