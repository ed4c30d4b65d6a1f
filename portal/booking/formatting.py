"""Dates and times for clients: Babel, Gregorian calendar, the locale's own digits,
always in Europe/Berlin. Works without a request (e-mails are composed in jobs too)."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date, format_interval, format_time

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


def clock(moment: dt.datetime, lang: str) -> str:
    return localize_digits(format_time(local(moment), "short", locale=lang, tzinfo=BERLIN), lang)


def _time_skeleton(lang: str) -> str:
    """12- or 24-hour clock, as the locale writes short times."""
    pattern = Locale.parse(lang).time_formats["short"].pattern
    return "hm" if "h" in pattern else "Hm"


def time_range(start: dt.datetime, end: dt.datetime, lang: str) -> str:
    """E.g. "08:00–08:45 Uhr", "8:00 – 8:45 AM", "۸:۰۰ تا ۸:۴۵" (the locale's interval format)."""
    text = format_interval(
        local(start), local(end), _time_skeleton(lang), tzinfo=BERLIN, locale=lang
    )
    return localize_digits(text, lang)
