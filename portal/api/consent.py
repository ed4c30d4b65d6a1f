"""Consent texts and the client's consents, for the assistant (which asks in the chat)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from flask_babel import force_locale
from werkzeug.wrappers import Response

from .. import consent
from ..booking.forms import consent_problem_message
from ..constants import ConsentPurpose, Origin
from ..extensions import db, limiter
from ..intake.rights import withdraw_purpose
from ..models import ConsentRecord, ConsentText
from . import BadRequest, bp
from .booking import _api_rate_limit, _by_token_or_404, _json_body, _require_bot


def _text_entry(text: ConsentText) -> dict[str, Any]:
    return {
        "purpose": text.purpose,
        "lang": text.lang,
        "version": text.version,
        "title": text.title,
        "label": text.label,
        "body_markdown": text.body_md,
        "body_html": text.body_html,
    }


def record_entry(record: ConsentRecord) -> dict[str, Any]:
    return {
        "purpose": record.purpose,
        "version": record.text.version,
        "language": record.language,
        "channel": record.channel,
        "given_at": record.given_at.isoformat(),
        "withdrawn_at": record.withdrawn_at.isoformat() if record.withdrawn_at else None,
    }


@bp.get("/consent-texts")
def consent_texts() -> Response:
    """The current texts; public, like the privacy notice they are part of."""
    texts = consent.current_texts(g.lang)
    return jsonify(lang=g.lang, texts=[_text_entry(text) for text in texts.values()])


def _purpose(raw: object) -> ConsentPurpose:
    try:
        return ConsentPurpose(str(raw))
    except ValueError:
        allowed = ", ".join(purpose.value for purpose in ConsentPurpose)
        raise BadRequest("purpose", f"purpose must be one of: {allowed}") from None


@bp.post("/bookings/<token>/consents")
@limiter.limit(_api_rate_limit)
def give_consent(token: str) -> tuple[Response, int]:
    """Record a consent the client gave in the chat to the text version they were shown."""
    _require_bot()
    appointment = _by_token_or_404(token)
    body = _json_body()
    purpose = _purpose(body.get("purpose"))
    try:
        text = consent.check_version(purpose, g.lang, str(body.get("version") or ""))
    except consent.ConsentError as error:
        if error.problem == consent.ConsentProblem.MISSING:
            raise BadRequest("version", "version of the text the client agreed to") from None
        with force_locale(g.lang):
            raise BadRequest("version", consent_problem_message(error.problem)) from None
    record = consent.give(appointment, purpose, text, Origin.CHAT)
    db.session.commit()
    return jsonify(record_entry(record)), 201


@bp.get("/bookings/<token>/consents")
def list_consents(token: str) -> Response:
    _require_bot()
    appointment = _by_token_or_404(token)
    return jsonify(consents=[record_entry(record) for record in appointment.consents])


@bp.post("/bookings/<token>/consents/<purpose>/withdraw")
@limiter.limit(_api_rate_limit)
def withdraw_consent(token: str, purpose: str) -> Response:
    _require_bot()
    appointment = _by_token_or_404(token)
    withdraw_purpose(appointment, _purpose(purpose))
    return jsonify(consents=[record_entry(record) for record in appointment.consents])
