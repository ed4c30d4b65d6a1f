"""Answers to the assistant's own offers ("Would you like to …?"), by button or typed yes/no:
booking, the pre-intake with its consents (purposes 2 and 3) in the chat, retry; and
manage_appointment for bookings made in this conversation."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.types import DomainDict

from . import portal_api
from .booking import SHARE_SUMMARY, SPECIAL_CATEGORIES, ask_consent, current_consent, slot_label
from .common import (
    OFFER_SLOT,
    LotseAction,
    Offer,
    Reply,
    choice_payload,
    chosen_value,
    latest_intent,
    menu_buttons,
    payload,
)
from .texts import N_
from .topics import UNAVAILABLE

CODE = re.compile(r"\b([2-9BCDFGHJKMNPQRSTVWXZ]{4})[\s-]?([2-9BCDFGHJKMNPQRSTVWXZ]{4})\b")
# A typed yes or no stands for the first or the last button of the offer.
TYPED_ANSWERS = {
    Offer.BOOK: ("book", "no"),
    Offer.PREPARE: ("prepare_chat", "prepare_no"),
    Offer.CONSENT_INTAKE: ("agree", "disagree"),
    Offer.CONSENT_SPECIAL: ("agree", "disagree"),
    "retry_booking": ("retry_booking", "no"),
}


def latest_booking(tracker: Tracker, code: str | None = None) -> dict[str, Any] | None:
    bookings = tracker.get_slot("bookings") or []
    if code:
        return next((b for b in bookings if b["code"] == code.upper()), None)
    return bookings[-1] if bookings else None


class ActionHandleChoice(LotseAction):
    """A button or a yes/no outside a form, read against the last offer."""

    def name(self) -> str:
        return "action_handle_choice"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        offer = tracker.get_slot(OFFER_SLOT)
        choice = chosen_value(tracker)
        intent, _ = latest_intent(tracker)
        if choice is None and offer in TYPED_ANSWERS and intent in ("affirm", "deny"):
            choice = TYPED_ANSWERS[offer][0 if intent == "affirm" else 1]
        if choice is None:
            reply.say("How can I help?", menu_buttons(reply))
            return [SlotSet(OFFER_SLOT, None)]
        try:
            return await self._handle(reply, tracker, offer, choice)
        except (portal_api.PortalUnavailable, LookupError, StopIteration):
            reply.say(UNAVAILABLE)
            return []

    async def _handle(
        self, reply: Reply, tracker: Tracker, offer: str | None, choice: str
    ) -> list[EventType]:
        if choice == "book":
            return [SlotSet(OFFER_SLOT, None), FollowupAction("action_prepare_booking")]
        if choice == "retry_booking":
            return [SlotSet(OFFER_SLOT, None), FollowupAction("action_submit_booking")]
        if choice.startswith("cancel:"):
            return await self._cancel(reply, tracker, choice.split(":", 1)[1])
        booking = latest_booking(tracker)
        if booking and choice == "prepare_chat":
            return await self._ask_consent(reply, SHARE_SUMMARY, Offer.CONSENT_INTAKE)
        if booking and choice == "prepare_portal":
            reply.say("Here you can prepare the appointment: {url}", url=booking["prepare_url"])
            return [SlotSet(OFFER_SLOT, None)]
        if booking and offer in (Offer.CONSENT_INTAKE, Offer.CONSENT_SPECIAL):
            return await self._consent_answer(reply, booking, offer, choice)
        reply.say("OK. Is there anything else I can help with?", menu_buttons(reply))
        return [SlotSet(OFFER_SLOT, None)]

    async def _ask_consent(self, reply: Reply, purpose: str, offer: str) -> list[EventType]:
        ask_consent(reply, await current_consent(reply.lang, purpose))
        return [SlotSet(OFFER_SLOT, offer)]

    async def _consent_answer(
        self, reply: Reply, booking: dict[str, Any], offer: str, choice: str
    ) -> list[EventType]:
        purpose = SHARE_SUMMARY if offer == Offer.CONSENT_INTAKE else SPECIAL_CATEGORIES
        if choice.startswith("agree"):
            version = (
                choice.split(":", 1)[1]
                if ":" in choice
                else (await current_consent(reply.lang, purpose))["version"]
            )
            status, result = await portal_api.request(
                "POST",
                f"/bookings/{booking['token']}/consents",
                reply.lang,
                body={"purpose": purpose, "version": version},
            )
            if status != 201:
                reply.send((result.get("error") or {}).get("message") or reply.t(UNAVAILABLE))
                return await self._ask_consent(reply, purpose, offer)
            if purpose == SHARE_SUMMARY:
                reply.say("Thank you, your consent is recorded.")
                return await self._ask_consent(reply, SPECIAL_CATEGORIES, Offer.CONSENT_SPECIAL)
        elif purpose == SHARE_SUMMARY:
            reply.say(
                "OK, nothing will be shared before the appointment. Is there anything else?",
                menu_buttons(reply),
            )
            return [SlotSet(OFFER_SLOT, None)]
        reply.say(
            "Thank you. Please answer the questions here (it takes about five minutes): {url}",
            url=booking["prepare_url"],
        )
        return [SlotSet(OFFER_SLOT, None)]

    async def _cancel(self, reply: Reply, tracker: Tracker, code: str) -> list[EventType]:
        booking = latest_booking(tracker, code)
        if booking is None:
            return []
        status, result = await portal_api.request(
            "POST", f"/bookings/{booking['token']}/cancel", reply.lang, body={}
        )
        if status == 200:
            reply.say(
                "Your appointment {code} is cancelled. You can book a new one at any time.",
                code=code,
                buttons=[reply.button(N_("Book an appointment"), payload("book_appointment"))],
            )
        else:
            reply.send((result.get("error") or {}).get("message") or reply.t(UNAVAILABLE))
        return [SlotSet(OFFER_SLOT, None)]


class ActionManageAppointment(LotseAction):
    """Shows a booking made in this conversation, found by its code (or the latest one).

    A code alone is not enough to show someone's appointment: bookings from elsewhere are
    managed with the private link in the confirmation.
    """

    def name(self) -> str:
        return "action_manage_appointment"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").upper()
        match = CODE.search(text)
        code = f"{match.group(1)}-{match.group(2)}" if match else None
        booking = latest_booking(tracker, code)
        if booking is None:
            reply.say(
                "I can only show appointments booked in this chat. Please open the link in your "
                "booking confirmation: there you can see, move or cancel your appointment. Or "
                "call the office.",
                [
                    reply.button(N_("Talk to a person"), payload("talk_to_human")),
                    reply.button(N_("Book an appointment"), payload("book_appointment")),
                ],
            )
            return []
        try:
            found = await portal_api.get(f"/bookings/{booking['token']}", reply.lang)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return []
        status = found.get("status")
        lines = [
            reply.t(
                "Your appointment {code}: {time}.",
                code=found["code"],
                time=slot_label(reply, found["local_start"]),
            ),
            reply.t("Move it or add it to your calendar: {url}", url=booking["manage_url"]),
        ]
        if status != "booked":
            lines.insert(1, reply.t("This appointment is cancelled."))
            reply.send("\n".join(lines))
            return []
        links = [
            {"title": reply.t("Move"), "href": booking["manage_url"]},
            {"title": reply.t("Calendar (.ics)"), "href": booking["manage_url"] + "/calendar.ics"},
        ]
        reply.send(
            "\n".join(lines),
            [
                reply.button(
                    N_("Cancel this appointment"), choice_payload(f"cancel:{found['code']}")
                )
            ],
            links=links,
        )
        return [SlotSet(OFFER_SLOT, Offer.MANAGE)]
