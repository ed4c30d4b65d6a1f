"""What the chat forms share: skipping, not-understood, digressions, corrections of a day."""

from __future__ import annotations

import re

from lotse_nlu.normalize import normalize
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.types import DomainDict

from .common import LotseAction, Reply, choice_payload, latest_intent, menu_buttons
from .texts import N_

SKIP = "-"
NOT_UNDERSTOOD = N_(
    "Sorry, I did not understand that answer. Please choose one of the buttons or write it again."
)
DIGRESSION_CONFIDENCE = 0.5
# Intents answered in the middle of a form (the rules in data/rules.yml), after which the
# form asks its question again; "deny" and "goodbye" stop the form.
DIGRESSION_INTENTS = {
    "emergency",
    "help",
    "privacy",
    "bot_challenge",
    "change_language",
    "deny",
    "goodbye",
}

WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("montag", "monday", "الاثنين", "اثنين", "دوشنبه", "понеділ", "понедельн"),
    1: ("dienstag", "tuesday", "الثلاثاء", "ثلاثاء", "سه شنبه", "سهشنبه", "вівтор", "вторник"),
    2: ("mittwoch", "wednesday", "الاربعاء", "اربعاء", "چهارشنبه", "серед", "среда", "среду"),
    3: ("donnerstag", "thursday", "الخمیس", "خمیس", "پنجشنبه", "پنج شنبه", "четвер"),
    4: ("freitag", "friday", "الجمعه", "جمعه", "п'ятниц", "пятниц"),
    5: ("samstag", "saturday", "السبت", "субот", "суббот"),
    6: ("sonntag", "sunday", "الاحد", "یکشنبه", "یک شنبه", "неділ", "воскрес"),
}
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])(?:[:.h]([0-5]\d))?(?!\d)")


def skip_button(reply: Reply) -> dict[str, str]:
    return reply.button(N_("Skip"), choice_payload(SKIP))


def wants_digression(tracker: Tracker) -> bool:
    intent, confidence = latest_intent(tracker)
    if intent == "emergency":
        return True
    is_topic = bool(intent) and intent.startswith("ask_")
    return (is_topic or intent in DIGRESSION_INTENTS) and confidence >= DIGRESSION_CONFIDENCE


def mentioned_weekday(text: str) -> int | None:
    """0 = Monday … 6 = Sunday, for a weekday named in any of the languages."""
    normalised = normalize(text)
    found = None
    best_length = 0
    for day, names in WEEKDAY_NAMES.items():
        for name in names:
            key = normalize(name)
            # "شنبه" alone is Saturday in Persian but also the end of the other day names:
            # the longest name found wins.
            if key in normalised and len(key) > best_length:
                found, best_length = day, len(key)
    if found is None and re.search(r"(?<![\w])شنبه", normalised):
        return 5
    return found


def mentioned_time(text: str) -> tuple[int, int] | None:
    match = _TIME.search(normalize(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return (hour, minute) if 6 <= hour <= 21 else None


def match_option(text: str, options: list[list[str]]) -> str | None:
    """The option a typed answer names: its number ("2") or words of its title."""
    normalised = normalize(text).strip(" .)")
    if normalised.isdigit() and 1 <= int(normalised) <= len(options):
        return options[int(normalised) - 1][0]
    hits = [
        value
        for value, title in options
        if normalised and (normalised in normalize(title) or normalize(title) in normalised)
    ]
    return hits[0] if len(hits) == 1 else None


class ActionStopForm(LotseAction):
    """ "No" or "bye" in the middle of a form: stop it, keep nothing of it, show the menu."""

    def name(self) -> str:
        return "action_stop_form"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "OK, I stopped. Nothing was booked or sent. What would you like to do?",
            menu_buttons(reply),
        )
        slots = [s for s in domain.get("slots", {}) if s.startswith(("booking_", "finder_"))]
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
            SlotSet(s, None) for s in slots
        ]
