"""The editors' screens for the service directory: services, offices, stale offices.

Edits become draft revisions (``revisions.save``); clients see them only once published
(history, review and publishing are the generic pages in ``revision_views``). Confirming
an office's details is not a content change: it only records the day someone checked
address, hours and languages with the office.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import audit, queries
from ..auth.access import EDITORS, roles_required
from ..constants import AuditAction, ContactChannel, Housing, RecordType, ResidenceStatus
from ..extensions import db
from ..finder import housing_label, status_label
from ..i18n import current_language
from ..models import ContentRevision, Office, Service, pick
from . import bp, revisions
from .directory_forms import (
    EXTRA_ROWS,
    EXTRA_RULES,
    Parsed,
    language_options,
    office_form,
    parse_office,
    parse_service,
    row_count,
    service_form,
)
from .directory_records import office_by_slug, service_by_slug, today
from .revisions import EditConflict
from .views_common import ACTION_PREVIEW, form_action, render_conflict, submitted_base

UNPROCESSABLE = 422


# --- stale offices ------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_cutoff() -> dt.date:
    """Offices confirmed before this day are due for review."""
    return months_before(today(), int(current_app.config["STALE_AFTER_MONTHS"]))


def stale_offices() -> list[Office]:
    """Offices never confirmed or not confirmed for STALE_AFTER_MONTHS months, oldest first.

    For the editors' review list and the dashboard's count.
    """
    cutoff = stale_cutoff()
    offices = db.session.scalars(
        select(Office)
        .where((Office.confirmed_on.is_(None)) | (Office.confirmed_on < cutoff))
        .options(selectinload(Office.opening_hours), selectinload(Office.service))
    )
    return sorted(
        offices, key=lambda o: (o.confirmed_on is not None, o.confirmed_on or cutoff, o.position)
    )


def is_stale(office: Office) -> bool:
    return office.confirmed_on is None or office.confirmed_on < stale_cutoff()


# --- shared pieces --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordState:
    """Where a record's newest revision stands, for lists and edit pages."""

    pending: ContentRevision | None
    newest: ContentRevision | None

    @property
    def label(self) -> str:
        if self.pending is None:
            return _("published")
        if self.pending.state == "in_review":
            return _("in review")
        return _("draft")


def record_state(record_type: RecordType, key: str) -> RecordState:
    return RecordState(
        revisions.open_revision(record_type, key), revisions.newest(record_type, key)
    )


def _save(record_type: RecordType, key: str, parsed: Parsed, edit_url: str) -> Response:
    try:
        saved = revisions.save(
            record_type, key, parsed.data, base=submitted_base(), author=current_user
        )
    except EditConflict as conflict:
        # The conflict page (HTTP 409) shows both versions; nothing is overwritten.
        return render_conflict(conflict, revisions.adapter_for(record_type), key, request.form)
    flash(
        _(
            "Draft saved as version %(number)d. Clients see it once it is published.",
            number=saved.number,
        ),
        "success",
    )
    return redirect(edit_url)


def _eligibility_options() -> dict[str, Any]:
    return {
        "statuses": [(s.value, status_label(s)) for s in ResidenceStatus],
        "housings": [(h.value, housing_label(h)) for h in Housing],
        "area_options": [(a.slug, pick(a.name, current_language())) for a in queries.areas()],
    }


# --- services -----------------------------------------------------------------------------


@bp.get("/services")
@roles_required(*EDITORS)
def services() -> str:
    rows = [
        (service, record_state(RecordType.SERVICE, service.slug)) for service in queries.services()
    ]
    return render_template("editor/services.html", rows=rows)


