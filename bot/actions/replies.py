"""Answers that need no booking: greeting, help, emergency, privacy, language, clarification."""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from .common import (
    LANGUAGE_NAMES,
    OFFER_SLOT,
    LotseAction,
    Reply,
    language_buttons,
    menu_buttons,
    payload,
)
from .language import named_language
from .texts import N_

EMERGENCY_NUMBERS = (
    ("112", "tel:112", N_("fire brigade and ambulance")),
    ("110", "tel:110", N_("police")),
    (
        "116 016",
        "tel:116016",
        N_("help for women facing violence – free, day and night, in many languages"),
    ),
    (
        "0800 111 0 111",
        "tel:08001110111",
        N_("crisis line (Telefonseelsorge) – free, day and night"),
    ),
)

INTENT_LABELS = {
    "greet": N_("Say hello"),
    "goodbye": N_("Say goodbye"),
    "thank": N_("Say thank you"),
    "affirm": N_("Yes"),
    "deny": N_("No"),
    "bot_challenge": N_("Am I talking to a person?"),
    "help": N_("What can you do?"),
    "out_of_scope": N_("Something else"),
    "change_language": N_("Change the language"),
    "book_appointment": N_("Book an appointment"),
    "manage_appointment": N_("My appointment: cancel or change"),
    "talk_to_human": N_("Talk to a person"),
    "emergency": N_("Emergency numbers"),
    "privacy": N_("Privacy"),
    "find_service": N_("Find the right service"),
    "ask_asylum_procedure": N_("Asylum procedure"),
    "ask_residence_status": N_("Residence status"),
    "ask_family_reunification": N_("Family reunification"),
    "ask_benefits": N_("Money and benefits"),
    "ask_housing": N_("Housing"),
    "ask_health": N_("Health"),
    "ask_psychosocial_support": N_("Stress and mental health"),
    "ask_work": N_("Work"),
    "ask_language_courses": N_("German courses"),
    "ask_school_childcare": N_("School and childcare"),
    "ask_legal_advice": N_("Legal advice"),
    "ask_discrimination": N_("Discrimination"),
    "ask_violence_protection": N_("Protection from violence"),
    "ask_return": N_("Return to your country"),
    "ask_registration_documents": N_("Registration and documents"),
}
NOT_OFFERED_AS_GUESS = {
    "nlu_fallback",
    "affirm",
    "deny",
    "greet",
    "thank",
    "goodbye",
    "out_of_scope",
}


def chat_retention_hours() -> int:
    return int(os.environ.get("LOTSE_CHAT_RETENTION_HOURS", "24"))


class ActionGreet(LotseAction):
    def name(self) -> str:
        return "action_greet"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "Hello! I am Lotse, the assistant of the migration counselling services in Landkreis "
            "Elbe-Elster. Ask me in your own words, for example about your residence permit, "
            "money, a flat or German courses. I can also book an appointment with a counsellor.",
            menu_buttons(reply),
        )
        return []


class ActionGoodbye(LotseAction):
    def name(self) -> str:
        return "action_goodbye"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say("Goodbye! You can write again at any time.")
        return [SlotSet(OFFER_SLOT, None)]


class ActionThank(LotseAction):
    def name(self) -> str:
        return "action_thank"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say("You are welcome! Is there anything else I can help with?", menu_buttons(reply))
        return []


class ActionHelp(LotseAction):
    def name(self) -> str:
        return "action_help"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "I answer questions about living in the district: asylum procedure, residence, "
            "family reunification, money, housing, health, work, German courses, school and "
            "childcare, legal advice, discrimination, protection from violence, return and "
            "documents. Just write your question. I can also find the service responsible for "
            "you and book an appointment.",
            menu_buttons(reply),
        )
        return []


class ActionBotChallenge(LotseAction):
    def name(self) -> str:
        return "action_bot_challenge"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "I am a computer program (a chatbot), not a person. A counsellor can talk to you: "
            "book an appointment or ask for the office's phone number.",
            [
                reply.button(N_("Book an appointment"), payload("book_appointment")),
                reply.button(N_("Talk to a person"), payload("talk_to_human")),
            ],
        )
        return []


class ActionOutOfScope(LotseAction):
    def name(self) -> str:
        return "action_out_of_scope"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "Sorry, I cannot help with that. I know about living in the district as a newcomer: "
            "residence, money, housing, health, work, school, courses and where to get advice.",
            menu_buttons(reply),
        )
        return []


def emergency_text(reply: Reply) -> tuple:
    lines = [reply.t("If you or someone else is in danger now, call for help. The calls are free:")]
    links = []
    for number, href, label in EMERGENCY_NUMBERS:
        lines.append(f"📞 {number} – {reply.t(label)}")
        links.append({"title": f"{number} – {reply.t(label)}", "href": href})
    return "\n".join(lines), links


class ActionEmergency(LotseAction):
    """Answers at once, without asking the portal anything, in the conversation's language."""

    def name(self) -> str:
        return "action_emergency"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text, links = emergency_text(reply)
        reply.send(text, links=links)
        if tracker.active_loop.get("name"):
            reply.say("I am still here. When you are safe, we can continue where we stopped.")
        else:
            reply.say(
                "I am still here. When you are safe, we can continue.",
                [
                    reply.button(N_("Talk to a person"), payload("talk_to_human")),
                    reply.button(
                        N_("Protection from violence"), payload("ask_violence_protection")
                    ),
                    reply.button(
                        N_("Stress and mental health"), payload("ask_psychosocial_support")
                    ),
                ],
            )
        return []


class ActionPrivacy(LotseAction):
    def name(self) -> str:
        return "action_privacy"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say(
            "Your privacy: this chat keeps the text of your messages for {hours} hours, so that "
            "the conversation can go on; then the texts are deleted. For statistics we only count "
            "topics and languages, never texts. Nothing you write here goes to the immigration "
            "office or any other authority.",
            hours=chat_retention_hours(),
        )
        reply.say(
            "When you book an appointment, the counselling service keeps the booking (and your "
            "phone or e-mail if you give them) only with your consent and deletes it after the "
            "appointment. The link in your booking confirmation shows everything stored about "
            "you; there you can withdraw your consent and delete it all."
        )
        return []


class ActionChangeLanguage(LotseAction):
    """The language slot was already changed by action_track_language; confirm or ask."""

    def name(self) -> str:
        return "action_change_language"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        named = named_language(tracker.latest_message.get("text") or "")
        entity = next(tracker.get_latest_entity_values("language"), None)
        if _changed_this_turn(tracker.events) or reply.lang in (named, entity):
            reply.say(
                "From now on I write in {language}. Ask me anything.",
                menu_buttons(reply),
                language=LANGUAGE_NAMES[reply.lang],
            )
        else:
            reply.say("Which language would you like?", language_buttons())
        return []


def _changed_this_turn(events: list[dict[str, Any]]) -> bool:
    """Whether the language slot was set after the latest user message."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "language":
            return True
    return False


class ActionClarify(LotseAction):
    """Low confidence: offer the two most likely meanings as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        guesses = [
            entry["name"]
            for entry in ranking
            if entry.get("name") in INTENT_LABELS and entry["name"] not in NOT_OFFERED_AS_GUESS
        ][:2]
        buttons = [reply.button(INTENT_LABELS[name], payload(name)) for name in guesses]
        buttons.append(reply.button(N_("Something else"), payload("help")))
        reply.say("I am not sure I understood. Did you mean one of these?", buttons)
        return []
