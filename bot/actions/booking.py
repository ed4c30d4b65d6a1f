"""book_appointment as a form in the chat, then manage_appointment and the pre-intake offer.

Steps: topic → service → office → mode → free time (real slots as buttons, counsellors who
speak the client's language first) → contact (optional) → interpreter → consent (purpose 1)
→ confirm → booked through the portal API. Steps with one possible answer fill themselves.
A weekday or time named later ("no, Tuesday") reopens the time step with that day.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import portal_api
from .common import (
    OFFER_SLOT,
    LotseAction,
    Offer,
    Reply,
    choice_payload,
    chosen_value,
    conversation_language,
    latest_intent,
    menu_buttons,
)
from .forms import (
    NOT_UNDERSTOOD,
    SKIP,
    match_option,
    mentioned_time,
    mentioned_weekday,
    skip_button,
    wants_digression,
)
from .texts import N_
from .topics import UNAVAILABLE, topic_slug

BOOKING_SLOTS = (
    "booking_topic",
    "booking_service",
    "booking_office",
    "booking_mode",
    "booking_slot",
    "booking_contact",
    "booking_interpreter",
    "booking_consent",
    "booking_confirm",
)
HELPER_SLOTS = (
    "booking_type",
    "booking_first_visit",
    "booking_day",
    "booking_options",
    "booking_later",
)
OTHER = "other"
CONFIRM, CHANGE_TIME, CANCEL = "confirm", "change_time", "cancel"
NO_INTERPRETER = "none"
MAX_SLOT_BUTTONS = 6
SLOT_WINDOW_DAYS = 14
MODES = {
    "in_person": N_("In person at the office"),
    "phone": N_("By phone"),
    "video": N_("By video call"),
}
WEEKDAYS_LONG = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[\d\s/()-]{6,}")
AFFIRM, DENY = "affirm", "deny"
# Consent purposes of the portal (portal/constants.py ConsentPurpose).
ARRANGE, SHARE_SUMMARY, SPECIAL_CATEGORIES = (
    "arrange-appointment",
    "share-summary",
    "special-categories",
)


def _is_time(value: str) -> bool:
    try:
        return dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _options(pairs: list[tuple]) -> list[list[str]]:
    return [[value, title] for value, title in pairs]


def _buttons(options: list[list[str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": choice_payload(value)} for value, title in options]


def slot_label(reply: Reply, local_start: str) -> str:
    start = dt.datetime.fromisoformat(local_start)
    return f"{reply.t(WEEKDAYS_LONG[start.weekday()])} {start:%d.%m.} {start:%H:%M}"


async def _bookable_services(lang: str) -> list[dict[str, Any]]:
    return (await portal_api.get("/booking/services", lang)).get("services", [])


def _service(services: list[dict[str, Any]], slug: str | None) -> dict[str, Any] | None:
    return next((s for s in services if s["slug"] == slug), None)


def _first_visit_type(service: dict[str, Any]) -> dict[str, Any]:
    types = service.get("types") or []
    return next((t for t in types if t.get("first_visit")), types[0] if types else {})


# --- asking -------------------------------------------------------------------------------


class _Ask(LotseAction):
    """Asks one step; remembers the offered options so that "2" or a typed title works."""

    @abc.abstractmethod
    async def options(self, reply: Reply, tracker: Tracker) -> list[list[str]] | None: ...

    question = ""
    skippable = False

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            options = await self.options(reply, tracker)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return [SlotSet("booking_options", [])]
        buttons = _buttons(options or [])
        if self.skippable:
            buttons.append(skip_button(reply))
        reply.say(self.question, buttons)
        return [SlotSet("booking_options", options or [])]


class ActionAskBookingTopic(_Ask):
    question = N_(
        "What would you like to talk about? Choose a topic or write it in your own words."
    )

    def name(self) -> str:
        return "action_ask_booking_topic"

    async def options(self, reply: Reply, tracker: Tracker) -> list[list[str]]:
        topics = (await portal_api.get("/topics", reply.lang)).get("topics", [])
        return _options(
            [(t["slug"], t["title"]) for t in topics] + [(OTHER, reply.t("Something else"))]
        )


class ActionAskBookingService(_Ask):
    question = N_("Which counselling service would you like to see?")

    def name(self) -> str:
        return "action_ask_booking_service"

    async def options(self, reply: Reply, tracker: Tracker) -> list[list[str]]:
        services = await _bookable_services(reply.lang)
        wanted = await _services_for_topic(reply.lang, tracker.get_slot("booking_topic"))
        chosen = [s for s in services if s["slug"] in wanted] or services
        return _options([(s["slug"], s["name"]) for s in chosen])


async def _services_for_topic(lang: str, topic: str | None) -> list[str]:
    if not topic or topic in (OTHER, SKIP):
        return []
    try:
        return list((await portal_api.get(f"/topics/{topic}", lang)).get("services", []))
    except LookupError:
        return []


class ActionAskBookingOffice(_Ask):
    question = N_("Which office suits you?")

    def name(self) -> str:
        return "action_ask_booking_office"

    async def options(self, reply: Reply, tracker: Tracker) -> list[list[str]]:
        service = (
            _service(await _bookable_services(reply.lang), tracker.get_slot("booking_service"))
            or {}
        )
        offices = sorted(
            service.get("offices", []), key=lambda o: reply.lang not in (o.get("languages") or [])
        )
        return _options([(o["slug"], f"{o['name']} ({o['city']})") for o in offices])


class ActionAskBookingMode(_Ask):
    question = N_("How would you like to talk?")

    def name(self) -> str:
        return "action_ask_booking_mode"

    async def options(self, reply: Reply, tracker: Tracker) -> list[list[str]]:
        service = (
            _service(await _bookable_services(reply.lang), tracker.get_slot("booking_service"))
            or {}
        )
        kind = next(
            (t for t in service.get("types", []) if t["slug"] == tracker.get_slot("booking_type")),
            {},
        )
        return _options([(m, reply.t(MODES.get(m, m))) for m in kind.get("modes", [])])


async def free_slots(tracker: Tracker, lang: str, day: int | None = None) -> list[dict[str, Any]]:
    """Free times for the chosen service, office and mode; the client's language first."""
    today = dt.date.today()
    first = today + dt.timedelta(days=SLOT_WINDOW_DAYS if tracker.get_slot("booking_later") else 0)
    slots = (
        await portal_api.get(
            "/booking/slots",
            lang,
            service=tracker.get_slot("booking_service"),
            type=tracker.get_slot("booking_type"),
            office=tracker.get_slot("booking_office"),
            mode=tracker.get_slot("booking_mode"),
            **{
                "from": first.isoformat(),
                "to": (first + dt.timedelta(days=SLOT_WINDOW_DAYS - 1)).isoformat(),
            },
        )
    ).get("slots", [])
    day = tracker.get_slot("booking_day") if day is None else day
    if day is not None:
        slots = [
            s for s in slots if dt.datetime.fromisoformat(s["local_start"]).weekday() == int(day)
        ]
    # Stable: within each group the earliest first.
    return sorted(slots, key=lambda s: (not s.get("speaks_language"), s["start"]))


