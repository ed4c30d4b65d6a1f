"""Read-only JSON API v1 (described in portal/openapi.yaml); the chat assistant uses it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response

from .. import queries
from ..constants import LANGUAGES, SOURCE_LANGUAGE
from ..extensions import limiter
from ..finder import InputError, Situation, explain, find_services, parse_situation
from ..models import Office, Service, SocialArea, Topic, TopicTranslation, pick
from ..opening_hours import opening_state

bp = Blueprint("api", __name__, url_prefix="/api/v1")
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BadRequest(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> tuple[Response, int]:
    return jsonify(error={"status": 400, "field": error.field, "message": error.message}), 400


@bp.before_request
def choose_language() -> None:
    lang = request.args.get("lang", SOURCE_LANGUAGE)
    if lang not in LANGUAGES:
        g.lang = SOURCE_LANGUAGE
        raise BadRequest("lang", f"lang must be one of: {', '.join(LANGUAGES)}")
    g.lang = lang


def _topic_summary(topic: Topic, translation: TopicTranslation) -> dict[str, Any]:
    return {
        "slug": topic.slug,
        "lang": translation.lang,
        "title": translation.title,
        "summary": translation.summary,
        "url": url_for("public.topic", lang=g.lang, slug=topic.slug, _external=True),
        "last_reviewed": translation.last_reviewed.isoformat(),
        "translation_status": translation.translation_status,
    }


@bp.get("/topics")
def topics() -> Response:
    items = [_topic_summary(topic, translation) for topic, translation in queries.topics_in(g.lang)]
    return jsonify(lang=g.lang, topics=items)


@bp.get("/topics/<slug>")
def topic(slug: str) -> Response:
    found = queries.topic_by_slug(slug)
    translation = found and (found.translation(g.lang) or found.translation(SOURCE_LANGUAGE))
    if found is None or translation is None:
        abort(404)
    return jsonify(
        {
            **_topic_summary(found, translation),
            "body_markdown": translation.body_md,
            "body_html": translation.body_html,
            "sources": translation.sources,
            "services": [s.slug for s in found.services],
            "related": list(found.related),
        }
    )


def _time_or_none(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _office(office: Office, now: dt.datetime) -> dict[str, Any]:
    state = opening_state(office.opening_hours, now)
    return {
        "slug": office.slug,
        "name": pick(office.name, g.lang),
        "demo": office.demo,
        "area": office.area.slug if office.area else None,
        "address": {
            "street": office.street,
            "postal_code": office.postal_code,
            "city": office.city,
        },
        "phone": office.phone,
        "email": office.email,
        "channels": list(office.channels),
        "languages": list(office.languages),
        "wheelchair_accessible": office.wheelchair_accessible,
        "appointment_only": office.appointment_only,
        "opening_hours": [
            {
                "day": WEEKDAY_CODES[h.weekday],
                "opens": h.opens.strftime("%H:%M"),
                "closes": h.closes.strftime("%H:%M"),
                "appointment_only": h.appointment_only,
            }
            for h in office.opening_hours
        ],
        "open_now": state.open_now,
        "closes_at": _time_or_none(state.closes_at),
        "next_opening": _time_or_none(state.next_opening),
    }


def _service(service: Service, now: dt.datetime) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": pick(service.name, g.lang),
        "short": pick(service.short, g.lang),
        "target_group": pick(service.target_group, g.lang),
        "demo": service.shows_demo_data,
        "url": url_for("public.service", lang=g.lang, slug=service.slug, _external=True),
        "offices": [_office(office, now) for office in service.offices],
    }


INPUT_ERRORS = {
    InputError.NOT_A_NUMBER: "must be a whole number",
    InputError.AGE_OUT_OF_RANGE: "must be between 0 and 120",
    InputError.UNKNOWN_CHOICE: "is not one of the allowed values (see the OpenAPI file)",
}


def _situation(areas: list[SocialArea]) -> Situation:
    situation, errors = parse_situation(request.args, {area.slug for area in areas})
    if errors:
        name, error = next(iter(errors.items()))
        raise BadRequest(name, f"{name} {INPUT_ERRORS[error]}")
    return situation


@bp.get("/services")
def services() -> Response:
    situation = _situation(queries.areas())
    now = dt.datetime.now(dt.UTC)
    chosen = queries.services()
    if not situation.is_empty:
        chosen = [match.service for match in find_services(chosen, situation)]
    return jsonify(lang=g.lang, services=[_service(s, now) for s in chosen])


@bp.get("/finder")
@limiter.limit("120/minute")
def finder() -> Response:
    all_areas = queries.areas()
    situation = _situation(all_areas)
    now = dt.datetime.now(dt.UTC)
    areas = {area.slug: area for area in all_areas}
    results = []
    with force_locale(g.lang):
        for match in find_services(queries.services(), situation):
            results.append(
                {
                    "service": _service(match.service, now),
                    "confirmed": match.confirmed,
                    "reasons": [
                        {
                            "criterion": str(reason.criterion),
                            "confirmed": reason.confirmed,
                            "text": explain(reason, areas, g.lang),
                        }
                        for reason in match.reasons
                    ],
                }
            )
    return jsonify(lang=g.lang, results=results)


@bp.get("/areas")
def areas() -> Response:
    return jsonify(
        lang=g.lang,
        areas=[
            {
                "slug": a.slug,
                "name": pick(a.name, g.lang),
                "municipalities": a.municipalities,
                "demo": a.demo,
            }
            for a in queries.areas()
        ],
    )


from . import booking, consent  # noqa: E402,F401  (registers the booking and consent routes)
