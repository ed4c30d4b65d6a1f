"""The structured summary (schema intake-summary-v1) and its German labels.

Built once when the client submits, then frozen: every receiver and every retry sees
the same document. Special-category answers are included only while the client's
consent to them is in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from integrations.translation import argos

from .. import consent
from ..booking.slots import BERLIN
from ..constants import LANGUAGES, SOURCE_LANGUAGE, ConsentPurpose, Urgency
from ..machine_translation import use_packages
from ..models import Intake, utcnow
from ..models import pick as pick_language
from ..urls import public_url

SCHEMA_VERSION = "1"
SCHEMA_ID = "https://lotse.example/schemas/intake-summary-v1.json"
DEADLINE_FLAG_DAYS = 14
MT_LABEL = "maschinelle Übersetzung"


def _deadlines(answers: dict[str, Any]) -> list[dt.date]:
    letters = answers.get("documents", {}).get("letters", [])
    return [dt.date.fromisoformat(letter["deadline"]) for letter in letters if letter["deadline"]]


def flags(
    answers: dict[str, Any], special: dict[str, Any] | None, today: dt.date
) -> dict[str, Any]:
    """Urgent, a deadline within 14 days (or already passed), vulnerability indicated.
    ``vulnerability_indicated`` is null when the client was not asked (no consent)."""
    soon = today + dt.timedelta(days=DEADLINE_FLAG_DAYS)
    urgency = answers.get("concerns", {}).get("urgency")
    return {
        "urgent": urgency == Urgency.VERY_URGENT,
        "deadline_within_14_days": any(day <= soon for day in _deadlines(answers)),
        "vulnerability_indicated": bool(special and special.get("indicators"))
        if special is not None
        else None,
    }


def _translation(text: str, language: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """German machine translation of the client's words, or a note why there is none."""
    if language == SOURCE_LANGUAGE:
        return None, None
    if language not in LANGUAGES:
        return None, "Sprache des Textes unbekannt – keine maschinelle Übersetzung."
    use_packages(current_app)
    result = argos.translate(text, language, SOURCE_LANGUAGE)
    if result is None:
        return None, (
            "Keine maschinelle Übersetzung: kein Sprachpaket "
            f"{language}→de installiert ({argos.missing_package_hint(language, 'de')})."
        )
    translation = {
        "language": SOURCE_LANGUAGE,
        "text": result.text,
        "label": MT_LABEL,
        "engine": result.engine,
        "via": list(result.via),
    }
    return translation, None


def _message(answers: dict[str, Any]) -> dict[str, Any] | None:
    message = answers.get("message") or {}
    if not message.get("text"):
        return None
    translation, note = _translation(message["text"], message.get("language"))
    return {
        "original": message["text"],
        "language": message.get("language"),
        "machine_translation": translation,
        "note": note,
    }


def _appointment(intake: Intake) -> dict[str, Any]:
    appointment = intake.appointment
    return {
        "code": appointment.code,
        "type": appointment.appointment_type.slug,
        "type_name": pick_language(appointment.appointment_type.name, SOURCE_LANGUAGE),
        "mode": appointment.mode,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "local_start": appointment.starts_at.astimezone(BERLIN).isoformat(),
        "timezone": appointment.timezone,
        "interpreter_language": appointment.interpreter_language,
    }


def _consents(intake: Intake) -> list[dict[str, Any]]:
    return [
        {
            "purpose": record.purpose,
            "version": record.text.version,
            "language": record.language,
            "channel": record.channel,
            "given_at": record.given_at.isoformat(),
        }
        for record in intake.appointment.consents
        if record.in_force
    ]


def shared_answers(intake: Intake) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The answers that may be shared, and the special-category ones (None without consent)."""
    answers = dict(intake.answers or {})
    special = answers.pop("vulnerability", None)
    answers.pop("message", None)
    if consent.in_force(intake.appointment, ConsentPurpose.SPECIAL_CATEGORIES) is None:
        special = None
    elif special is None:
        special = {"indicators": [], "prefer_not_to_say": False}
    return answers, special


def build_summary(intake: Intake, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    appointment = intake.appointment
    answers, special = shared_answers(intake)
    document: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "intake_id": intake.public_id,
        "submitted_at": (intake.submitted_at or now).isoformat(),
        "client_language": appointment.client_language,
        "service": {
            "slug": appointment.service.slug,
            "name": pick_language(appointment.service.name, SOURCE_LANGUAGE),
        },
        "office": {
            "slug": appointment.office.slug,
            "name": pick_language(appointment.office.name, SOURCE_LANGUAGE),
        },
        "appointment": _appointment(intake),
        "consents": _consents(intake),
        "flags": flags(intake.answers or {}, special, now.astimezone(BERLIN).date()),
        "answers": answers,
        "message": _message(intake.answers or {}),
        "inbox_url": public_url("counsellor.intake_detail", intake_id=intake.id),
        "demo": appointment.demo,
    }
    if special is not None:
        document["special_categories"] = special
    return document
