"""Translated names of the measures, their categories and the offices they are counted for."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from ..booking.labels import mode_label, origin_label
from ..constants import SOURCE_LANGUAGE, YesNo
from ..extensions import db
from ..i18n import current_language
from ..models import Office, Service, Topic, TopicTranslation, pick
from ..templating import language_name
from .report import NO_INTENT, SERVICE_PREFIX, TOTAL, IntakeStage, Measure, Outcome, Row

TITLES: dict[Measure, LazyString] = {
    Measure.APPOINTMENTS: _l("Appointments"),
    Measure.CLIENT_LANGUAGE: _l("Bookings by the client's language"),
    Measure.INTERPRETER: _l("Bookings with an interpreter"),
    Measure.INTERPRETER_LANGUAGE: _l("Bookings by the interpreter's language"),
    Measure.TOPIC: _l("Bookings by topic"),
    Measure.ORIGIN: _l("Bookings by where they were made"),
    Measure.MODE: _l("Bookings by way of meeting"),
    Measure.PRE_INTAKE: _l("Pre-intake summaries"),
    Measure.CHAT_CONVERSATIONS: _l("Chat conversations by language"),
    Measure.CHAT_MESSAGES: _l("Chat messages by detected intent"),
}

EXPLANATIONS: dict[Measure, LazyString] = {
    Measure.APPOINTMENTS: _l(
        "Booked: in the month of booking. Attended, did not come and cancelled: in the month "
        "of the appointment."
    ),
    Measure.CLIENT_LANGUAGE: _l("In the month of booking, cancelled bookings included."),
    Measure.INTERPRETER: _l("In the month of booking, cancelled bookings included."),
    Measure.INTERPRETER_LANGUAGE: _l("Bookings that asked for an interpreter."),
    Measure.TOPIC: _l(
        "The topics clients chose when booking; a booking can have several topics or none."
    ),
    Measure.ORIGIN: _l("In the month of booking, cancelled bookings included."),
    Measure.MODE: _l("In the month of booking, cancelled bookings included."),
    Measure.PRE_INTAKE: _l(
        "Sent by clients; ready for the office (in the counsellors' inbox); handed over to a "
        "case system."
    ),
    Measure.CHAT_CONVERSATIONS: _l("For the whole chat assistant: it belongs to no office."),
    Measure.CHAT_MESSAGES: _l(
        "Client messages by the intent the assistant recognised; no message text is kept."
    ),
}

OUTCOMES: dict[str, LazyString] = {
    Outcome.BOOKED: _l("Booked"),
    Outcome.ATTENDED: _l("Attended"),
    Outcome.NO_SHOW: _l("Did not come"),
    Outcome.CANCELLED: _l("Cancelled"),
}

INTAKE_STAGES: dict[str, LazyString] = {
    IntakeStage.SUBMITTED: _l("Sent by clients"),
    IntakeStage.PREPARED: _l("Ready for the office"),
    IntakeStage.HANDED_OVER: _l("Handed over to a case system"),
}

INTERPRETER: dict[str, LazyString] = {
    YesNo.YES: _l("Interpreter needed"),
    YesNo.NO: _l("No interpreter"),
}


def topic_titles() -> dict[str, str]:
    """Topic slug → title in the page's language (German where a translation is missing)."""
    lang = current_language()
    rows = db.session.execute(
        select(Topic.slug, TopicTranslation.lang, TopicTranslation.title)
        .join(TopicTranslation, TopicTranslation.topic_id == Topic.id)
        .where(TopicTranslation.lang.in_((lang, SOURCE_LANGUAGE)))
    )
    titles: dict[str, str] = {}
    for slug, row_lang, title in rows:
        if row_lang == lang or slug not in titles:
            titles[slug] = title
    return titles


def unit_names() -> dict[str, str]:
    """Unit key → name: all services, each service, each office."""
    lang = current_language()
    names = {TOTAL: _("All services")}
    for service in db.session.scalars(select(Service)):
        names[SERVICE_PREFIX + service.slug] = pick(service.name, lang)
    for office in db.session.scalars(select(Office)):
        names[office.slug] = pick(office.name, lang)
    return names


class Labeller:
    """Names for one page: looked up once, then used for every table, chart and CSV row."""

    def __init__(self) -> None:
        self.topics = topic_titles()
        self.units = unit_names()

    def category(self, measure: Measure, code: str) -> str:
        if code == TOTAL:
            return _("Total")
        if measure == Measure.APPOINTMENTS:
            return str(OUTCOMES.get(code, code))
        if measure == Measure.PRE_INTAKE:
            return str(INTAKE_STAGES.get(code, code))
        if measure == Measure.INTERPRETER:
            return str(INTERPRETER.get(code, code))
        if measure == Measure.TOPIC:
            return self.topics.get(code, code)
        if measure == Measure.ORIGIN:
            return origin_label(code)
        if measure == Measure.MODE:
            return mode_label(code)
        if measure == Measure.CHAT_MESSAGES:
            return _("No intent recognised") if code == NO_INTENT else code
        return language_name(code)  # client, interpreter and chat languages

    def unit(self, key: str) -> str:
        return self.units.get(key, key)

    def row(self, row: Row) -> str:
        if row.month is not None:
            return month_name(row.month)
        if row.key.isdigit():
            return _("Total %(year)s", year=row.key)
        return _("Total of the period")


def month_name(month: dt.date) -> str:
    return format_date(month, "LLLL y")
