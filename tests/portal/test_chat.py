"""The chat page's own behaviour: Rasa unreachable, statistics, text retention.

The conversation itself runs against real Rasa and action servers in tests/e2e.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.chat import stats
from portal.chat.relay import transcript
from portal.chat.retention import purge_chat_texts
from portal.constants import ChatCountKind
from portal.extensions import db
from portal.models import ChatCount

from .conftest import make_app, reset_schema


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_rasa_down_gives_a_translated_notice_and_keeps_the_text(tmp_path: Path) -> None:
    app = make_app(
        f"sqlite:///{tmp_path / 'x.db'}",
        RASA_URL=f"http://127.0.0.1:{closed_port()}",
        WTF_CSRF_ENABLED=False,
    )
    reset_schema(app)
    client = app.test_client()
    page = client.get("/ar/chat")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    response = client.post("/de/chat", data={"message": "Wo ist das Jobcenter?"})
    assert response.status_code == 503
    assert "Wo ist das Jobcenter?" in response.text
    assert "Nachricht wurde nicht gesendet" in response.text, response.text


def test_statistics_count_without_text(empty_app: Flask) -> None:
    with empty_app.app_context():
        for _ in range(3):
            stats.count(ChatCountKind.MESSAGE, "ar", "ask_housing")
        stats.count(ChatCountKind.CONVERSATION, "fa")
        stats.count(ChatCountKind.MESSAGE, "xx-not-a-language", "greet")
        rows = {
            (r.kind, r.language, r.intent): r.count for r in db.session.scalars(select(ChatCount))
        }
    assert rows == {
        ("message", "ar", "ask_housing"): 3,
        ("conversation", "fa", ""): 1,
        ("message", "und", "greet"): 1,
    }


def _tracker_db(path: Path, events: list[tuple[str, str, float, dict]]) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            [(s, t, ts, json.dumps(d)) for s, t, ts, d in events],
        )


def test_purge_deletes_old_conversations_and_old_texts(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    now, hour = 1_000_000.0, 3600.0
    secret = "mein Mann schlägt mich"
    _tracker_db(
        path,
        [
            (
                "old",
                "user",
                now - 30 * hour,
                {"event": "user", "text": secret, "parse_data": {"text": secret}},
            ),
            (
                "active",
                "user",
                now - 25 * hour,
                {"event": "user", "text": secret, "metadata": {"lang": "de"}},
            ),
            (
                "active",
                "slot",
                now - 25 * hour,
                {"event": "slot", "name": "language", "value": "de"},
            ),
            ("active", "bot", now - 1 * hour, {"event": "bot", "text": "Hallo"}),
            ("active", "user", now - 1 * hour, {"event": "user", "text": "Termin bitte"}),
        ],
    )
    assert purge_chat_texts(str(path), 24, now=now) == (1, 1)
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT sender_id, type_name, data FROM events ORDER BY id"
        ).fetchall()
    assert {sender for sender, _, _ in rows} == {"active"}
    assert all(secret not in data for _, _, data in rows)
    assert any("Termin bitte" in data for _, _, data in rows)  # within the retention
    assert any('"value": "de"' in data for _, _, data in rows)  # state stays


def test_purge_without_tracker_store_does_nothing(tmp_path: Path) -> None:
    assert purge_chat_texts(str(tmp_path / "missing.db"), 24) == (0, 0)


def test_transcript_shows_button_titles_not_payloads() -> None:
    events = [
        {
            "event": "bot",
            "text": "Wann?",
            "data": {"buttons": [{"title": "Mo 10:00", "payload": '/choose{"choice": "a"}'}]},
        },
        {"event": "user", "text": '/choose{"choice": "a"}'},
        {
            "event": "bot",
            "text": "Notruf",
            "data": {
                "custom": {
                    "links": [
                        {"title": "112", "href": "tel:112"},
                        {"title": "x", "href": "javascript:alert(1)"},
                    ]
                }
            },
        },
    ]
    turns = transcript(events, limit=10)
    assert [t.text for t in turns] == ["Wann?", "Mo 10:00", "Notruf"]
    assert [link.href for link in turns[2].links] == ["tel:112"]  # no javascript: links


def test_chat_text_escapes_and_links(app: Flask) -> None:
    with app.app_context():
        rendered = str(
            app.jinja_env.filters["chat_text"]("<b>x</b> https://lotse.test/de/topics/work\nok")
        )
    assert "&lt;b&gt;" in rendered
    assert re.search(r'<a href="https://lotse.test/de/topics/work"', rendered)
    assert "<br>" in rendered
