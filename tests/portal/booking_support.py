"""Helpers for booking tests: counsellors with availability, slots, bookings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.booking.availability import free_slots
from portal.booking.service import BookingRequest, BookingResult, book
from portal.booking.slots import BERLIN, Slot
from portal.booking.tokens import new_idempotency_key
from portal.cli import create_user
from portal.consent import current_text
from portal.constants import AppointmentMode, ConsentPurpose, Role
from portal.extensions import db
from portal.models import AppointmentType, AvailabilityRule, Office, Service, StaffUser, utcnow

PASSWORD = "a long test password"
ALL_DAY = ("08:00", "18:00")


def office(slug: str) -> Office:
    found = db.session.scalar(select(Office).where(Office.slug == slug))
    assert found is not None, slug
    return found


def appointment_type(service_slug: str, slug: str = "first-consultation") -> AppointmentType:
    service = db.session.scalar(select(Service).where(Service.slug == service_slug))
    assert service is not None
    return next(kind for kind in service.appointment_types if kind.slug == slug)


def add_counsellor(
    email: str,
    office_slugs: list[str],
    languages: list[str],
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6),
    hours: tuple[str, str] = ALL_DAY,
    modes: tuple[str, ...] = (AppointmentMode.IN_PERSON, AppointmentMode.PHONE),
) -> StaffUser:
    user = create_user(email, email.split("@")[0], Role.COUNSELLOR, PASSWORD)
    user.languages = languages
    user.offices = [office(slug) for slug in office_slugs]
    for slug in office_slugs:
        for weekday in weekdays:
            db.session.add(
                AvailabilityRule(
                    counsellor_id=user.id,
                    office_id=office(slug).id,
                    weekday=weekday,
                    starts=dt.time.fromisoformat(hours[0]),
                    ends=dt.time.fromisoformat(hours[1]),
                    modes=list(modes),
                )
            )
    db.session.commit()
    return user


def slots_on(
    day: dt.date,
    office_slug: str = "mbe-finsterwalde",
    service: str = "mbe",
    mode: str = AppointmentMode.IN_PERSON,
    lang: str = "de",
    now: dt.datetime | None = None,
) -> list[Slot]:
    kind = appointment_type(service)
    return free_slots(kind, office(office_slug), mode, lang, day, day, now or utcnow())


def days_ahead(days: int) -> dt.date:
    return utcnow().astimezone(BERLIN).date() + dt.timedelta(days=days)


def request_for(
    slot_start: dt.datetime,
    office_slug: str = "mbe-finsterwalde",
    service: str = "mbe",
    mode: str = AppointmentMode.IN_PERSON,
    lang: str = "de",
    key: str | None = None,
    **extra: object,
) -> BookingRequest:
    return BookingRequest(
        appointment_type=appointment_type(service),
        office=office(office_slug),
        mode=mode,
        start=slot_start,
        language=lang,
        idempotency_key=key or new_idempotency_key(),
        consent_text=current_text(ConsentPurpose.ARRANGE_APPOINTMENT, lang),
        **extra,  # type: ignore[arg-type]
    )


def book_first_slot(day_offset: int = 3, **extra: object) -> BookingResult:
    slot = slots_on(days_ahead(day_offset))[0]
    return book(request_for(slot.start, **extra))  # type: ignore[arg-type]
