from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from .. import queries
from ..constants import SOURCE_LANGUAGE, Housing, ResidenceStatus, SearchKind
from ..extensions import db, limiter
from ..finder import (
    InputError,
    explain,
    find_services,
    housing_label,
    parse_situation,
    status_label,
)
from ..i18n import preferred_language
from ..models import AccommodationSite, pick
from ..opening_hours import opening_state, weekly_table
from ..search import search as run_search
from . import bp, root_bp


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
    return render_template("public/home.html", topics=queries.topics_in(g.lang))


@bp.get("/topics/<slug>")
def topic(slug: str) -> str:
    found = queries.topic_by_slug(slug)
    if found is None:
        abort(404)
    translation = found.translation(g.lang)
    shown_in_source = translation is None
    translation = translation or found.translation(SOURCE_LANGUAGE)
    if translation is None:
        abort(404)
    related = [pair for pair in queries.topics_in(g.lang) if pair[0].slug in found.related]
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
        "public/services.html",
        services=queries.services(),
        areas=queries.areas(),
        sites=list(sites),
    )


@bp.get("/services/<slug>")
def service(slug: str) -> str:
    found = next(iter(queries.services(slug)), None)
    if found is None:
        abort(404)
    now = dt.datetime.now(dt.UTC)
    offices = [
        (office, opening_state(office.opening_hours, now), weekly_table(office.opening_hours))
        for office in found.offices
    ]
    areas = {area.slug: area for area in queries.areas()}
    return render_template(
        "public/service.html",
        service=found,
        offices=offices,
        topics=[t for t in queries.topics_in(g.lang) if t[0] in found.topics],
        rules=found.eligibility_rules,
        areas=areas,
    )


def _error_message(error: InputError) -> str:
    messages = {
        InputError.NOT_A_NUMBER: _("Please enter your age as a number, for example 34."),
        InputError.AGE_OUT_OF_RANGE: _("Please enter an age between 0 and 120."),
        InputError.UNKNOWN_CHOICE: _("Please choose one of the listed answers."),
    }
    return messages[error]


@bp.get("/finder")
def finder() -> str:
    areas = queries.areas()
    situation, input_errors = parse_situation(request.args, {area.slug for area in areas})
    errors = {name: _error_message(error) for name, error in input_errors.items()}
    submitted = "submitted" in request.args
    matches = find_services(queries.services(), situation) if submitted and not errors else []
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
