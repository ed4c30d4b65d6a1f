"""Deletes chat texts from Rasa's tracker store when the retention period ends (`lotse purge`).

Rasa keeps each conversation as events in an SQL table (``events``: sender_id, type_name,
timestamp, data as JSON). Conversations silent for longer than the retention are deleted
whole; in longer ones, the texts of older messages are blanked while the events that
carry the conversation's state (slots, form) stay.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

TEXT_EVENTS = ("user", "bot")


def purge_chat_texts(
    tracker_db: str, retention_hours: int, now: float | None = None
) -> tuple[int, int]:
    """(conversations deleted, messages blanked)."""
    if not Path(tracker_db).exists():
        return 0, 0
    cutoff = (now if now is not None else time.time()) - retention_hours * 3600
    engine = create_engine(f"sqlite:///{tracker_db}")
    with engine.begin() as connection:
        if not _has_events_table(connection):
            return 0, 0
        expired = (
            connection.execute(
                text(
                    "SELECT sender_id FROM events GROUP BY sender_id "
                "HAVING MAX(timestamp) < :cutoff"
                ),
                {"cutoff": cutoff},
            )
            .scalars()
            .all()
        )
        for sender in expired:
            connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
        rows = connection.execute(
            text(
                "SELECT id, data FROM events WHERE type_name IN ('user', 'bot') "
                "AND timestamp < :cutoff AND data LIKE '%\"text\"%'"
            ),
            {"cutoff": cutoff},
        ).all()
        blanked = 0
        for row_id, data in rows:
            event = json.loads(data)
            if _blank(event):
                connection.execute(
                    text("UPDATE events SET data = :data WHERE id = :id"),
                    {"data": json.dumps(event), "id": row_id},
                )
                blanked += 1
    engine.dispose()
    return len(expired), blanked


def _has_events_table(connection: Connection) -> bool:
    found = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type='table' AND name='events'")
    ).first()
    return found is not None


def _blank(event: dict[str, Any]) -> bool:
    """Remove the texts of one event; True if something was removed."""
    changed = bool(event.get("text"))
    event["text"] = None
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict) and parse_data.get("text"):
        parse_data["text"] = ""
        changed = True
    if event.get("metadata"):
        event["metadata"] = {}
        changed = True
    return changed
