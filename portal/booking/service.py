"""Booking, rescheduling, cancelling and marking appointments.

Every operation is one transaction. Double booking is prevented by the unique
(counsellor, cell) constraint of ``CalendarClaim``: if two requests race for the
same time, the database rejects the second insert and we try the next free
counsellor for that slot, or report the slot as taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import consent
from ..constants import AppointmentStatus, CancelledBy, ConsentPurpose, Origin
from ..extensions import db
from ..models import Appointment, AppointmentType, CalendarClaim, ConsentText, Office, utcnow
from . import notify
from .availability import slot_at, type_rules
from .slots import bookable_range, cells_between
from .tokens import digest, manage_token_for, new_booking_code

MAX_CODE_ATTEMPTS = 5


class Problem(StrEnum):
    """Why a booking request was refused (mapped to translated messages by the views)."""

    SLOT_TAKEN = "slot_taken"
    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    NOT_OFFERED = "not_offered"  # no availability at that time, mode or office
    KEY_REUSED = "key_reused"  # same idempotency key, different request
    NOT_CHANGEABLE = "not_changeable"  # cancelled, or already started


class BookingError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class BookingRequest:
    appointment_type: AppointmentType
    office: Office
    mode: str
    start: dt.datetime  # aware
    language: str
    idempotency_key: str
    # The text the client agreed to for arranging the appointment (required to book).
    consent_text: ConsentText
    origin: Origin = Origin.PORTAL
    interpreter_language: str | None = None
    topics: list[str] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)
    demo: bool = False


@dataclass(frozen=True)
class BookingResult:
    appointment: Appointment
    token: str
    created: bool  # False when a retried request found its earlier booking


def _check_bookable_time(kind: AppointmentType, start: dt.datetime, now: dt.datetime) -> None:
    earliest, latest = bookable_range(type_rules(kind), now)
    if start <= now:
        raise BookingError(Problem.IN_PAST)
    if start < earliest:
        raise BookingError(Problem.TOO_SOON)
    if start > latest:
        raise BookingError(Problem.BEYOND_HORIZON)


def _claims(appointment: Appointment, kind: AppointmentType) -> list[CalendarClaim]:
    occupied_start, occupied_end = type_rules(kind).occupied(appointment.starts_at)
    return [
        CalendarClaim(counsellor_id=appointment.counsellor_id, cell=cell)
        for cell in cells_between(occupied_start, occupied_end)
    ]


def _unused_code() -> str:
    for _ in range(MAX_CODE_ATTEMPTS):
        code = new_booking_code()
        if db.session.scalar(select(Appointment.id).where(Appointment.code == code)) is None:
            return code
    raise RuntimeError("could not find an unused booking code")


def find_by_idempotency_key(key: str) -> Appointment | None:
    return db.session.scalar(
        select(Appointment).where(Appointment.idempotency_key_hash == digest(key))
    )


def find_by_token(token: str) -> Appointment | None:
    return db.session.scalar(select(Appointment).where(Appointment.token_hash == digest(token)))


def _replay(request: BookingRequest, existing: Appointment) -> BookingResult:
    same = (
        existing.office_id == request.office.id
        and existing.appointment_type_id == request.appointment_type.id
        and existing.mode == request.mode
    )
    if not same:
        raise BookingError(Problem.KEY_REUSED)
    return BookingResult(existing, manage_token_for(request.idempotency_key), created=False)


def book(request: BookingRequest, now: dt.datetime | None = None) -> BookingResult:
    """Book a slot, or return the booking an earlier attempt with the same key made."""
    now = now or utcnow()
    if existing := find_by_idempotency_key(request.idempotency_key):
        return _replay(request, existing)
    kind, start = request.appointment_type, request.start.astimezone(dt.UTC)
    _check_bookable_time(kind, start, now)
    slot = slot_at(kind, request.office, request.mode, request.language, start, now)
    if slot is None:
        raise BookingError(Problem.NOT_OFFERED)
    token = manage_token_for(request.idempotency_key)
    for counsellor_id in slot.counsellor_ids:
        appointment = Appointment(
            code=_unused_code(),
            token_hash=digest(token),
            idempotency_key_hash=digest(request.idempotency_key),
            service_id=kind.service_id,
            office_id=request.office.id,
            appointment_type_id=kind.id,
            counsellor_id=counsellor_id,
            mode=request.mode,
            starts_at=slot.start,
            ends_at=slot.end,
            status=AppointmentStatus.BOOKED,
            client_language=request.language,
            interpreter_language=request.interpreter_language,
            topics=list(request.topics) or None,
            contact=dict(request.contact) or None,
            origin=request.origin,
            demo=request.demo,
            created_at=now,
        )
        appointment.claims = _claims(appointment, kind)
        db.session.add(appointment)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            if existing := find_by_idempotency_key(request.idempotency_key):
                return _replay(request, existing)  # a concurrent retry of this request won
            continue  # this counsellor was taken a moment ago; try the next one
        consent.give(
            appointment, ConsentPurpose.ARRANGE_APPOINTMENT, request.consent_text, request.origin
        )
        # Imported here: the figures build on booking, not the other way round.
        from ..figures.counts import count_topics

        count_topics(appointment)
        notify.booked(appointment, token)
        db.session.commit()
        return BookingResult(appointment, token, created=True)
    raise BookingError(Problem.SLOT_TAKEN)


def _ensure_changeable(appointment: Appointment, now: dt.datetime) -> None:
    if not appointment.is_upcoming(now):
        raise BookingError(Problem.NOT_CHANGEABLE)


def reschedule(
    appointment: Appointment,
    new_start: dt.datetime,
    token: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an appointment. Atomic: the new time is claimed in the same transaction
    that releases the old one, so a failure leaves the old appointment untouched."""
    now = now or utcnow()
    _ensure_changeable(appointment, now)
    new_start = new_start.astimezone(dt.UTC)
    if new_start == appointment.starts_at:
        return appointment  # a repeated submission of the same change
    kind = appointment.appointment_type
    _check_bookable_time(kind, new_start, now)
    slot = slot_at(
        kind,
        appointment.office,
        appointment.mode,
        appointment.client_language,
        new_start,
        now,
        ignore_appointment_id=appointment.id,
    )
    if slot is None:
        raise BookingError(Problem.NOT_OFFERED)
    appointment_id = appointment.id
    # Keep the same counsellor when they are free at the new time.
    candidates = sorted(slot.counsellor_ids, key=lambda cid: cid != appointment.counsellor_id)
    for counsellor_id in candidates:
        appointment = db.session.get_one(Appointment, appointment_id)
        previous_start = appointment.starts_at
        db.session.execute(
            delete(CalendarClaim).where(CalendarClaim.appointment_id == appointment.id)
        )
        db.session.expire(appointment, ["claims"])
        appointment.counsellor_id = counsellor_id
        appointment.starts_at, appointment.ends_at = slot.start, slot.end
        appointment.reschedule_count += 1
        appointment.claims = _claims(appointment, kind)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # the old claims are back; try another counsellor
            continue
        notify.rescheduled(appointment, previous_start, token)
        db.session.commit()
        return appointment
    raise BookingError(Problem.SLOT_TAKEN)


def cancel(
    appointment: Appointment,
    by: CancelledBy,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel and free the time. Cancelling twice is harmless."""
    now = now or utcnow()
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    _ensure_changeable(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by, appointment.cancelled_at = by, now
    appointment.cancel_reason = (reason or "").strip() or None
    appointment.claims = []
    notify.cancelled(appointment)
    # Imported here: the intake domain builds on booking, not the other way round.
    from ..intake.service import appointment_cancelled

    appointment_cancelled(appointment, now)
    db.session.commit()
    return appointment


def record_outcome(
    appointment: Appointment, status: AppointmentStatus, now: dt.datetime | None = None
) -> Appointment:
    """Mark a started appointment as attended or missed; the time stays claimed."""
    now = now or utcnow()
    if status not in (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW):
        raise ValueError(f"not an outcome: {status}")
    if appointment.status == AppointmentStatus.CANCELLED or appointment.starts_at > now:
        raise BookingError(Problem.NOT_CHANGEABLE)
    appointment.status = status
    db.session.commit()
    return appointment