@bp.route("/services/<service>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def service_edit(service: str) -> str | Response | tuple[Any, int]:
    live = service_by_slug(service)
    if live is None:
        abort(404)
    if request.method == "GET":
        data = revisions.current_data(RecordType.SERVICE, service) or {}
        form = service_form(data)
        return _service_page(live, form, base=revisions.newest_number(RecordType.SERVICE, service))
    if form_action() == ACTION_PREVIEW:  # back from the conflict page: show, save nothing
        return _service_page(live, request.form, base=submitted_base())
    parsed = parse_service(request.form, live, [area.slug for area in queries.areas()])
    if not parsed.ok:
        page = _service_page(live, request.form, base=submitted_base(), errors=parsed.errors)
        return page, UNPROCESSABLE
    return _save(
        RecordType.SERVICE, service, parsed, url_for("editor.service_edit", service=service)
    )


def _service_page(
    live: Service, form: MultiDict[str, str], *, base: int, errors: dict[str, str] | None = None
) -> str:
    return render_template(
        "editor/service_edit.html",
        service=live,
        form=form,
        base=base,
        errors=errors or {},
        rule_count=row_count(form, "rules", len(live.eligibility_rules), EXTRA_RULES),
        state=record_state(RecordType.SERVICE, live.slug),
        record_type=RecordType.SERVICE.value,
        key=live.slug,
        **_eligibility_options(),
    )


# --- offices ------------------------------------------------------------------------------


@bp.get("/offices")
@roles_required(*EDITORS)
def offices() -> str:
    groups = [
        (
            service,
            [
                (office, record_state(RecordType.OFFICE, office.slug), is_stale(office))
                for office in service.offices
            ],
        )
        for service in queries.services()
    ]
    return render_template("editor/offices.html", groups=groups, cutoff=stale_cutoff())


@bp.route("/offices/<office>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def office_edit(office: str) -> str | Response | tuple[Any, int]:
    live = office_by_slug(office)
    if live is None:
        abort(404)
    if request.method == "GET":
        data = revisions.current_data(RecordType.OFFICE, office) or {}
        return _office_page(
            live, office_form(data), base=revisions.newest_number(RecordType.OFFICE, office)
        )
    if form_action() == ACTION_PREVIEW:
        return _office_page(live, request.form, base=submitted_base())
    parsed = parse_office(request.form, live)
    if not parsed.ok:
        page = _office_page(live, request.form, base=submitted_base(), errors=parsed.errors)
        return page, UNPROCESSABLE
    return _save(RecordType.OFFICE, office, parsed, url_for("editor.office_edit", office=office))


def _office_page(
    live: Office, form: MultiDict[str, str], *, base: int, errors: dict[str, str] | None = None
) -> str:
    return render_template(
        "editor/office_edit.html",
        office=live,
        form=form,
        base=base,
        errors=errors or {},
        hour_count=row_count(form, "hours", len(live.opening_hours), EXTRA_ROWS),
        languages=language_options(form),
        channels=[channel.value for channel in ContactChannel],
        state=record_state(RecordType.OFFICE, live.slug),
        stale=is_stale(live),
        record_type=RecordType.OFFICE.value,
        key=live.slug,
    )


@bp.post("/offices/<office>/confirm")
@roles_required(*EDITORS)
def office_confirm(office: str) -> Response:
    """“We checked address, hours and languages with the office”: today's date, no revision."""
    live = office_by_slug(office)
    if live is None:
        abort(404)
    live.confirmed_on = today()
    audit.record(AuditAction.CONTENT_CONFIRMED, RecordType.OFFICE.value, live.id, detail=live.slug)
    db.session.commit()
    flash(
        _(
            "The details of “%(name)s” are confirmed as of today.",
            name=pick(live.name, current_language()),
        ),
        "success",
    )
    back = request.form.get("next", "")
    if back == "stale":
        return redirect(url_for("editor.stale"))
    return redirect(url_for("editor.office_edit", office=office))


@bp.get("/stale")
@roles_required(*EDITORS)
def stale() -> str:
    return render_template(
        "editor/stale.html",
        offices=stale_offices(),
        cutoff=stale_cutoff(),
        months=int(current_app.config["STALE_AFTER_MONTHS"]),
    )
