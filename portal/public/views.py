from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..constants import (
    HOUSING_CODES,
    RESIDENCE_STATUS_CODES,
    SOURCE_LANGUAGE,
    Housing,
    ResidenceStatus,
    SearchKind,
)
from ..extensions import db, limiter
from ..finder import Situation, explain, find_services, housing_label, status_label
from ..i18n import preferred_language
from ..models import AccommodationSite, Office, Service, SocialArea, Topic, TopicTranslation, pick
from ..opening_hours import opening_state, weekly_table
from ..search import search as run_search
from . import bp, root_bp

MAX_AGE = 120


def _topics_in(lang: str) -> list[tuple[Topic, TopicTranslation]]:
    topics = db.session.scalars(
        select(Topic).options(selectinload(Topic.translations)).order_by(Topic.position)
    )
    pairs = []
    for topic in topics:
        translation = topic.translation(lang) or topic.translation(SOURCE_LANGUAGE)
        if translation is not None:
            pairs.append((topic, translation))
    return pairs


def _services() -> list[Service]:
    return list(
        db.session.scalars(
            select(Service)
            .options(
                selectinload(Service.offices).selectinload(Office.opening_hours),
                selectinload(Service.eligibility_rules),
            )
            .order_by(Service.position)
        )
    )


def _areas() -> list[SocialArea]:
    return list(db.session.scalars(select(SocialArea).order_by(SocialArea.position)))


@root_bp.get("/")
def choose_language() -> Response:
    response = redirect(url_for("public.home", lang=preferred_language(request)))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@root_bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the probe must answer, whatever the database says
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.get("/")
def home() -> str:
    return render_template("public/home.html", topics=_topics_in(g.lang))


@bp.get("/topics/<slug>")
def topic(slug: str) -> str:
    found = db.session.scalar(
        select(Topic)
        .where(Topic.slug == slug)
        .options(selectinload(Topic.translations), selectinload(Topic.services))
    )
    if found is None:
        abort(404)
    translation = found.translation(g.lang)
    shown_in_source = translation is None
    translation = translation or found.translation(SOURCE_LANGUAGE)
    if translation is None:
        abort(404)
    related = [pair for pair in _topics_in(g.lang) if pair[0].slug in found.related]
    return render_template(
        "public/topic.html",
        topic=found,
        translation=translation,
        shown_in_source=shown_in_source,
        related=related,
    )


@bp.get("/services")
def services() -> str:
    sites = db.session.scalars(
        select(AccommodationSite)
        .options(selectinload(AccommodationSite.area))
        .order_by(AccommodationSite.id)
    )
    return render_template(
        "public/services.html", services=_services(), areas=_areas(), sites=list(sites)
    )


@bp.get("/services/<slug>")
def service(slug: str) -> str:
    found = next((s for s in _services() if s.slug == slug), None)
    if found is None:
        abort(404)
    now = dt.datetime.now(dt.UTC)
    offices = [
        (office, opening_state(office.opening_hours, now), weekly_table(office.opening_hours))
        for office in found.offices
    ]
    areas = {area.slug: area for area in _areas()}
    return render_template(
        "public/service.html",
        service=found,
        offices=offices,
        topics=[t for t in _topics_in(g.lang) if t[0] in found.topics],
        rules=found.eligibility_rules,
        areas=areas,
    )


def _read_situation() -> tuple[Situation, dict[str, str]]:
    """The finder answers from the query string, with a translated error per bad field."""
    errors: dict[str, str] = {}
    age: int | None = None
    raw_age = request.args.get("age", "").strip()
    if raw_age:
        try:
            age = int(raw_age.translate(_DIGITS))
        except ValueError:
            errors["age"] = _("Please enter your age as a number, for example 34.")
        else:
            if not 0 <= age <= MAX_AGE:
                errors["age"] = _("Please enter an age between 0 and 120.")
                age = None
    status = request.args.get("status") or None
    if status is not None and status not in RESIDENCE_STATUS_CODES:
        errors["status"] = _("Please choose one of the listed answers.")
        status = None
    housing = request.args.get("housing") or None
    if housing is not None and housing not in HOUSING_CODES:
        errors["housing"] = _("Please choose one of the listed answers.")
        housing = None
    area = request.args.get("area") or None
    if area is not None and area not in {a.slug for a in _areas()}:
        errors["area"] = _("Please choose one of the listed answers.")
        area = None
    return Situation(age=age, residence_status=status, housing=housing, area=area), errors


# Arabic-Indic and Persian digits, as phones type them, to ASCII digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@bp.get("/finder")
def finder() -> str:
    situation, errors = _read_situation()
    submitted = "submitted" in request.args
    areas = _areas()
    matches = find_services(_services(), situation) if submitted and not errors else []
    area_map = {area.slug: area for area in areas}
    return render_template(
        "public/finder.html",
        situation=situation,
        raw_age=request.args.get("age", "")[:10],
        errors=errors,
        submitted=submitted,
        matches=matches,
        area_options=[(area.slug, pick(area.name, g.lang)) for area in areas],
        statuses=[(s.value, status_label(s)) for s in ResidenceStatus],
        housings=[(h.value, housing_label(h)) for h in Housing],
        explain=lambda reason: explain(reason, area_map, g.lang),
    )


@bp.get("/search")
@limiter.limit("60/minute")
def search() -> str:
    raw = request.args.get("q", "")
    results = run_search(raw, g.lang) if raw.strip() else None
    topic_hits = [h for h in results.hits if h.kind == SearchKind.TOPIC] if results else []
    service_hits = [h for h in results.hits if h.kind == SearchKind.SERVICE] if results else []
    return render_template(
        "public/search.html",
        results=results,
        topic_hits=topic_hits,
        service_hits=service_hits,
    )
