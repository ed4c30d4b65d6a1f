"""Cleaning and checking what editors type, before it becomes a revision.

Single-line fields lose control and bidi-override characters (they could reorder what a
client reads, or break an e-mail or calendar line); long texts keep their line breaks.
Markdown is stored as written and only ever shown through ``portal.markdown.render``.
Every problem comes back as a translated message per form field, never as an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from pydantic import TypeAdapter, ValidationError

from ..constants import LANGUAGES, NATIVE_NAMES
from ..content.schema import HttpsUrl
from ..text import strip_control_characters

Errors = dict[str, str]

# Reserved for examples (RFC 2606): the demo offices' addresses end in it.
DEMO_MAIL_DOMAIN = ".invalid"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 /()-]{5,30}$")
_URL = TypeAdapter(HttpsUrl)
MAX_SINGLE_LINE = 400
MAX_TEXT = 20_000


def single_line(value: str | None, limit: int = MAX_SINGLE_LINE) -> str:
    """One line of text: no control, format or bidi-override characters, spaces collapsed."""
    cleaned = strip_control_characters(value or "")
    return " ".join(cleaned.split())[:limit]


def multi_line(value: str | None, limit: int = MAX_TEXT) -> str:
    """A longer text with its line breaks (\\n only), without other control characters."""
    cleaned = strip_control_characters((value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return cleaned.replace("\t", " ").strip()[:limit]


def translated(
    form: Mapping[str, str],
    name: str,
    errors: Errors,
    *,
    required: bool,
    multiline: bool = False,
) -> dict[str, str] | None:
    """A {lang: text} map from the fields ``<name>-<lang>``.

    Required maps need every language; an optional map is either empty (None) or complete,
    as the content files require (a client must never see another language's gap).
    """
    clean = multi_line if multiline else single_line
    values = {lang: clean(form.get(f"{name}-{lang}")) for lang in LANGUAGES}
    missing = [lang for lang, text in values.items() if not text]
    if not required and len(missing) == len(LANGUAGES):
        return None
    if missing:
        errors[name] = _(
            "Please fill in every language; missing: %(languages)s.",
            languages=", ".join(NATIVE_NAMES[lang] for lang in missing),
        )
    return values


def https_url(value: str, name: str, errors: Errors) -> str | None:
    text = single_line(value, 300)
    if not text:
        return None
    if not text.lower().startswith("https://"):
        errors[name] = _("Only secure links starting with https:// are allowed.")
        return None
    try:
        url = str(_URL.validate_python(text))
    except ValidationError:
        errors[name] = _("This is not a valid web address.")
        return None
    if len(url) > 300:
        errors[name] = _("This web address is too long.")
        return None
    return url


def email_address(value: str, name: str, errors: Errors, *, demo: bool = False) -> str | None:
    text = single_line(value, 200)
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        # Demo records use the reserved .invalid domain, which can never receive mail.
        if demo and text.lower().endswith(DEMO_MAIL_DOMAIN) and "@" in text:
            return text
        errors[name] = _("Please enter a valid e-mail address, for example name@example.org.")
        return None


def phone_number(value: str, name: str, errors: Errors) -> str | None:
    """Kept as written (offices write numbers their own way), checked loosely for Germany."""
    text = single_line(value, 40)
    if not text:
        return None
    try:
        parsed = phonenumbers.parse(text, "DE")
        possible = phonenumbers.is_possible_number(parsed)
    except phonenumbers.NumberParseException:
        possible = False
    if not possible or not _PHONE_CHARACTERS.match(text):
        errors[name] = _("Please enter a phone number with digits only, for example 03535 12345.")
        return None
    return text


def clock_time(value: str) -> str | None:
    """Times typed as 9:30, 09.30 or 09:30 become "09:30"; None if not a time of day."""
    match = _TIME.match((value or "").strip())
    return f"{int(match[1]):02d}:{match[2]}" if match else None


def whole_number(value: str, low: int, high: int) -> int | None:
    """An integer in [low, high]; raises ValueError when given but not one."""
    text = (value or "").strip()
    if not text:
        return None
    number = int(text)
    if not low <= number <= high:
        raise ValueError(text)
    return number


def chosen(values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The allowed values among ``values``, in the order of ``allowed``, each once."""
    picked = set(values)
    return [value for value in allowed if value in picked]


def schema_errors(error: ValidationError, known: Mapping[str, str], errors: Errors) -> None:
    """Problems the content schema still finds, on the field they concern (a safety net: the
    checks above should have caught them, so the message is general)."""
    for issue in error.errors():
        loc: tuple[Any, ...] = tuple(issue["loc"])
        field = known.get(str(loc[0]), "form") if loc else "form"
        errors.setdefault(field, _("This value cannot be saved: %(problem)s", problem=issue["msg"]))