class ActionAskBookingSlot(LotseAction):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            slots = await free_slots(tracker, reply.lang)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return [SlotSet("booking_options", [])]
        shown = sorted(slots[:MAX_SLOT_BUTTONS], key=lambda s: s["start"])
        options = [[s["start"], slot_label(reply, s["local_start"])] for s in shown]
        buttons = _buttons(options)
        buttons.append(reply.button(N_("Later dates"), choice_payload("later")))
        if tracker.get_slot("booking_day") is not None:
            buttons.append(reply.button(N_("Any day"), choice_payload("any_day")))
        if options:
            reply.say("These times are free. Which one suits you?", buttons)
        else:
            reply.say(
                "There is no free time in these two weeks. Look at later dates or another office.",
                buttons,
            )
        return [SlotSet("booking_options", options)]


class ActionAskBookingContact(LotseAction):
    def name(self) -> str:
        return "action_ask_booking_contact"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("booking_mode") == "phone":
            reply.say(
                "Which phone number should the counsellor call? "
                "(It is used only for this appointment.)"
            )
            return []
        reply.say(
            "If you like, write your phone number or e-mail address, so that the office can tell "
            "you about changes. It is used only for this appointment. You can skip this.",
            [skip_button(reply)],
        )
        return []


class ActionAskBookingInterpreter(LotseAction):
    def name(self) -> str:
        return "action_ask_booking_interpreter"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from .common import LANGUAGE_NAMES

        buttons = [reply.button(N_("No interpreter needed"), choice_payload(NO_INTERPRETER))]
        if reply.lang != "de":
            buttons.insert(
                0,
                reply.button(
                    N_("Yes, an interpreter for {language}"),
                    choice_payload(reply.lang),
                    language=LANGUAGE_NAMES[reply.lang],
                ),
            )
        reply.say("Do you need an interpreter at the appointment?", buttons)
        return []


