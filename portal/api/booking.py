"""Booking endpoints for the chat assistant (shared-secret bearer authentication)."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, g, jsonify, request
from flask_babel import force_locale
from werkzeug.wrappers import Response

from ..booking.availability import free_slots
from ..booking.forms import parse_details, parse_reason
from ..booking.labels import problem_message
from ..booking.notify import manage_url
from ..booking.service import (
    BookingError,
    Problem,
    book,
    cancel,
    find_by_token,
)
from ..booking.slots import BERLIN, Slot
from ..booking.steps import Choice, bookable_services, parse_choice
from ..booking.tokens import is_valid_idempotency_key, looks_like_token
from ..constants import CancelledBy, Origin
from ..extensions import limiter
from ..models import Appointment, Service, pick, utcnow
from ..urls import public_url
from . import BadRequest, bp

MAX_SLOT_DAYS = 31
PROBLEM_STATUS = {Problem.KEY_REUSED: 422, Problem.NOT_CHANGEABLE: 409}
API_FIELD_NAMES = {"interpreter": "interpreter_language", "consent": "consent_version"}


def _api_rate_limit() -> str:
    return str(current_app.config["BOT_API_RATE_LIMIT"])


def _require_bot() -> None:
    expected = current_app.config["BOT_API_SECRET"].encode("utf-8")
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").encode("utf-8")
    if not header.startswith("Bearer ") or not hmac.compare_digest(given, expected):
        response = jsonify(error={"status": 401, "message": "missing or wrong bearer token"})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="lotse-booking"'
        abort(response)


def _problem(error: BookingError) -> tuple[Response, int]:
    status = PROBLEM_STATUS.get(error.problem, 409)
    with force_locale(g.lang):
        message = problem_message(error.problem)
    return jsonify(
        error={"status": status, "code": error.problem.value, "message": message}
    ), status


def _service_entry(service: Service) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": pick(service.name, g.lang),
        "demo": service.shows_demo_data,
        "types": [
            {
                "slug": kind.slug,
                "name": pick(kind.name, g.lang),
                "duration_minutes": kind.duration_minutes,
                "first_visit": kind.first_visit,
                "modes": list(kind.modes),
            }
            for kind in service.appointment_types
        ],
        "offices": [
            {
                "slug": office.slug,
                "name": pick(office.name, g.lang),
                "city": office.city,
                "languages": list(office.languages),
                "demo": office.demo,
            }
            for office in service.offices
        ],
    }


@bp.get("/booking/services")
def booking_services() -> Response:
    _require_bot()
    return jsonify(lang=g.lang, services=[_service_entry(s) for s in bookable_services()])


def _date_arg(name: str, default: dt.date) -> dt.date:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a date like 2026-03-30") from None


def _slot_entry(slot: Slot) -> dict[str, Any]:
    return {
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "local_start": slot.local_start.isoformat(),
        "speaks_language": slot.speaks_language,
    }


def _choice_or_400(values: Mapping[str, str]) -> Choice:
    choice = parse_choice(values)
    missing = choice.first_missing()
    if missing in ("service", "type", "office"):
        # "office" also stands for a missing mode or one the type does not offer.
        field = "mode" if missing == "office" and choice.office else missing
        raise BadRequest(field, f"unknown or missing {field} (or mode not offered)")
    return choice


@bp.get("/booking/slots")
@limiter.limit(_api_rate_limit)
def booking_slots() -> Response:
    _require_bot()
    choice = _choice_or_400(request.args)
    today = utcnow().astimezone(BERLIN).date()
    first = _date_arg("from", today)
    last = _date_arg("to", first + dt.timedelta(days=13))
    if last < first or (last - first).days >= MAX_SLOT_DAYS:
        raise BadRequest(
            "to", f"to must be on or after from and at most {MAX_SLOT_DAYS} days later"
        )
    assert choice.kind and choice.office and choice.mode  # ensured by _choice_or_400
    slots = free_slots(choice.kind, choice.office, choice.mode, g.lang, first, last, utcnow())
    return jsonify(lang=g.lang, timezone="Europe/Berlin", slots=[_slot_entry(s) for s in slots])


def _appointment_entry(appointment: Appointment, token: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": appointment.code,
        "status": appointment.status,
        "service": appointment.service.slug,
        "type": appointment.appointment_type.slug,
        "office": appointment.office.slug,
        "mode": appointment.mode,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "local_start": appointment.starts_at.astimezone(BERLIN).isoformat(),
        "timezone": appointment.timezone,
        "language": appointment.client_language,
        "interpreter_language": appointment.interpreter_language,
        "demo": appointment.demo,
    }
    if token:
        lang = appointment.client_language
        entry["manage_url"] = manage_url(appointment, token)
        entry["prepare_url"] = public_url("intake.prepare", lang=lang, token=token)
        entry["data_url"] = public_url("intake.data", lang=lang, token=token)
        entry["token"] = token
    return entry


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("body", "the body must be a JSON object")
    return body


def _details_or_400(body: dict[str, Any], mode: str) -> Any:
    topics = body.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise BadRequest("topics", "topics must be a list of topic slugs")
    form = {
        "interpreter": str(body.get("interpreter_language") or ""),
        "phone": str(body.get("phone") or ""),
        "email": str(body.get("email") or ""),
        "consent": str(body.get("consent_version") or ""),
    }
    with force_locale(g.lang):
        found, errors = parse_details(form, topics, mode, g.lang)
    if errors:
        field, message = next(iter(errors.items()))
        raise BadRequest(API_FIELD_NAMES.get(field, field), message)
    return found


@bp.post("/bookings")
@limiter.limit(_api_rate_limit)
def create_booking() -> tuple[Response, int]:
    _require_bot()
    key = request.headers.get("Idempotency-Key", "")
    if not is_valid_idempotency_key(key):
        raise BadRequest("Idempotency-Key", "header required: 16–128 characters of A-Z a-z 0-9 _ -")
    body = _json_body()
    values = {
        name: str(body.get(name) or "") for name in ("service", "type", "office", "mode", "start")
    }
    values["date"] = values["start"][:10]
    choice = _choice_or_400(values)
    if choice.start is None:
        raise BadRequest(
            "start", "start must be an ISO 8601 time with offset, as listed by /booking/slots"
        )
    assert choice.kind and choice.office and choice.mode  # ensured by _choice_or_400
    found = _details_or_400(body, choice.mode)
    booking = choice.booking_request(found, g.lang, key, Origin.CHAT)
    try:
        result = book(booking)
    except BookingError as error:
        return _problem(error)
    return jsonify(
        _appointment_entry(result.appointment, result.token)
    ), 201 if result.created else 200


def _by_token_or_404(token: str) -> Appointment:
    appointment = find_by_token(token) if looks_like_token(token) else None
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/bookings/<token>")
def read_booking(token: str) -> Response:
    _require_bot()
    return jsonify(_appointment_entry(_by_token_or_404(token)))


@bp.post("/bookings/<token>/cancel")
@limiter.limit(_api_rate_limit)
def cancel_booking(token: str) -> Response | tuple[Response, int]:
    _require_bot()
    appointment = _by_token_or_404(token)
    body = request.get_json(silent=True) or {}
    reason, error = parse_reason(str(body.get("reason") or "") if isinstance(body, dict) else "")
    if error:
        raise BadRequest("reason", error)
    try:
        cancel(appointment, CancelledBy.CLIENT, reason)
    except BookingError as failure:
        return _problem(failure)
    return jsonify(_appointment_entry(appointment))
