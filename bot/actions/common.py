"""What every action shares: the conversation's language, replies with buttons, the menu."""

from __future__ import annotations

import abc
import json
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .texts import LANGUAGES, N_, translate

DEFAULT_LANGUAGE = "de"
LANGUAGE_SLOT = "language"
OFFER_SLOT = "offer"
CHOOSE_INTENT = "choose"
CHOICE_ENTITY = "choice"


class Offer:
    """What the last question offered, so that a typed "yes" or "no" can be understood."""

    BOOK = "book"
    PREPARE = "prepare"
    CONSENT_INTAKE = "consent_intake"
    CONSENT_SPECIAL = "consent_special"
    LANGUAGE = "language"
    MANAGE = "manage"


RUSSIAN_NOTE = N_(
    "You wrote in Russian. I answer in Ukrainian. "
    "If another language suits you better, choose it here:"
)


def conversation_language(tracker: Tracker) -> str:
    lang = tracker.get_slot(LANGUAGE_SLOT)
    if lang in LANGUAGES:
        return lang
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("lang") if metadata.get("lang") in LANGUAGES else DEFAULT_LANGUAGE


def payload(intent: str, **entities: Any) -> str:
    """A button payload that Rasa parses without the NLU pipeline."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def choice_payload(value: str) -> str:
    return payload(CHOOSE_INTENT, **{CHOICE_ENTITY: value})


def chosen_value(tracker: Tracker) -> str | None:
    """The value of a pressed button (intent ``choose``), if the last message was one."""
    if tracker.get_intent_of_latest_message() != CHOOSE_INTENT:
        return None
    value = next(tracker.get_latest_entity_values(CHOICE_ENTITY), None)
    return str(value) if value is not None else None


def latest_intent(tracker: Tracker) -> tuple:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


class Reply:
    """Sends texts in the conversation's language."""

    def __init__(self, dispatcher: CollectingDispatcher, lang: str):
        self.dispatcher = dispatcher
        self.lang = lang

    def t(self, message: str, **values: object) -> str:
        return translate(self.lang, message, **values)

    def say(self, message: str, buttons: Sequence[dict[str, str]] = (), **values: object) -> None:
        self.send(self.t(message, **values), buttons)

    def send(
        self,
        text: str,
        buttons: Sequence[dict[str, str]] = (),
        links: Sequence[dict[str, str]] = (),
    ) -> None:
        custom = {"links": list(links), "lang": self.lang} if links else None
        if custom:
            # The portal shows links (tel:, https:) from the custom part; text carries them too.
            self.dispatcher.utter_message(text=text, buttons=list(buttons), json_message=custom)
        else:
            self.dispatcher.utter_message(text=text, buttons=list(buttons))

    def button(self, title: str, payload_text: str, **values: object) -> dict[str, str]:
        return {"title": self.t(title, **values), "payload": payload_text}


MENU = (
    (N_("Book an appointment"), "book_appointment"),
    (N_("Find the right service"), "find_service"),
    (N_("Talk to a person"), "talk_to_human"),
    (N_("Emergency numbers"), "emergency"),
    (N_("Privacy"), "privacy"),
)

LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "uk": "Українська",
}


def menu_buttons(reply: Reply) -> list[dict[str, str]]:
    return [reply.button(title, payload(intent)) for title, intent in MENU]


def language_buttons() -> list[dict[str, str]]:
    return [
        {"title": name, "payload": payload("change_language", language=code)}
        for code, name in LANGUAGE_NAMES.items()
    ]


class LotseAction(Action, metaclass=abc.ABCMeta):
    """An action answering in the conversation's language.

    Subclasses implement ``respond``. A note about answering Russian in Ukrainian is
    given once, before the first answer after a Russian message.
    """

    # Abstract, so that the action server does not register this base class as an action.
    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    async def respond(
        self, reply: Reply, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, conversation_language(tracker))
        events: list[EventType] = []
        if tracker.get_slot("russian_note_due"):
            reply.send(translate("uk", RUSSIAN_NOTE), language_buttons())
            events.append(SlotSet("russian_note_due", False))
        return events + list(await self.respond(reply, tracker, domain) or [])