def consent_text(text: dict[str, Any]) -> str:
    """The consent text for a chat: Markdown emphasis removed, paragraphs kept."""
    body = re.sub(r"[*_]{2}(.+?)[*_]{2}", r"\1", text["body_markdown"].strip())
    return f"{text['title']}\n\n{body}"


def ask_consent(reply: Reply, text: dict[str, Any]) -> None:
    """The consent text, then its label with "I agree" (bound to this version) and "I do not"."""
    reply.send(consent_text(text))
    reply.send(
        text["label"],
        [
            reply.button(N_("I agree"), choice_payload(f"agree:{text['version']}")),
            reply.button(N_("I do not agree"), choice_payload("disagree")),
        ],
    )


async def current_consent(lang: str, purpose: str) -> dict[str, Any]:
    texts = (await portal_api.get("/consent-texts", lang)).get("texts", [])
    return next(t for t in texts if t["purpose"] == purpose)


class ActionAskBookingConsent(LotseAction):
    def name(self) -> str:
        return "action_ask_booking_consent"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            text = await current_consent(reply.lang, ARRANGE)
        except (portal_api.PortalUnavailable, LookupError, StopIteration):
            reply.say(UNAVAILABLE)
            return []
        ask_consent(reply, text)
        return []


class ActionAskBookingConfirm(LotseAction):
    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            services = await _bookable_services(reply.lang)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return []
        service = _service(services, tracker.get_slot("booking_service")) or {}
        office = next(
            (
                o
                for o in service.get("offices", [])
                if o["slug"] == tracker.get_slot("booking_office")
            ),
            {},
        )
        start = tracker.get_slot("booking_slot") or ""
        local = dt.datetime.fromisoformat(start).astimezone(_berlin()).isoformat() if start else ""
        lines = [
            reply.t("Please check your appointment:"),
            f"• {service.get('name', '')}",
            f"• {office.get('name', '')} ({office.get('city', '')})",
            f"• {reply.t(MODES.get(tracker.get_slot('booking_mode') or '', ''))}",
            f"• {slot_label(reply, local)}" if local else "",
        ]
        interpreter = tracker.get_slot("booking_interpreter")
        if interpreter and interpreter != NO_INTERPRETER:
            from .common import LANGUAGE_NAMES

            lines.append(
                "• "
                + reply.t(
                    "Interpreter: {language}", language=LANGUAGE_NAMES.get(interpreter, interpreter)
                )
            )
        reply.send(
            "\n".join(line for line in lines if line),
            [
                reply.button(N_("Book now"), choice_payload(CONFIRM)),
                reply.button(N_("Another time"), choice_payload(CHANGE_TIME)),
                reply.button(N_("Cancel"), choice_payload(CANCEL)),
            ],
        )
        return []


def _berlin() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


# --- validating ---------------------------------------------------------------------------


