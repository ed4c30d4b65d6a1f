"""The counsellor inbox: pre-intake summaries for one's offices, each view audited."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import audit
from ..constants import AuditAction, HandoverStatus, IntakeStatus, Role
from ..extensions import db
from ..handover import outbox
from ..intake.render import fragment_html
from ..models import Appointment, HandoverDelivery, Intake, utcnow
from . import bp, counsellor_required
from .views import _office_from, my_offices

FLAG_FILTERS = ("urgent", "deadline_within_14_days", "vulnerability_indicated")
FLAG_LABELS = {
    "urgent": _l("Urgent"),
    "deadline_within_14_days": _l("Deadline within 14 days"),
    "vulnerability_indicated": _l("Special protection needs indicated"),
}


@bp.app_template_filter("flag_label")
def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))


def _intakes(office_ids: list[int]) -> list[Intake]:
    query = (
        select(Intake)
        .join(Appointment, Intake.appointment_id == Appointment.id)
        .where(Appointment.office_id.in_(office_ids), Intake.status == IntakeStatus.PREPARED)
        .order_by(Intake.prepared_at.desc())
    )
    return list(db.session.scalars(query))


@bp.get("/intake")
@counsellor_required
def inbox() -> str:
    offices = my_offices()
    office = _office_from(request.args.get("office"), offices)
    chosen_flags = [flag for flag in request.args.getlist("flag") if flag in FLAG_FILTERS]
    items = _intakes([o.id for o in ([office] if office else offices)])
    # Flags live inside the encrypted summary, so they are filtered here, not in SQL.
    items = [
        item
        for item in items
        if all((item.summary or {}).get("flags", {}).get(flag) for flag in chosen_flags)
    ]
    return render_template(
        "counsellor/inbox.html",
        offices=offices,
        office=office,
        items=items,
        flags=FLAG_FILTERS,
        chosen_flags=chosen_flags,
        show_imported=request.args.get("imported") != "hide",
    )


def _intake_or_404(intake_id: int) -> Intake:
    intake = db.session.get(Intake, intake_id)
    if intake is None or intake.appointment.office not in my_offices():
        abort(404)  # another office's summary looks the same as none
    return intake


@bp.get("/intake/<int:intake_id>")
@counsellor_required
def intake_detail(intake_id: int) -> str:
    intake = _intake_or_404(intake_id)
    audit.record(AuditAction.INTAKE_VIEWED, "intake", intake.id)
    db.session.commit()
    deliveries = db.session.scalars(
        select(HandoverDelivery)
        .where(HandoverDelivery.intake_id == intake.id)
        .order_by(HandoverDelivery.created_at)
    ).all()
    summary = fragment_html(intake.summary) if intake.summary else None
    return render_template(
        "counsellor/intake.html", intake=intake, summary=summary, deliveries=deliveries
    )


@bp.post("/intake/<int:intake_id>/imported")
@counsellor_required
def mark_imported(intake_id: int) -> Response:
    intake = _intake_or_404(intake_id)
    if intake.imported_at is None:
        intake.imported_at, intake.imported_by_id = utcnow(), current_user.id
        audit.record(AuditAction.INTAKE_MARKED_IMPORTED, "intake", intake.id)
        db.session.commit()
        flash(_("Marked as imported into the case system."))
    return redirect(url_for("counsellor.intake_detail", intake_id=intake.id), code=303)


@bp.get("/handover")
@counsellor_required
def handover_status() -> str:
    if current_user.role != Role.ADMIN:
        abort(403)
    problems = db.session.scalars(
        select(HandoverDelivery)
        .where(HandoverDelivery.status.in_((HandoverStatus.DEAD, HandoverStatus.PENDING)))
        .order_by(HandoverDelivery.created_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "counsellor/handover.html", counts=sorted(outbox.status_counts().items()), items=problems
    )


@bp.post("/handover/retry")
@counsellor_required
def handover_retry() -> Response:
    if current_user.role != Role.ADMIN:
        abort(403)
    ids = [int(raw) for raw in request.form.getlist("delivery") if raw.isdigit()]
    revived = outbox.retry(ids or None)
    for delivery_id in ids:
        audit.record(AuditAction.HANDOVER_RETRIED, "handover_delivery", delivery_id)
    db.session.commit()
    flash(
        ngettext("%(num)s delivery queued again.", "%(num)s deliveries queued again.", revived)
    )
    return redirect(url_for("counsellor.handover_status"), code=303)
