"""Rasa's REST channel and tracker API, as the portal uses them (Rasa is never exposed).

The portal gives each browser an opaque random sender id; Rasa never sees an IP address,
a cookie or a name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import current_app

TIMEOUT = httpx.Timeout(30.0, connect=3.0)
SAFE_LINK_SCHEMES = ("tel:", "https://", "http://")


class AssistantUnavailable(Exception):
    """Rasa did not answer; the client's text is kept and a translated notice shown."""


@dataclass
class Button:
    title: str
    payload: str


@dataclass
class Link:
    title: str
    href: str


@dataclass
class Turn:
    """One message in the conversation as the page shows it."""

    from_client: bool
    text: str
    buttons: list[Button] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def new_sender_id() -> str:
    return secrets.token_urlsafe(18)


def _url(path: str) -> str:
    return str(current_app.config["RASA_URL"]).rstrip("/") + path


def _params() -> dict[str, str]:
    token = current_app.config.get("RASA_TOKEN")
    return {"token": token} if token else {}


def send(sender: str, text: str, lang: str) -> list[Turn]:
    """Send one message; returns the assistant's answers."""
    body = {"sender": sender, "message": text, "metadata": {"lang": lang}}
    try:
        response = httpx.post(
            _url("/webhooks/rest/webhook"), json=body, params=_params(), timeout=TIMEOUT
        )
        response.raise_for_status()
        answers = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise AssistantUnavailable() from error
    return [bot_turn(answer) for answer in answers if isinstance(answer, dict)]


def tracker(sender: str) -> dict[str, Any]:
    """The conversation's events (texts within the retention period) and slots."""
    try:
        response = httpx.get(
            _url(f"/conversations/{sender}/tracker"),
            params={**_params(), "include_events": "AFTER_RESTART"},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        return dict(response.json())
    except (httpx.HTTPError, ValueError) as error:
        raise AssistantUnavailable() from error


def _links(raw: Any) -> list[Link]:
    links = []
    for item in raw or []:
        href = str(item.get("href", "")) if isinstance(item, dict) else ""
        if href.startswith(SAFE_LINK_SCHEMES):
            links.append(Link(str(item.get("title") or href), href))
    return links


def bot_turn(message: dict[str, Any]) -> Turn:
    """A REST channel answer, or a bot event's data, as a turn."""
    custom = message.get("custom") or {}
    buttons = [
        Button(str(b.get("title", "")), str(b.get("payload", "")))
        for b in message.get("buttons") or []
        if isinstance(b, dict)
    ]
    links = _links(custom.get("links") if isinstance(custom, dict) else None)
    return Turn(False, str(message.get("text") or ""), buttons, links)


def transcript(events: list[dict[str, Any]], limit: int) -> list[Turn]:
    """The last turns of the conversation; a pressed button shows as its title."""
    turns: list[Turn] = []
    offered: dict[str, str] = {}
    for event in events:
        if event.get("event") == "bot":
            data = event.get("data") or {}
            turn = bot_turn({"text": event.get("text"), **data})
            offered = {b.payload: b.title for b in turn.buttons} or offered
            turns.append(turn)
        elif event.get("event") == "user":
            text = str(event.get("text") or "")
            if text.startswith("/"):
                text = offered.get(text, "")
            if text:
                turns.append(Turn(True, text))
    return turns[-limit:]


def last_buttons(turns: list[Turn]) -> list[Button]:
    """The buttons the client can press now: those of the assistant's latest answers."""
    buttons: list[Button] = []
    for turn in reversed(turns):
        if turn.from_client:
            break
        buttons = turn.buttons + buttons
    return buttons
