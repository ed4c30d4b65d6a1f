"""German renderings of a summary and of hand-over events, for counsellors.

The summary is always German (the counselling services' working language); answer
values use the same translated labels as the client's pages, forced to German.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template
from flask_babel import force_locale

from ..booking.formatting import long_date, time_range
from ..constants import SOURCE_LANGUAGE, HandoverEvent
from ..models import Intake
from .labels import AnswerLabels
from .questions import THEMES

SUBJECTS = {
    HandoverEvent.INTAKE_SUBMITTED: "Lotse: Vorab-Angaben zum Termin {code}",
    HandoverEvent.INTAKE_WITHDRAWN: "Lotse: Widerruf – Vorab-Angaben zum Termin {code} löschen",
    HandoverEvent.APPOINTMENT_CANCELLED: "Lotse: Termin {code} abgesagt",
}


def subject(intake: Intake, event: HandoverEvent) -> str:
    demo = "[DEMO] " if intake.appointment.demo else ""
    return demo + SUBJECTS[event].format(code=intake.appointment.code)


def _when(intake: Intake) -> str:
    appointment = intake.appointment
    return (
        f"{long_date(appointment.starts_at, SOURCE_LANGUAGE)}, "
        f"{time_range(appointment.starts_at, appointment.ends_at, SOURCE_LANGUAGE)}"
    )


def notice(intake: Intake, document: dict[str, Any]) -> str:
    """E-mail text: when, where, non-sensitive flags, and the link. No answers."""
    flags = document["flags"]
    hints = [
        text
        for flag, text in (
            ("urgent", "Die Person bezeichnet ihr Anliegen als sehr dringend."),
            ("deadline_within_14_days", "Eine Frist endet in höchstens 14 Tagen."),
        )
        if flags.get(flag)
    ]
    lines = [
        f"Für den Termin {intake.appointment.code} am {_when(intake)} "
        f"({document['office']['name']}) liegen Vorab-Angaben vor.",
        *hints,
        "",
        f"Zusammenfassung im Lotse-Posteingang: {document['inbox_url']}",
        "",
        "Aus Datenschutzgründen enthält diese E-Mail keine Angaben der Person.",
    ]
    if intake.appointment.demo:
        lines.insert(0, "DEMO-DATEN – kein echter Termin.\n")
    return "\n".join(lines)


def event_notice(intake: Intake, event: HandoverEvent, data: dict[str, Any]) -> str:
    code = intake.appointment.code
    if event == HandoverEvent.APPOINTMENT_CANCELLED:
        return f"Der Termin {code} am {_when(intake)} wurde abgesagt."
    if data.get("scope") == "special_categories":
        return (
            f"Die Person hat ihre Einwilligung zu Gesundheits- und Schutzbedarfsangaben "
            f"(Art. 9 DSGVO) für den Termin {code} widerrufen. Bitte löschen Sie diese "
            "Angaben aus Ihrem System."
        )
    return (
        f"Die Person hat ihre Einwilligung zur Weitergabe der Vorab-Angaben für den Termin "
        f"{code} widerrufen oder ihre Daten gelöscht. Bitte löschen Sie die Vorab-Angaben "
        "aus Ihrem System."
    )


def summary_context(document: dict[str, Any]) -> dict[str, Any]:
    start = dt.datetime.fromisoformat(document["appointment"]["start"])
    end = dt.datetime.fromisoformat(document["appointment"]["end"])
    return {
        "doc": document,
        "labels": AnswerLabels(SOURCE_LANGUAGE),
        "themes": THEMES,
        "when": f"{long_date(start, SOURCE_LANGUAGE)}, {time_range(start, end, SOURCE_LANGUAGE)}",
    }


def fragment_html(document: dict[str, Any]) -> str:
    """The summary as part of a Lotse page (the counsellor inbox)."""
    with force_locale(SOURCE_LANGUAGE):
        return render_template("intake/_summary.html", **summary_context(document))


def document_html(document: dict[str, Any]) -> str:
    """A complete, printable HTML file (file drop, Zammad note)."""
    with force_locale(SOURCE_LANGUAGE):
        return render_template("intake/summary_document.html", **summary_context(document))
