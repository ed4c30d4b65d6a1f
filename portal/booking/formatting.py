"""Dates and times for clients: Babel, Gregorian calendar, the locale's own digits,
always in Europe/Berlin. Works without a request (e-mails are composed in jobs too)."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date, format_time

from .slots import BERLIN

# Babel formats dates with Latin digits; CLDR gives each locale a default numbering
# system, and these are the digits of the systems our languages use.
_DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}


def localize_digits(text: str, lang: str) -> str:
    digits = _DIGITS.get(Locale.parse(lang).default_numbering_system)
    if not digits:
        return text
    return text.translate(str.maketrans("0123456789", digits))


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(BERLIN)


def long_date(moment: dt.datetime | dt.date, lang: str) -> str:
    day = local(moment).date() if isinstance(moment, dt.datetime) else moment
    return localize_digits(format_date(day, "full", locale=lang), lang)


def short_date(day: dt.date, lang: str) -> str:
    return localize_digits(format_date(day, "medium", locale=lang), lang)


def clock(moment: dt.datetime, lang: str) -> str:
    return localize_digits(format_time(local(moment), "short", locale=lang, tzinfo=BERLIN), lang)


def time_range(start: dt.datetime, end: dt.datetime, lang: str) -> str:
    return f"{clock(start, lang)}–{clock(end, lang)}"
