from __future__ import annotations

import datetime as dt
import re
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..booking.forms import parse_reason
from ..booking.labels import problem_message
from ..booking.service import BookingError, cancel, record_outcome
from ..booking.slots import BERLIN
from ..booking.tokens import normalize_code
from ..constants import (
    APPOINTMENT_MODE_CODES,
    AppointmentMode,
    AppointmentStatus,
    CancelledBy,
    Role,
)
from ..extensions import db
from ..models import Absence, Appointment, AvailabilityRule, Office, utcnow
from . import bp, counsellor_required

VIEWS = ("day", "week")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_ABSENCE_DAYS = 366


def my_offices() -> list[Office]:
    """Offices this person may see: their own; an admin sees all."""
    if current_user.role == Role.ADMIN:
        return list(db.session.scalars(select(Office).order_by(Office.position)))
    return list(current_user.offices)


def _office_from(slug: str | None, offices: list[Office]) -> Office | None:
    return next((office for office in offices if office.slug == slug), None)


def _appointment_or_404(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.office not in my_offices():
        abort(404)  # another office's appointment looks the same as none
    return appointment


def _period(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    return day, day


def _local_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time.min, tzinfo=BERLIN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=BERLIN)
    return start, end


@bp.get("/appointments")
@counsellor_required
def appointments() -> str | Response:
    offices = my_offices()
    if code := request.args.get("code", "").strip():
        return _find_by_code(code, offices)
    office = _office_from(request.args.get("office"), offices) or (offices[0] if offices else None)
    view = request.args.get("view") or "day"
    view = view if view in VIEWS else "day"
    try:
        day = dt.date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = utcnow().astimezone(BERLIN).date()
    first, last = _period(view, day)
    rows: list[Appointment] = []
    if office is not None:
        start, end = _local_bounds(first, last)
        rows = list(
            db.session.scalars(
                select(Appointment)
                .where(
                    Appointment.office_id == office.id,
                    Appointment.starts_at >= start,
                    Appointment.starts_at < end,
                )
                .options(selectinload(Appointment.counsellor))
                .order_by(Appointment.starts_at)
            )
        )
    by_day = [
        (d, list(group))
        for d, group in groupby(rows, lambda a: a.starts_at.astimezone(BERLIN).date())
    ]
    step = dt.timedelta(days=7 if view == "week" else 1)
    return render_template(
        "counsellor/appointments.html",
        offices=offices,
        office=office,
        view=view,
        day=day,
        first=first,
        last=last,
        by_day=by_day,
        previous=day - step,
        following=day + step,
    )


def _find_by_code(code: str, offices: list[Office]) -> Response:
    appointment = db.session.scalar(
        select(Appointment).where(Appointment.code == normalize_code(code))
    )
    if appointment is None or appointment.office not in offices:
        flash(_("No appointment with this booking code at your offices."), "error")
        return redirect(url_for("counsellor.appointments"))
    return redirect(url_for("counsellor.appointment", appointment_id=appointment.id))


@bp.get("/appointments/<int:appointment_id>")
@counsellor_required
def appointment(appointment_id: int) -> str:
    found = _appointment_or_404(appointment_id)
    return render_template(
        "counsellor/appointment.html",
        appointment=found,
        started=found.starts_at <= utcnow(),
        reason_error=None,
    )


@bp.post("/appointments/<int:appointment_id>/outcome")
@counsellor_required
def outcome(appointment_id: int) -> Response:
    found = _appointment_or_404(appointment_id)
    status = request.form.get("status", "")
    if status not in (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW):
        abort(400)
    try:
        record_outcome(found, AppointmentStatus(status))
    except BookingError as error:
        flash(problem_message(error.problem), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("counsellor.appointment", appointment_id=appointment_id))


@bp.post("/appointments/<int:appointment_id>/cancel")
@counsellor_required
def cancel_appointment(appointment_id: int) -> Response | tuple[str, int]:
    found = _appointment_or_404(appointment_id)
    reason, error = parse_reason(request.form.get("reason", ""))
    if error:
        page = render_template(
            "counsellor/appointment.html", appointment=found, started=False, reason_error=error
        )
        return page, 422
    try:
        cancel(found, CancelledBy.COUNSELLOR, reason)
    except BookingError as failure:
        flash(problem_message(failure.problem), "error")
    else:
        flash(
            _("The appointment is cancelled. The client is told if they gave an e-mail address."),
            "success",
        )
    return redirect(url_for("counsellor.appointment", appointment_id=appointment_id))


# --- availability --------------------------------------------------------------------------


@bp.get("/availability")
@counsellor_required
def availability() -> str:
    return _availability_page({})


def _availability_page(errors: dict[str, str], status: int = 200) -> str:
    rules = db.session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.counsellor_id == current_user.id)
        .order_by(AvailabilityRule.weekday, AvailabilityRule.starts)
    ).all()
    absences = db.session.scalars(
        select(Absence)
        .where(Absence.counsellor_id == current_user.id, Absence.ends_at > utcnow())
        .order_by(Absence.starts_at)
    ).all()
    return render_template(
        "counsellor/availability.html",
        rules=rules,
        absences=absences,
        offices=list(current_user.offices),
        modes=list(AppointmentMode),
        errors=errors,
        form=request.form,
    )


