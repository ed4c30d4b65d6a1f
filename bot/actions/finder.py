"""find_service and talk_to_human: a short form (area, age, residence status, housing; each
skippable), then the responsible services from the portal's finder with hours and open-now."""

from __future__ import annotations

from typing import Any

from lotse_nlu.normalize import normalize
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import portal_api
from .common import (
    LotseAction,
    Reply,
    choice_payload,
    chosen_value,
    conversation_language,
    payload,
)
from .forms import NOT_UNDERSTOOD, SKIP, skip_button, wants_digression
from .services import service_text
from .texts import N_
from .topics import UNAVAILABLE

FINDER_SLOTS = ("finder_area", "finder_age", "finder_status", "finder_housing")
RESIDENCE_STATUSES = {
    "asylum-seeker": N_("Asylum seeker (Aufenthaltsgestattung)"),
    "duldung": N_("Duldung"),
    "temporary-protection": N_("Temporary protection (§24, e.g. from Ukraine)"),
    "protection-status": N_("Recognised refugee or protection status"),
    "residence-permit": N_("Other residence permit"),
    "settlement-permit": N_("Settlement permit"),
    "late-repatriate": N_("Late repatriate (Spätaussiedler)"),
    "eu-citizen": N_("EU citizen"),
    "german-citizen": N_("German citizen"),
}
HOUSING = {
    "communal-accommodation": N_("Shared accommodation (Gemeinschaftsunterkunft)"),
    "transitional-flat": N_("Transitional flat"),
    "own-flat": N_("My own flat"),
    "other": N_("Other"),
}
MAX_SERVICES = 3


def _parse_age(text: str) -> int | None:
    digits = "".join(c for c in normalize(text) if c.isdigit())
    if not digits or len(digits) > 3:
        return None
    age = int(digits)
    return age if 0 <= age <= 120 else None


class ActionAskFinderArea(LotseAction):
    def name(self) -> str:
        return "action_ask_finder_area"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            areas = (await portal_api.get("/areas", reply.lang)).get("areas", [])
        except (portal_api.PortalUnavailable, LookupError):
            areas = []
        buttons = [{"title": a["name"], "payload": choice_payload(a["slug"])} for a in areas]
        reply.say("Where do you live? (You can skip any question.)", [*buttons, skip_button(reply)])
        return []


class ActionAskFinderAge(LotseAction):
    def name(self) -> str:
        return "action_ask_finder_age"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reply.say("How old are you? Please write a number.", [skip_button(reply)])
        return []


class ActionAskFinderStatus(LotseAction):
    def name(self) -> str:
        return "action_ask_finder_status"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = [
            reply.button(label, choice_payload(code)) for code, label in RESIDENCE_STATUSES.items()
        ]
        reply.say("What is your residence status?", [*buttons, skip_button(reply)])
        return []


class ActionAskFinderHousing(LotseAction):
    def name(self) -> str:
        return "action_ask_finder_housing"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = [reply.button(label, choice_payload(code)) for code, label in HOUSING.items()]
        reply.say("Where do you live now?", [*buttons, skip_button(reply)])
        return []


class ValidateFinderForm(Action):
    def name(self) -> str:
        return "validate_finder_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in FINDER_SLOTS:
            return []
        value = self._answer(requested, tracker)
        if value is not None:
            return [SlotSet(requested, value)]
        if wants_digression(tracker):
            return []  # the rules answer the question, then the form asks again
        reply = Reply(dispatcher, conversation_language(tracker))
        reply.say(NOT_UNDERSTOOD)
        return [SlotSet(requested, None)]

    @staticmethod
    def _answer(slot: str, tracker: Tracker) -> str | None:
        chosen = chosen_value(tracker)
        text = tracker.latest_message.get("text") or ""
        if chosen == SKIP:
            return SKIP
        if slot == "finder_age":
            age = _parse_age(text) if chosen is None else None
            return str(age) if age is not None else None
        allowed = {"finder_status": RESIDENCE_STATUSES, "finder_housing": HOUSING}.get(slot)
        if chosen is not None and (allowed is None or chosen in allowed):
            return chosen
        return None


def _finder_params(tracker: Tracker) -> dict[str, Any]:
    names = {
        "finder_area": "area",
        "finder_age": "age",
        "finder_status": "status",
        "finder_housing": "housing",
    }
    params = {}
    for slot, name in names.items():
        value = tracker.get_slot(slot)
        if value and value != SKIP:
            params[name] = value
    return params


class ActionFindService(LotseAction):
    def name(self) -> str:
        return "action_find_service"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        params = _finder_params(tracker)
        try:
            results = (await portal_api.get("/finder", reply.lang, **params)).get("results", [])
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return []
        if not results:
            reply.say(
                "I found no service for these answers. "
                "A counsellor of the migration counselling can still advise you."
            )
        else:
            reply.say("These services are responsible for you:")
        for result in results[:MAX_SERVICES]:
            text, links = service_text(reply, result["service"], params.get("area", ""))
            reply.send(text, links=links)
        reply.say(
            "Would you like an appointment?",
            [
                reply.button(N_("Book an appointment"), payload("book_appointment")),
                reply.button(N_("Change my answers"), payload("find_service")),
            ],
        )
        return [SlotSet("offer", "book")]


class ActionStartFinder(Action):
    """find_service: forget earlier answers and ask again (each question can be skipped)."""

    def name(self) -> str:
        return "action_start_finder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet(slot, None) for slot in FINDER_SLOTS]


class ActionTalkToHuman(LotseAction):
    """Phone and hours of the responsible office; asks the finder questions first if needed."""

    def name(self) -> str:
        return "action_talk_to_human"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not any(tracker.get_slot(slot) for slot in FINDER_SLOTS):
            reply.say(
                "The counsellors can be reached by phone during opening hours, or you can book an "
                "appointment. To give you the right office, I have a few short questions."
            )
            return [FollowupAction("finder_form")]
        return [FollowupAction("action_find_service")]
