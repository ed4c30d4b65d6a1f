"""Managing a booking with the secret link: view, calendar file, cancel, move."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import queries
from ..constants import CancelledBy
from ..extensions import limiter
from ..models import Appointment, pick, utcnow
from . import bp, ics
from .availability import free_slots
from .forms import parse_reason
from .labels import problem_message
from .service import BookingError, Problem, cancel, find_by_token, reschedule
from .slots import BERLIN, Slot, by_local_day
from .steps import parse_instant
from .tokens import looks_like_token

RESCHEDULE_DAYS = 14


def _rate_limit() -> str:
    return str(current_app.config["BOOKING_RATE_LIMIT"])


def _appointment_or_404(token: str) -> Appointment:
    """The appointment behind a manage link; unknown and expired links look the same."""
    appointment = find_by_token(token) if looks_like_token(token) else None
    if appointment is None:
        abort(404)
    valid_days = current_app.config["MANAGE_LINK_DAYS_AFTER"]
    if appointment.ends_at + dt.timedelta(days=valid_days) < utcnow():
        abort(404)
    return appointment


def _page(
    appointment: Appointment, token: str, template: str = "booking/manage.html", **context: object
) -> str:
    return render_template(
        template,
        appointment=appointment,
        token=token,
        changeable=appointment.is_upcoming(),
        bring=pick(appointment.appointment_type.bring, g.lang),
        topic_titles={t.slug: tr.title for t, tr in queries.topics_in(g.lang)},
        **context,
    )


@bp.get("/appointments/<token>")
def manage(token: str) -> str:
    appointment = _appointment_or_404(token)
    return _page(
        appointment,
        token,
        just_booked=request.args.get("booked") == "1",
        just_moved=request.args.get("moved") == "1",
        just_cancelled=request.args.get("cancelled") == "1",
    )


@bp.get("/appointments/<token>/calendar.ics")
def calendar(token: str) -> Response:
    appointment = _appointment_or_404(token)
    body = ics.build(appointment, url_for("booking.manage", token=token, _external=True))
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{ics.filename(appointment)}"'
    return response


@bp.route("/appointments/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def cancel_appointment(token: str) -> Response | str | tuple[str, int]:
    appointment = _appointment_or_404(token)
    if request.method == "GET" or not appointment.is_upcoming():
        return _page(appointment, token, "booking/cancel.html", error=None, reason="")
    reason, error = parse_reason(request.form.get("reason", ""))
    if error:
        page = _page(
            appointment, token, "booking/cancel.html", error=error, reason=request.form["reason"]
        )
        return page, 422
    try:
        cancel(appointment, CancelledBy.CLIENT, reason)
    except BookingError as failure:
        return _page(appointment, token, problem=problem_message(failure.problem)), 409
    return redirect(url_for("booking.manage", token=token, cancelled=1), code=303)


def _reschedule_days(appointment: Appointment) -> list[tuple[dt.date, list[Slot]]]:
    today = utcnow().astimezone(BERLIN).date()
    try:
        first = max(today, dt.date.fromisoformat(request.args.get("from", "")))
    except ValueError:
        first = today
    slots = free_slots(
        appointment.appointment_type,
        appointment.office,
        appointment.mode,
        appointment.client_language,
        first,
        first + dt.timedelta(days=RESCHEDULE_DAYS - 1),
        utcnow(),
        ignore_appointment_id=appointment.id,
    )
    return by_local_day(slots)


@bp.route("/appointments/<token>/reschedule", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def reschedule_appointment(token: str) -> Response | str | tuple[str, int]:
    appointment = _appointment_or_404(token)
    if not appointment.is_upcoming():
        return _page(appointment, token, problem=problem_message(Problem.NOT_CHANGEABLE)), 409
    if request.method == "POST":
        new_start = parse_instant(request.form.get("start"))
        if new_start is not None:
            try:
                reschedule(appointment, new_start, token=token)
            except BookingError as failure:
                return _reschedule_page(appointment, token, problem_message(failure.problem)), 409
            return redirect(url_for("booking.manage", token=token, moved=1), code=303)
        return _reschedule_page(appointment, token, None, missing=True), 422
    return _reschedule_page(appointment, token, None)


def _reschedule_page(
    appointment: Appointment, token: str, problem: str | None, missing: bool = False
) -> str:
    return _page(
        appointment,
        token,
        "booking/reschedule.html",
        days=_reschedule_days(appointment),
        problem=problem,
        missing=missing,
    )
