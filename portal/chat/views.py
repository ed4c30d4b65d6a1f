"""GET shows the conversation, POST relays one message or button; both work without JavaScript.

With JavaScript (static/chat.js) the same POST is sent by fetch and answers with the
rendered conversation, so the page does not reload.
"""

from __future__ import annotations

import re
import unicodedata

from flask import current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..constants import ChatCountKind
from ..extensions import limiter
from . import bp, stats
from .relay import (
    AssistantUnavailable,
    Turn,
    last_buttons,
    new_sender_id,
    send,
    tracker,
    transcript,
)

SENDER_KEY = "chat_sender"
MAX_MESSAGE_CHARS = 1000
SHOWN_TURNS = 40
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


def _chat_rate_limit() -> str:
    return str(current_app.config["CHAT_RATE_LIMIT"])


def _rate_key() -> str:
    return str(session.get(SENDER_KEY) or request.remote_addr or "unknown")


def clean_message(text: str) -> str:
    """Without control and bidi-override characters, in one line."""
    text = _UNSEEN.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def _conversation(sender: str | None) -> tuple[list[Turn], dict[str, object]]:
    if not sender:
        return [], {}
    found = tracker(sender)
    return transcript(found.get("events") or [], SHOWN_TURNS), found


def _page(draft: str = "", error: str | None = None, status: int = 200) -> tuple[str, int]:
    try:
        turns, _found = _conversation(session.get(SENDER_KEY))
    except AssistantUnavailable:
        turns, error = (
            [],
            error
            or _("The assistant is not available right now. Please try again in a few minutes."),
        )
        status = max(status, 503)
    html = render_template(
        "chat/chat.html", turns=turns, buttons=last_buttons(turns), draft=draft, error=error
    )
    return html, status


@bp.get("/chat")
def chat() -> tuple[str, int]:
    return _page()


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _failure(draft: str, error: str, status: int) -> Response | tuple[str, int]:
    if _wants_json():
        response = jsonify(error=error)
        response.status_code = status
        return response
    return _page(draft, error, status)


def _pressed_button(payload: str, sender: str | None) -> bool:
    """Only a button the assistant offered last may be sent (no hand-made payloads)."""
    try:
        turns, _found = _conversation(sender)
    except AssistantUnavailable:
        return False
    return payload in {button.payload for button in last_buttons(turns)}


@bp.post("/chat")
@limiter.limit(_chat_rate_limit, key_func=_rate_key)
def post_message() -> Response | tuple[str, int]:
    payload = request.form.get("payload", "")
    draft = request.form.get("message", "")
    if payload:
        if not _pressed_button(payload, session.get(SENDER_KEY)):
            return _failure(
                "", _("This choice is no longer available. Please write your answer."), 409
            )
        text = payload
    else:
        text = clean_message(draft)
        if not text:
            return _failure(draft, _("Please write a message."), 422)
        if len(text) > MAX_MESSAGE_CHARS:
            error = _(
                "Your message is too long (%(count)d characters). "
                "Please write at most %(max)d characters.",
                count=len(text),
                max=MAX_MESSAGE_CHARS,
            )
            return _failure(draft, error, 422)
        # Typed text always goes through understanding; only buttons send "/intent" payloads.
        text = text.lstrip("/") or text
    sender = session.get(SENDER_KEY)
    is_new = not sender
    if not sender:
        sender = session[SENDER_KEY] = new_sender_id()
    try:
        send(sender, text, g.lang)
        turns, found = _conversation(sender)
    except AssistantUnavailable:
        return _failure(
            draft,
            _(
                "The assistant is not available right now. Your message was not sent. "
                "Please try again in a few minutes."
            ),
            503,
        )
    if is_new:
        stats.count(ChatCountKind.CONVERSATION, g.lang)
    _count_message(found)
    if _wants_json():
        return jsonify(
            html=render_template(
                "chat/_conversation.html", turns=turns, buttons=last_buttons(turns)
            )
        )
    return redirect(url_for("chat.chat", lang=g.lang, _anchor="latest"), code=303)


def _count_message(found: dict[str, object]) -> None:
    latest = found.get("latest_message") or {}
    intent = ((latest.get("intent") if isinstance(latest, dict) else None) or {}).get("name", "")
    slots = found.get("slots") or {}
    language = slots.get("language") if isinstance(slots, dict) else None
    stats.count(ChatCountKind.MESSAGE, str(language or g.lang), str(intent or ""))


@bp.post("/chat/new")
def new_conversation() -> Response:
    """Start again: the old conversation is no longer shown (and expires in the tracker store)."""
    session.pop(SENDER_KEY, None)
    return redirect(url_for("chat.chat", lang=g.lang), code=303)
