"""The pre-intake questions: one theme per screen, every answer optional.

Drawn from the social anamnesis of the seeds (social, housing, health, financial and
legal situation), keeping only what a counsellor needs before a first meeting. Each
theme parses its own form; answers are plain codes, numbers, dates and short texts,
so the German summary can label them and receivers can read them without Lotse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..constants import (
    HOUSING_CODES,
    INTERPRETER_LANGUAGES,
    LANGUAGES,
    RESIDENCE_STATUS_CODES,
    TOPIC_SLUGS,
    UNKNOWN,
    LetterKind,
    Urgency,
    VulnerabilityIndicator,
    YesNo,
)
from ..extensions import db
from ..models import SocialArea
from ..text import ascii_digits, strip_control_characters

MAX_MESSAGE_LENGTH = 2000
MAX_SHORT_TEXT = 200
MAX_PEOPLE = 30
MAX_LETTERS = 3
# Deadlines further away than this are almost certainly a typo in the year.
DEADLINE_YEARS_AHEAD = 2
DEADLINE_DAYS_BACK = 365
SPOKEN_LANGUAGES: tuple[str, ...] = ("de", *INTERPRETER_LANGUAGES)
OTHER_LANGUAGE = "other"

Answers = dict[str, Any]
Errors = dict[str, str]
Form = MultiDict[str, str]

URGENCY_LABELS: dict[str, LazyString] = {
    Urgency.VERY_URGENT: _l("Very urgent – today or in the next days"),
    Urgency.SOON: _l("In the next weeks"),
    Urgency.NOT_URGENT: _l("Not urgent"),
}
YES_NO_LABELS: dict[str, LazyString] = {YesNo.YES: _l("Yes"), YesNo.NO: _l("No")}
LETTER_LABELS: dict[str, LazyString] = {
    LetterKind.ASYLUM_DECISION: _l("Decision on my asylum application (BAMF)"),
    LetterKind.HEARING_INVITATION: _l("Invitation to the asylum interview (Anhörung)"),
    LetterKind.FOREIGNERS_AUTHORITY: _l("Letter from the immigration office (Ausländerbehörde)"),
    LetterKind.BENEFITS_OFFICE: _l("Letter from the Jobcenter or social welfare office"),
    LetterKind.COURT: _l("Letter from a court"),
    LetterKind.FAMILY_REUNIFICATION: _l("Letter about family reunification (embassy, visa)"),
    LetterKind.OTHER: _l("Another letter"),
}
VULNERABILITY_LABELS: dict[str, LazyString] = {
    VulnerabilityIndicator.MINOR: _l("I am under 18"),
    VulnerabilityIndicator.UNACCOMPANIED_MINOR: _l("I am under 18 and here without my parents"),
    VulnerabilityIndicator.DISABILITY: _l("I have a disability"),
    VulnerabilityIndicator.OLDER_PERSON: _l("I am an older person"),
    VulnerabilityIndicator.PREGNANCY: _l("I am pregnant"),
    VulnerabilityIndicator.SINGLE_PARENT: _l("I am alone with children under 18"),
    VulnerabilityIndicator.SERIOUS_ILLNESS: _l("I have a serious illness"),
    VulnerabilityIndicator.MENTAL_HEALTH: _l("I am under great mental strain"),
    VulnerabilityIndicator.VIOLENCE_SURVIVOR: _l(
        "I have survived torture, rape or other serious violence"
    ),
    VulnerabilityIndicator.TRAFFICKING: _l("I was forced to work or exploited (human trafficking)"),
}


@dataclass(frozen=True)
class Theme:
    slug: str
    title: LazyString
    parse: Callable[[Form, dt.date], tuple[Answers, Errors]]
    # Asked only when the client agreed to the processing of special-category data.
    special_category: bool = False


def _choice(form: Form, name: str, allowed: frozenset[str] | set[str]) -> str | None:
    value = (form.get(name) or "").strip()
    return value if value in allowed or value == UNKNOWN else None


def _choices(form: Form, name: str, allowed: tuple[str, ...]) -> list[str]:
    chosen = set(form.getlist(name))
    return [code for code in allowed if code in chosen]


def _short_text(raw: str, limit: int, field: str, errors: Errors) -> str | None:
    text = strip_control_characters(raw).strip()
    if len(text) > limit:
        errors[field] = ngettext(
            "Please write at most %(num)s character.",
            "Please write at most %(num)s characters.",
            limit,
        )
        return None
    return text or None


def _count(form: Form, name: str, errors: Errors) -> int | None:
    raw = ascii_digits(form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_PEOPLE:
        errors[name] = _("Please enter a number from 0 to %(max)s.", max=MAX_PEOPLE)
        return None
    return int(raw)


def parse_concerns(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    urgency = _choice(form, "urgency", {u.value for u in Urgency})
    return {"topics": _choices(form, "topics", TOPIC_SLUGS), "urgency": urgency}, {}


def _ages(raw: str, errors: Errors) -> list[int]:
    parts = [p for p in re.split(r"[\s,;،؛/]+", ascii_digits(raw)) if p]
    if not all(p.isdigit() and int(p) < 18 for p in parts):
        errors["children_ages"] = _("Please write the ages as numbers under 18, e.g. 3, 7, 12.")
        return []
    return sorted(int(p) for p in parts)


def parse_household(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    errors: Errors = {}
    adults, children = _count(form, "adults", errors), _count(form, "children", errors)
    ages = _ages(form.get("children_ages") or "", errors)
    if children is not None and len(ages) > children:
        errors["children_ages"] = _("You entered more ages than children.")
    return {"adults": adults, "children": children, "children_ages": ages}, errors


def parse_languages(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    interpreter = _choice(form, "interpreter", {y.value for y in YesNo})
    language = _choice(form, "interpreter_language", set(INTERPRETER_LANGUAGES))
    return {
        "spoken": _choices(form, "spoken", SPOKEN_LANGUAGES),
        "interpreter": interpreter,
        "interpreter_language": language if interpreter == YesNo.YES else None,
    }, {}


def parse_residence(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    return {"status": _choice(form, "status", set(RESIDENCE_STATUS_CODES))}, {}


def parse_accommodation(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    housing = _choice(form, "housing", set(HOUSING_CODES))
    areas = set(db.session.scalars(select(SocialArea.slug)))
    return {"housing": housing, "area": _choice(form, "area", areas)}, {}


def parse_deadline(raw: str, today: dt.date) -> dt.date | None:
    """ISO (from a date field) or the German way of writing, in any digits."""
    text = ascii_digits(raw).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _deadline_in_range(day: dt.date, today: dt.date) -> bool:
    latest = today.replace(year=today.year + DEADLINE_YEARS_AHEAD)
    return today - dt.timedelta(days=DEADLINE_DAYS_BACK) <= day <= latest


def parse_documents(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    errors: Errors = {}
    letters = []
    for index in range(1, MAX_LETTERS + 1):
        kind = _choice(form, f"letter_{index}", {k.value for k in LetterKind})
        raw = (form.get(f"deadline_{index}") or "").strip()
        deadline = parse_deadline(raw, today) if raw else None
        if raw and (deadline is None or not _deadline_in_range(deadline, today)):
            errors[f"deadline_{index}"] = _(
                "Please enter the date like this: 31.12.2026. Leave it empty if unsure."
            )
            continue
        if kind or deadline:
            letters.append(
                {"kind": kind or UNKNOWN, "deadline": deadline.isoformat() if deadline else None}
            )
    has_letters = _choice(form, "has_letters", {y.value for y in YesNo})
    if letters:
        has_letters = YesNo.YES
    return {"has_letters": has_letters, "letters": letters}, errors


def parse_previous(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    errors: Errors = {}
    answer = _choice(form, "previous", {y.value for y in YesNo})
    where = _short_text(form.get("where") or "", MAX_SHORT_TEXT, "where", errors)
    return {"previous": answer, "where": where if answer != YesNo.NO else None}, errors


def parse_message(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    errors: Errors = {}
    text = _short_text(form.get("message") or "", MAX_MESSAGE_LENGTH, "message", errors)
    language = _choice(form, "message_language", {*LANGUAGES, OTHER_LANGUAGE})
    return {"text": text, "language": language if text else None}, errors


def parse_vulnerability(form: Form, today: dt.date) -> tuple[Answers, Errors]:
    if form.get("indicators_unknown"):
        return {"indicators": [], "prefer_not_to_say": True}, {}
    codes = tuple(indicator.value for indicator in VulnerabilityIndicator)
    return {"indicators": _choices(form, "indicators", codes), "prefer_not_to_say": False}, {}


THEMES: tuple[Theme, ...] = (
    Theme("concerns", _l("Your concerns"), parse_concerns),
    Theme("household", _l("Your household"), parse_household),
    Theme("languages", _l("Languages"), parse_languages),
    Theme("residence", _l("Residence status"), parse_residence),
    Theme("accommodation", _l("Where you live"), parse_accommodation),
    Theme("documents", _l("Letters and deadlines"), parse_documents),
    Theme("previous", _l("Earlier counselling"), parse_previous),
    Theme("vulnerability", _l("Special protection"), parse_vulnerability, special_category=True),
    Theme("message", _l("In your own words"), parse_message),
)
THEMES_BY_SLUG: Mapping[str, Theme] = {theme.slug: theme for theme in THEMES}


def themes_for(special_categories: bool) -> list[Theme]:
    return [theme for theme in THEMES if special_categories or not theme.special_category]
