"""Read-only JSON API v1 (described in portal/openapi.yaml); the chat assistant uses it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..constants import (
    HOUSING_CODES,
    LANGUAGES,
    RESIDENCE_STATUS_CODES,
    SOURCE_LANGUAGE,
    Housing,
    ResidenceStatus,
)
from ..extensions import db, limiter
from ..finder import Situation, explain, find_services
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
    rows = db.session.scalars(
        select(Topic).options(selectinload(Topic.translations)).order_by(Topic.position)
    )
    items = []
    for topic in rows:
        translation = topic.translation(g.lang) or topic.translation(SOURCE_LANGUAGE)
        if translation is not None:
            items.append(_topic_summary(topic, translation))
    return jsonify(lang=g.lang, topics=items)


@bp.get("/topics/<slug>")
def topic(slug: str) -> Response:
    found = db.session.scalar(
        select(Topic).where(Topic.slug == slug).options(selectinload(Topic.translations))
    )
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


def _all_services() -> list[Service]:
    return list(
        db.session.scalars(
            select(Service)
            .options(
                selectinload(Service.offices).selectinload(Office.opening_hours),
                selectinload(Service.offices).selectinload(Office.area),
                selectinload(Service.eligibility_rules),
            )
            .order_by(Service.position)
        )
    )


def _situation() -> Situation:
    args = request.args
    age: int | None = None
    if args.get("age"):
        try:
            age = int(args["age"])
        except ValueError:
            raise BadRequest("age", "age must be a whole number") from None
        if not 0 <= age <= 120:
            raise BadRequest("age", "age must be between 0 and 120")
    status = args.get("status") or None
    if status is not None and status not in RESIDENCE_STATUS_CODES:
        raise BadRequest("status", f"unknown status; one of: {', '.join(ResidenceStatus)}")
    housing = args.get("housing") or None
    if housing is not None and housing not in HOUSING_CODES:
        raise BadRequest("housing", f"unknown housing; one of: {', '.join(Housing)}")
    area = args.get("area") or None
    if (
        area is not None
        and db.session.scalar(select(SocialArea).where(SocialArea.slug == area)) is None
    ):
        raise BadRequest("area", "unknown area")
    return Situation(age=age, residence_status=status, housing=housing, area=area)


@bp.get("/services")
def services() -> Response:
    situation = _situation()
    now = dt.datetime.now(dt.UTC)
    chosen = _all_services()
    if not situation.is_empty:
        chosen = [match.service for match in find_services(chosen, situation)]
    return jsonify(lang=g.lang, services=[_service(s, now) for s in chosen])


@bp.get("/finder")
@limiter.limit("120/minute")
def finder() -> Response:
    situation = _situation()
    now = dt.datetime.now(dt.UTC)
    areas = {area.slug: area for area in db.session.scalars(select(SocialArea))}
    results = []
    with force_locale(g.lang):
        for match in find_services(_all_services(), situation):
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
    rows = db.session.scalars(select(SocialArea).order_by(SocialArea.position))
    return jsonify(
        lang=g.lang,
        areas=[
            {
                "slug": a.slug,
                "name": pick(a.name, g.lang),
                "municipalities": a.municipalities,
                "demo": a.demo,
            }
            for a in rows
        ],
    )