def _parse_rule() -> tuple[AvailabilityRule | None, dict[str, str]]:
    errors: dict[str, str] = {}
    values = request.form
    office = _office_from(values.get("office"), list(current_user.offices))
    if office is None:
        errors["office"] = _("Please choose one of your offices.")
    weekday = values.get("weekday", "")
    if weekday not in {str(day) for day in range(7)}:
        errors["weekday"] = _("Please choose a weekday.")
    starts, ends = values.get("starts", ""), values.get("ends", "")
    if not (_TIME.match(starts) and _TIME.match(ends)):
        errors["times"] = _("Please write times as HH:MM, e.g. 09:00.")
    elif starts >= ends:
        errors["times"] = _("The end must be after the start.")
    elif int(starts[-2:]) % 5 or int(ends[-2:]) % 5:
        errors["times"] = _("Please use times in steps of 5 minutes.")
    modes = [mode for mode in values.getlist("modes") if mode in APPOINTMENT_MODE_CODES]
    if not modes:
        errors["modes"] = _("Please choose at least one way of meeting.")
    if errors or office is None:
        return None, errors
    rule = AvailabilityRule(
        counsellor_id=current_user.id,
        office_id=office.id,
        weekday=int(weekday),
        starts=dt.time.fromisoformat(starts),
        ends=dt.time.fromisoformat(ends),
        modes=modes,
    )
    return rule, {}


@bp.post("/availability/rules")
@counsellor_required
def add_rule() -> Response | tuple[str, int]:
    rule, errors = _parse_rule()
    if rule is None:
        return _availability_page(errors), 422
    db.session.add(rule)
    db.session.commit()
    flash(_("Saved. Appointments already booked stay as they are."), "success")
    return redirect(url_for("counsellor.availability"))


def _delete_own(record: AvailabilityRule | Absence | None, message: str) -> Response:
    """Delete one of the signed-in counsellor's own records; anyone else's is a 404."""
    if record is None or record.counsellor_id != current_user.id:
        abort(404)
    db.session.delete(record)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("counsellor.availability"))


@bp.post("/availability/rules/<int:rule_id>/delete")
@counsellor_required
def delete_rule(rule_id: int) -> Response:
    return _delete_own(
        db.session.get(AvailabilityRule, rule_id),
        _("Removed. Appointments already booked stay as they are."),
    )


def _parse_absence() -> tuple[Absence | None, dict[str, str]]:
    try:
        first = dt.date.fromisoformat(request.form.get("first_day", ""))
        last = dt.date.fromisoformat(request.form.get("last_day", "") or request.form["first_day"])
    except (ValueError, KeyError):
        return None, {"absence": _("Please give the first and last day as dates.")}
    if last < first:
        return None, {"absence": _("The last day must not be before the first day.")}
    if (last - first).days > MAX_ABSENCE_DAYS:
        return None, {"absence": _("An absence can be at most one year long.")}
    start, end = _local_bounds(first, last)
    note = (request.form.get("note") or "").strip()[:200] or None
    return Absence(counsellor_id=current_user.id, starts_at=start, ends_at=end, note=note), {}


@bp.post("/availability/absences")
@counsellor_required
def add_absence() -> Response | tuple[str, int]:
    absence, errors = _parse_absence()
    if absence is None:
        return _availability_page(errors), 422
    db.session.add(absence)
    db.session.commit()
    clashes = db.session.scalars(
        select(Appointment).where(
            Appointment.counsellor_id == current_user.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at < absence.ends_at,
            Appointment.ends_at > absence.starts_at,
        )
    ).all()
    if clashes:
        message = ngettext(
            "Saved. %(num)s booked appointment falls in this absence: please move or cancel it.",
            "Saved. %(num)s booked appointments fall in this absence: please move or cancel them.",
            len(clashes),
        )
        flash(message, "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("counsellor.availability"))


@bp.post("/availability/absences/<int:absence_id>/delete")
@counsellor_required
def delete_absence(absence_id: int) -> Response:
    return _delete_own(db.session.get(Absence, absence_id), _("Removed."))