class ValidateBookingForm(Action):
    """Reads each answer; a question instead of an answer is left to the rules (digression)."""

    def name(self) -> str:
        return "validate_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in BOOKING_SLOTS:
            return []
        reply = Reply(dispatcher, conversation_language(tracker))
        intent, _ = latest_intent(tracker)
        if intent == "emergency":
            return []  # the emergency rule answers at once; the form asks again afterwards
        correction = self._day_correction(requested, tracker)
        if correction is not None:
            return correction
        try:
            events = await getattr(self, f"_answer_{requested}")(reply, tracker)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return [SlotSet(requested, None)]
        if events is not None:
            return events
        if wants_digression(tracker):
            return []
        reply.say(NOT_UNDERSTOOD)
        return [SlotSet(requested, None)]

    # A weekday named after the time was chosen ("no, Tuesday") goes back to the time step.
    def _day_correction(self, requested: str, tracker: Tracker) -> list[EventType] | None:
        if chosen_value(tracker) is not None:
            return None
        text = tracker.latest_message.get("text") or ""
        steps = list(BOOKING_SLOTS)
        if steps.index(requested) <= steps.index("booking_slot"):
            return None
        day = mentioned_weekday(text)
        if day is None:
            return None
        return [
            SlotSet("booking_day", day),
            SlotSet("booking_slot", None),
            SlotSet("booking_confirm", None),
            SlotSet("booking_later", None),
        ]

    @staticmethod
    def _typed_or_chosen(tracker: Tracker) -> str | None:
        chosen = chosen_value(tracker)
        if chosen is not None:
            return chosen
        options = tracker.get_slot("booking_options") or []
        return match_option(tracker.latest_message.get("text") or "", options)

    async def _answer_booking_topic(self, reply: Reply, tracker: Tracker) -> list[EventType] | None:
        value = self._typed_or_chosen(tracker)
        intent, confidence = latest_intent(tracker)
        if value is None and topic_slug(intent) and confidence >= 0.5:
            value = topic_slug(intent)
        if value is None:
            return None
        events: list[EventType] = [SlotSet("booking_topic", value)]
        services = await _bookable_services(reply.lang)
        wanted = await _services_for_topic(reply.lang, value)
        candidates = [s for s in services if s["slug"] in wanted] or services
        if len(candidates) == 1:
            events += self._service_events(candidates[0])
        return events

    def _service_events(self, service: dict[str, Any]) -> list[EventType]:
        kind = _first_visit_type(service)
        events: list[EventType] = [
            SlotSet("booking_service", service["slug"]),
            SlotSet("booking_type", kind.get("slug")),
            SlotSet("booking_first_visit", bool(kind.get("first_visit"))),
        ]
        if len(service.get("offices", [])) == 1:
            events.append(SlotSet("booking_office", service["offices"][0]["slug"]))
        if len(kind.get("modes", [])) == 1:
            events.append(SlotSet("booking_mode", kind["modes"][0]))
        return events

    async def _answer_booking_service(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        service = _service(await _bookable_services(reply.lang), self._typed_or_chosen(tracker))
        return self._service_events(service) if service else None

    async def _answer_booking_office(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        service = (
            _service(await _bookable_services(reply.lang), tracker.get_slot("booking_service"))
            or {}
        )
        value = self._typed_or_chosen(tracker)
        if value in {o["slug"] for o in service.get("offices", [])}:
            return [SlotSet("booking_office", value)]
        return None

    async def _answer_booking_mode(self, reply: Reply, tracker: Tracker) -> list[EventType] | None:
        value = self._typed_or_chosen(tracker)
        return [SlotSet("booking_mode", value)] if value in MODES else None

    async def _answer_booking_slot(self, reply: Reply, tracker: Tracker) -> list[EventType] | None:
        chosen = chosen_value(tracker)
        if chosen == "later":
            return [SlotSet("booking_later", True), SlotSet("booking_slot", None)]
        if chosen == "any_day":
            return [SlotSet("booking_day", None), SlotSet("booking_slot", None)]
        options = tracker.get_slot("booking_options") or []
        if chosen is not None:
            # A time button, also one shown earlier: the portal checks at booking that it is free.
            return (
                [SlotSet("booking_slot", chosen), SlotSet("booking_day", None)]
                if _is_time(chosen)
                else None
            )
        text = tracker.latest_message.get("text") or ""
        picked = match_option(text, options) if chosen is None else None
        if picked:
            return [SlotSet("booking_slot", picked), SlotSet("booking_day", None)]
        day, time = mentioned_weekday(text), mentioned_time(text)
        if day is None and time is None:
            return None
        # A weekday named: all free times of that day, not only the ones shown.
        slots = await free_slots(tracker, reply.lang, day=day)
        if time is not None:
            slots = [
                s
                for s in slots
                if dt.datetime.fromisoformat(s["local_start"]).timetz().replace(tzinfo=None)
                == dt.time(*time)
            ]
        if len(slots) == 1 and time is not None:
            return [SlotSet("booking_slot", slots[0]["start"]), SlotSet("booking_day", None)]
        if day is not None:
            return [SlotSet("booking_day", day), SlotSet("booking_slot", None)]
        reply.say("That time is not free. Please choose one of the free times.")
        return [SlotSet("booking_slot", None)]

    async def _answer_booking_contact(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        chosen = chosen_value(tracker)
        phone_needed = tracker.get_slot("booking_mode") == "phone"
        if chosen == SKIP and not phone_needed:
            return [SlotSet("booking_contact", {})]
        text = (tracker.latest_message.get("text") or "").strip()
        email = _EMAIL.search(text)
        phone = _PHONE.search(text)
        contact: dict[str, str] = {}
        if email:
            contact["email"] = email.group(0)
        if phone and sum(c.isdigit() for c in phone.group(0)) >= 6:
            contact["phone"] = phone.group(0).strip()
        if phone_needed and "phone" not in contact:
            return None
        return [SlotSet("booking_contact", contact)] if contact else None

    async def _answer_booking_interpreter(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        chosen = chosen_value(tracker)
        intent, _ = latest_intent(tracker)
        if chosen in (NO_INTERPRETER, "de") or (chosen is None and intent == DENY):
            return [SlotSet("booking_interpreter", NO_INTERPRETER)]
        if chosen in ("en", "ar", "fa", "uk") or (chosen is None and intent == AFFIRM):
            wanted = chosen or reply.lang
            return [SlotSet("booking_interpreter", NO_INTERPRETER if wanted == "de" else wanted)]
        return None

    async def _answer_booking_consent(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        chosen = chosen_value(tracker) or ""
        intent, _ = latest_intent(tracker)
        if chosen.startswith("agree:"):
            return [SlotSet("booking_consent", chosen.split(":", 1)[1])]
        if chosen == "disagree" or intent == DENY:
            reply.say(
                "Without this consent I cannot book the appointment, because the office has to "
                "store it. You can call the office instead, or agree and withdraw later.",
            )
            return [SlotSet("booking_consent", None)]
        if intent == AFFIRM:
            text = await current_consent(reply.lang, ARRANGE)
            return [SlotSet("booking_consent", text["version"])]
        return None

    async def _answer_booking_confirm(
        self, reply: Reply, tracker: Tracker
    ) -> list[EventType] | None:
        chosen = chosen_value(tracker)
        intent, _ = latest_intent(tracker)
        if chosen == CONFIRM or (chosen is None and intent == AFFIRM):
            return [SlotSet("booking_confirm", CONFIRM)]
        if chosen == CHANGE_TIME:
            return [SlotSet("booking_slot", None), SlotSet("booking_confirm", None)]
        if chosen == CANCEL:
            return [FollowupAction("action_stop_form")]
        return None


# --- booking --------------------------------------------------------------------------------


class ActionPrepareBooking(Action):
    """Starts a new booking: forgets an earlier unfinished one, takes the topic if known."""

    def name(self) -> str:
        return "action_prepare_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet(s, None) for s in BOOKING_SLOTS + HELPER_SLOTS]
        topic = next(tracker.get_latest_entity_values("topic"), None) or tracker.get_slot(
            "last_topic"
        )
        if topic:
            events.append(SlotSet("booking_topic", topic))
        return [*events, SlotSet(OFFER_SLOT, None)]


def idempotency_key(tracker: Tracker) -> str:
    """The same choices in the same conversation give the same key: a double tap books once."""
    parts = [tracker.sender_id, str(len(tracker.get_slot("bookings") or []))]
    parts += [
        str(tracker.get_slot(s))
        for s in ("booking_service", "booking_office", "booking_mode", "booking_slot")
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def booking_body(tracker: Tracker) -> dict[str, Any]:
    contact = tracker.get_slot("booking_contact") or {}
    topic = tracker.get_slot("booking_topic")
    interpreter = tracker.get_slot("booking_interpreter")
    return {
        "service": tracker.get_slot("booking_service"),
        "type": tracker.get_slot("booking_type"),
        "office": tracker.get_slot("booking_office"),
        "mode": tracker.get_slot("booking_mode"),
        "start": tracker.get_slot("booking_slot"),
        "topics": [topic] if topic and topic not in (OTHER, SKIP) else [],
        "interpreter_language": "" if interpreter in (None, NO_INTERPRETER) else interpreter,
        "phone": contact.get("phone", ""),
        "email": contact.get("email", ""),
        "consent_version": tracker.get_slot("booking_consent"),
    }


# The step to ask again when the portal refuses a field.
FIELD_SLOTS = {
    "start": "booking_slot",
    "phone": "booking_contact",
    "email": "booking_contact",
    "consent_version": "booking_consent",
    "interpreter_language": "booking_interpreter",
}


class ActionSubmitBooking(LotseAction):
    def name(self) -> str:
        return "action_submit_booking"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            status, result = await portal_api.request(
                "POST",
                "/bookings",
                reply.lang,
                body=booking_body(tracker),
                idempotency_key=idempotency_key(tracker),
            )
        except portal_api.PortalUnavailable:
            reply.say(
                "I could not reach the booking system. "
                "Your choices are kept – please try again in a moment.",
                [reply.button(N_("Try again"), choice_payload("retry_booking"))],
            )
            return [SlotSet(OFFER_SLOT, "retry_booking")]
        if status in (200, 201):
            return self._booked(reply, tracker, result)
        error = result.get("error") or {}
        reply.send(error.get("message") or reply.t(NOT_UNDERSTOOD))
        slot = FIELD_SLOTS.get(error.get("field") or "", "booking_slot")
        if error.get("code"):  # a problem with the time (taken, too late): choose again
            slot = "booking_slot"
        return [
            SlotSet(slot, None),
            SlotSet("booking_confirm", None),
            FollowupAction("booking_form"),
        ]

    def _booked(self, reply: Reply, tracker: Tracker, result: dict[str, Any]) -> list[EventType]:
        local = slot_label(reply, result["local_start"])
        text = reply.t(
            "Your appointment is booked: {time}. Your booking code is {code}. "
            "Here you can see, move or cancel it and add it to your calendar: {url}",
            time=local,
            code=result["code"],
            url=result["manage_url"],
        )
        if result.get("demo"):
            text += "\n" + reply.t(
                "(Demo data: this office and appointment are examples, not real.)"
            )
        reply.send(text)
        bookings = list(tracker.get_slot("bookings") or [])
        bookings.append(
            {key: result[key] for key in ("code", "token", "manage_url", "prepare_url")}
        )
        events: list[EventType] = [SlotSet("bookings", bookings)]
        events += [SlotSet(s, None) for s in BOOKING_SLOTS + HELPER_SLOTS]
        if tracker.get_slot("booking_first_visit"):
            reply.say(
                "Would you like to tell the counsellor beforehand what it is about? It takes about "
                "five minutes, every question can be skipped, "
                "and nothing is shared without your consent.",
                [
                    reply.button(N_("Yes, start here in the chat"), choice_payload("prepare_chat")),
                    reply.button(N_("Yes, in the portal"), choice_payload("prepare_portal")),
                    reply.button(N_("No, thank you"), choice_payload("prepare_no")),
                ],
            )
            events.append(SlotSet(OFFER_SLOT, Offer.PREPARE))
        else:
            reply.say("Is there anything else I can help with?", menu_buttons(reply))
            events.append(SlotSet(OFFER_SLOT, None))
        return events
