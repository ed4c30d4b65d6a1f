"""Loads what the slot computation needs from the database."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import and_, select

from ..constants import Role
from ..extensions import db
from ..models import (
    Absence,
    AppointmentType,
    AvailabilityRule,
    CalendarClaim,
    Office,
    StaffUser,
)
from .slots import (
    BERLIN,
    Calendar,
    Slot,
    TypeRules,
    WeeklyRule,
    cell_of,
    compute_slots,
)


def type_rules(kind: AppointmentType) -> TypeRules:
    return TypeRules(
        duration=dt.timedelta(minutes=kind.duration_minutes),
        buffer_before=dt.timedelta(minutes=kind.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=kind.buffer_after_minutes),
        min_notice=dt.timedelta(minutes=kind.min_notice_minutes),
        horizon_days=kind.horizon_days,
        interval=dt.timedelta(minutes=kind.slot_interval_minutes),
    )


def weekly_rules(office: Office, mode: str) -> list[tuple[AvailabilityRule, StaffUser]]:
    """Rules of active counsellors assigned to ``office`` that offer ``mode``."""
    rows = db.session.execute(
        select(AvailabilityRule, StaffUser)
        .join(StaffUser, AvailabilityRule.counsellor_id == StaffUser.id)
        .where(
            AvailabilityRule.office_id == office.id,
            StaffUser.active.is_(True),
            StaffUser.role == Role.COUNSELLOR,
            StaffUser.offices.any(Office.id == office.id),
        )
    ).all()
    return [(rule, user) for rule, user in rows if mode in rule.modes]


def load_calendar(
    counsellor_ids: set[int],
    first: dt.datetime,
    last: dt.datetime,
    ignore_appointment_id: int | None = None,
) -> Calendar:
    """Claims and absences of these counsellors between two instants."""
    calendar = Calendar()
    if not counsellor_ids:
        return calendar
    claims = select(CalendarClaim.counsellor_id, CalendarClaim.cell).where(
        CalendarClaim.counsellor_id.in_(counsellor_ids),
        CalendarClaim.cell.between(cell_of(first), cell_of(last)),
    )
    if ignore_appointment_id is not None:
        claims = claims.where(CalendarClaim.appointment_id != ignore_appointment_id)
    for counsellor_id, cell in db.session.execute(claims):
        calendar.busy_cells[counsellor_id].add(cell)
    absences = db.session.scalars(
        select(Absence).where(
            Absence.counsellor_id.in_(counsellor_ids),
            and_(Absence.starts_at < last, Absence.ends_at > first),
        )
    )
    for absence in absences:
        calendar.block(absence.counsellor_id, absence.starts_at, absence.ends_at)
    return calendar


def free_slots(
    kind: AppointmentType,
    office: Office,
    mode: str,
    language: str,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    ignore_appointment_id: int | None = None,
) -> list[Slot]:
    if mode not in kind.modes:
        return []
    rules = type_rules(kind)
    rows = weekly_rules(office, mode)
    counsellor_ids = {user.id for _rule, user in rows}
    speakers = frozenset(user.id for _rule, user in rows if language in (user.languages or []))
    margin = rules.buffer_before + rules.buffer_after + rules.duration
    first = dt.datetime.combine(first_day, dt.time.min, tzinfo=BERLIN) - margin
    last = dt.datetime.combine(last_day, dt.time.max, tzinfo=BERLIN) + margin
    calendar = load_calendar(counsellor_ids, first, last, ignore_appointment_id)
    weekly = [
        WeeklyRule(rule.counsellor_id, rule.weekday, rule.starts, rule.ends) for rule, _ in rows
    ]
    return compute_slots(
        weekly,
        calendar,
        rules,
        first_day,
        last_day,
        now,
        speakers,
        current_app.config["PUBLIC_HOLIDAY_SUBDIVISION"],
    )


def slot_at(
    kind: AppointmentType,
    office: Office,
    mode: str,
    language: str,
    start: dt.datetime,
    now: dt.datetime,
    ignore_appointment_id: int | None = None,
) -> Slot | None:
    day = start.astimezone(BERLIN).date()
    slots = free_slots(kind, office, mode, language, day, day, now, ignore_appointment_id)
    return next((slot for slot in slots if slot.start == start), None)
