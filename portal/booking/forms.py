"""The client's details for a booking: few, optional where possible, checked kindly.

Shared by the portal form and the assistant's API, so both accept and refuse the same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

from ..consent import ConsentError, ConsentProblem, check_version
from ..constants import INTERPRETER_LANGUAGE_CODES, TOPIC_SLUGS, AppointmentMode, ConsentPurpose
from ..models import ConsentText
from ..text import ascii_digits, strip_control_characters

MAX_PHONE_LENGTH = 40
MAX_EMAIL_LENGTH = 254
MAX_REASON_LENGTH = 500
PHONE_REGION = "DE"


@dataclass
class Details:
    topics: list[str] = field(default_factory=list)
    interpreter_language: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    # The consent text (purpose: arrange the appointment) the client agreed to.
    consent: ConsentText | None = None

    @property
    def contact(self) -> dict[str, str]:
        return {
            key: value for key, value in (("phone", self.phone), ("email", self.email)) if value
        }


def _phone(raw: str, errors: dict[str, str]) -> str | None:
    text = ascii_digits(strip_control_characters(raw)).strip()
    if not text:
        return None
    if len(text) > MAX_PHONE_LENGTH:
        errors["phone"] = _("This phone number is too long.")
        return None
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        errors["phone"] = _(
            "Please enter a phone number with digits, e.g. 0151 23456789 or +49 151 23456789."
        )
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(raw: str, errors: dict[str, str]) -> str | None:
    text = strip_control_characters(raw).strip()
    if not text:
        return None
    if len(text) > MAX_EMAIL_LENGTH:
        errors["email"] = _("This e-mail address is too long.")
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = _("Please enter an e-mail address like name@example.org.")
        return None


def consent_problem_message(problem: ConsentProblem) -> str:
    if problem == ConsentProblem.OUTDATED:
        return _("This text has changed since you opened the page. Please read it again.")
    return _("To book, please agree that your details are used for this appointment.")


def _consent(version: str, language: str, errors: dict[str, str]) -> ConsentText | None:
    try:
        return check_version(ConsentPurpose.ARRANGE_APPOINTMENT, language, version.strip())
    except ConsentError as error:
        errors["consent"] = consent_problem_message(error.problem)
        return None


def parse_details(
    form: Mapping[str, str],
    topics: Collection[str],
    mode: str,
    language: str,
) -> tuple[Details, dict[str, str]]:
    """Details from a form; each problem is reported per field, in the client's language."""
    errors: dict[str, str] = {}
    chosen_topics = [slug for slug in TOPIC_SLUGS if slug in set(topics)]
    if len(chosen_topics) != len(set(topics)):
        errors["topics"] = _("Please choose topics from the list.")
    interpreter = (form.get("interpreter") or "").strip() or None
    if interpreter is not None and interpreter not in INTERPRETER_LANGUAGE_CODES:
        errors["interpreter"] = _("Please choose a language from the list.")
        interpreter = None
    details = Details(
        topics=chosen_topics,
        interpreter_language=interpreter,
        phone=_phone(form.get("phone") or "", errors),
        email=_email(form.get("email") or "", errors),
        consent=_consent(form.get("consent") or "", language, errors),
    )
    if mode == AppointmentMode.PHONE and not details.phone and "phone" not in errors:
        errors["phone"] = _("For an appointment by phone, we need your phone number.")
    if mode == AppointmentMode.VIDEO and not details.email and "email" not in errors:
        errors["email"] = _("For a video call, we need your e-mail address to send you the link.")
    return details, errors


def parse_reason(raw: str) -> tuple[str | None, str | None]:
    """An optional free-text reason; returns (text, error)."""
    text = strip_control_characters(raw).strip()
    if len(text) > MAX_REASON_LENGTH:
        message = ngettext(
            "Please write at most %(num)s character.",
            "Please write at most %(num)s characters.",
            MAX_REASON_LENGTH,
        )
        return None, message
    return text or None, None
