"""Topic questions: the topic's summary from the portal (one source of truth), a link, booking."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from . import portal_api
from .common import OFFER_SLOT, LotseAction, Offer, Reply, latest_intent, payload
from .texts import N_

TOPIC_INTENT_PREFIX = "ask_"
UNAVAILABLE = N_(
    "Sorry, I cannot reach the information right now. Please try again in a few minutes. "
    "In an emergency call 112."
)


def topic_slug(intent: str | None) -> str | None:
    """ask_family_reunification → family-reunification (the portal's topic slug)."""
    if not intent or not intent.startswith(TOPIC_INTENT_PREFIX):
        return None
    return intent[len(TOPIC_INTENT_PREFIX) :].replace("_", "-")


def topic_intents(domain: DomainDict) -> list[str]:
    return [name for name in domain.get("intents", []) if str(name).startswith(TOPIC_INTENT_PREFIX)]


class ActionTopicAnswer(LotseAction):
    def name(self) -> str:
        return "action_topic_answer"

    async def respond(self, reply: Reply, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent, _ = latest_intent(tracker)
        slug = topic_slug(intent)
        if slug is None:
            return []
        try:
            topic = await portal_api.get(f"/topics/{slug}", reply.lang)
        except (portal_api.PortalUnavailable, LookupError):
            reply.say(UNAVAILABLE)
            return []
        text = (
            f"{topic['title']}\n\n{topic['summary']}\n\n{reply.t('More: {url}', url=topic['url'])}"
        )
        if topic.get("lang") != reply.lang or topic.get("translation_status") not in (
            None,
            "source",
            "up_to_date",
        ):
            text += "\n" + reply.t("This text may not yet be up to date in your language.")
        reply.send(text)
        in_form = bool(tracker.active_loop.get("name"))
        if not in_form:
            reply.say(
                "Would you like to talk to a counsellor about it?",
                [
                    reply.button(
                        N_("Book an appointment"), payload("book_appointment", topic=slug)
                    ),
                    reply.button(N_("Find the right service"), payload("find_service")),
                ],
            )
            return [SlotSet("last_topic", slug), SlotSet(OFFER_SLOT, Offer.BOOK)]
        return [SlotSet("last_topic", slug)]
