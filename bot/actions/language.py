"""Which language the conversation is in (runs after every message: a custom slot mapping).

The language is sticky. It changes
- when the portal's page language changes (message metadata ``lang``),
- on ``change_language`` naming a language (or a language button),
- when a whole sentence arrives in another script (an Arabic sentence in a German chat),
- when two clear messages in a row agree on another language of the same script
  (German and English, Arabic and Persian).
One short or ambiguous word ("سلام", "Так") never flips it. Russian counts as Ukrainian;
the first Russian message makes the next answer say so and offer the other languages.
"""

from __future__ import annotations

from typing import Any

from lotse_nlu.normalize import normalize
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .common import DEFAULT_LANGUAGE, LANGUAGE_SLOT
from .texts import LANGUAGES

SCRIPT = {"de": "latin", "en": "latin", "ar": "arabic", "fa": "arabic", "uk": "cyrillic"}
CLEAR_CONFIDENCE = 0.75
CLEAR_WORDS = 2
SENTENCE_WORDS = 3
VOTES_TO_SWITCH = 2

# How clients name the languages, in all five languages (normalised, matched as substrings).
LANGUAGE_ALIASES = {
    "de": [
        "deutsch",
        "german",
        "almanca",
        "الماني",
        "المانيه",
        "آلمانی",
        "المانی",
        "німецьк",
        "немецк",
    ],
    "en": [
        "english",
        "englisch",
        "inglish",
        "انجليزي",
        "انكليزي",
        "انگلیسی",
        "انگلیسي",
        "англійськ",
        "английск",
    ],
    "ar": ["arabic", "arabisch", "عربي", "العربيه", "عربی", "арабськ", "арабск"],
    "fa": [
        "farsi",
        "persian",
        "persisch",
        "dari",
        "فارسی",
        "دری",
        "перськ",
        "фарсі",
        "фарси",
        "персидск",
    ],
    "uk": ["ukrain", "اوكراني", "اوکراینی", "اوکراين", "українськ", "украинск"],
}


def named_languages(text: str) -> list[str]:
    """The languages named in the text, in the order they are named."""
    normalised = normalize(text)
    found: dict[int, str] = {}
    for code, aliases in LANGUAGE_ALIASES.items():
        for alias in aliases:
            position = normalised.find(normalize(alias))
            if position >= 0:
                found[position] = code
    return [found[position] for position in sorted(found)]


def named_language(text: str, current: str | None = None) -> str | None:
    """The language asked for: of several named, the first that is not the current one
    ("English please, I don't understand German" in a German chat → en)."""
    named = named_languages(text)
    others = [code for code in named if code != current]
    return (others or named or [None])[0]


def next_language(
    current: str | None,
    votes: list[str],
    detection: dict[str, Any] | None,
) -> tuple:
    """(language, votes) after one more message with this detection."""
    if not detection:
        return current, votes
    detected = "uk" if detection["language"] == "ru" else detection["language"]
    if current is None:
        return detected, []
    if detected == current:
        return current, []
    words, confidence = int(detection.get("words", 0)), float(detection.get("confidence", 0))
    if SCRIPT[detected] != SCRIPT[current] and words >= SENTENCE_WORDS:
        return detected, []
    if confidence < CLEAR_CONFIDENCE or words < CLEAR_WORDS:
        return current, votes
    votes = [*votes, detected][-VOTES_TO_SWITCH:]
    if len(votes) == VOTES_TO_SWITCH and len(set(votes)) == 1:
        return detected, []
    return current, votes


class ActionTrackLanguage(Action):
    def name(self) -> str:
        return "action_track_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        current = tracker.get_slot(LANGUAGE_SLOT)
        votes = list(tracker.get_slot("language_votes") or [])
        events: list[EventType] = []
        portal_lang = (message.get("metadata") or {}).get("lang")
        chosen = self._chosen(tracker, message)
        detection = message.get("language_detection")
        if chosen:
            language, votes = chosen, []
        elif portal_lang in LANGUAGES and portal_lang != tracker.get_slot("portal_language"):
            language, votes = portal_lang, []
            events.append(SlotSet("portal_language", portal_lang))
        else:
            language, votes = next_language(current, votes, detection)
        if (
            detection
            and detection.get("language") == "ru"
            and not tracker.get_slot("russian_note_given")
        ):
            language = "uk"
            events += [SlotSet("russian_note_due", True), SlotSet("russian_note_given", True)]
        language = language or DEFAULT_LANGUAGE
        if language != current:
            events.append(SlotSet(LANGUAGE_SLOT, language))
        return [*events, SlotSet("language_votes", votes)]

    @staticmethod
    def _chosen(tracker: Tracker, message: dict[str, Any]) -> str | None:
        """A language asked for by name or by a language button."""
        intent = (message.get("intent") or {}).get("name")
        if intent != "change_language":
            return None
        entity = next(tracker.get_latest_entity_values("language"), None)
        if entity in LANGUAGES:
            return entity
        return named_language(message.get("text") or "", tracker.get_slot(LANGUAGE_SLOT))
