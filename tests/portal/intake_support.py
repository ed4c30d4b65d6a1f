"""Helpers for pre-intake tests: a booked appointment, consents, answers, submission."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal import consent
from portal.booking.service import find_by_token
from portal.constants import ConsentPurpose, Origin
from portal.extensions import db
from portal.handover.config import HandoverConfig
from portal.handover.outbox import EXTENSION_KEY
from portal.intake import service
from portal.intake.questions import THEMES_BY_SLUG
from portal.models import Appointment

from .booking_support import book_first_slot


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf(text: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def use_handover_config(app: Flask, config: dict[str, Any]) -> None:
    app.config["HANDOVER_CONFIG"] = HandoverConfig.model_validate(config)
    app.extensions.pop(EXTENSION_KEY, None)


@dataclass
class Booked:
    token: str
    code: str
    lang: str

    def appointment(self) -> Appointment:
        found = find_by_token(self.token)
        assert found is not None
        return found


def booked(app: Flask, lang: str = "en", day_offset: int = 3, **extra: Any) -> Booked:
    with app.app_context():
        result = book_first_slot(day_offset, lang=lang, **extra)
        return Booked(result.token, result.appointment.code, lang)


def agree(booking: Booked, *purposes: ConsentPurpose) -> None:
    """Consent as if given in the portal, to the current texts (inside an app context)."""
    appointment = booking.appointment()
    for purpose in purposes:
        text = consent.current_text(purpose, booking.lang)
        consent.give(appointment, purpose, text, Origin.PORTAL)
    service.intake_for(appointment)
    db.session.commit()


FULL_ANSWERS: dict[str, dict[str, Any]] = {
    "concerns": {"topics": ["asylum-procedure", "housing"], "urgency": "very-urgent"},
    "household": {"adults": 2, "children": 2, "children_ages": [4, 9]},
    "languages": {"spoken": ["ar", "en"], "interpreter": "yes", "interpreter_language": "ar"},
    "residence": {"status": "asylum-seeker"},
    "accommodation": {"housing": "communal-accommodation", "area": None},
    "documents": {"has_letters": "yes", "letters": []},
    "previous": {"previous": "no", "where": None},
    "message": {"text": "<script>alert(1)</script> أحتاج مساعدة في الرسالة", "language": "ar"},
}


def answer_and_submit(booking: Booked, answers: dict[str, dict[str, Any]] | None = None) -> None:
    """Store answers directly and submit (inside an app context)."""
    appointment = booking.appointment()
    intake = service.intake_for(appointment)
    for slug, values in (answers or FULL_ANSWERS).items():
        service.save_answers(intake, THEMES_BY_SLUG[slug], values)
    service.submit(intake)
    db.session.commit()


def client_for(app: Flask) -> FlaskClient:
    return app.test_client()
