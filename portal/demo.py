"""Demo counsellors, their availability and a few appointments, all marked as demo.

Names say "Demo", addresses are under the reserved .invalid domain, and nothing
here describes a real person.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .booking.availability import free_slots
from .booking.service import BookingError, BookingRequest, book
from .booking.slots import BERLIN
from .booking.tokens import new_idempotency_key
from .consent import current_text
from .constants import AppointmentMode, ConsentPurpose, Origin
from .extensions import db
from .models import Appointment, AvailabilityRule, Office, StaffUser, utcnow

# e-mail, name, languages, office slugs
COUNSELLORS: tuple[tuple[str, str, list[str], list[str]], ...] = (
    (
        "demo-counsellor@lotse.invalid",
        "Demo Beratung Herzberg",
        ["de", "en", "ar"],
        ["unmsa-herzberg", "jmd-herzberg"],
    ),
    (
        "demo-counsellor-fa@lotse.invalid",
        "Demo Beratung Fachdienst",
        ["de", "fa", "en"],
        ["unmsa-doberlug-kirchhain", "fbd-herzberg"],
    ),
    (
        "demo-counsellor-uk@lotse.invalid",
        "Demo Beratung Finsterwalde",
        ["de", "uk", "ru"],
        ["mbe-finsterwalde", "unmsa-finsterwalde", "jmd-finsterwalde"],
    ),
    (
        "demo-counsellor-ar@lotse.invalid",
        "Demo Beratung Elsterwerda",
        ["de", "ar", "en"],
        ["mbe-elsterwerda", "unmsa-elsterwerda", "psychosocial-elsterwerda"],
    ),
)
# weekday (0 = Monday), from, until, modes; spread over the counsellor's offices in turn.
WEEKLY_WINDOWS = (
    (0, "09:00", "12:00", [AppointmentMode.IN_PERSON, AppointmentMode.PHONE]),
    (
        1,
        "13:00",
        "16:00",
        [AppointmentMode.IN_PERSON, AppointmentMode.PHONE, AppointmentMode.VIDEO],
    ),
    (2, "09:00", "12:00", [AppointmentMode.IN_PERSON, AppointmentMode.PHONE]),
    (
        3,
        "09:00",
        "12:00",
        [AppointmentMode.IN_PERSON, AppointmentMode.PHONE, AppointmentMode.VIDEO],
    ),
    (3, "13:00", "15:00", [AppointmentMode.PHONE]),
)
DEMO_BOOKINGS_PER_OFFICE = 2


def assign_counsellors() -> int:
    """Give each demo counsellor their offices, languages and weekly windows (once)."""
    added = 0
    offices = {office.slug: office for office in db.session.scalars(select(Office))}
    for email, _name, languages, office_slugs in COUNSELLORS:
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            continue
        user.languages = languages
        user.offices = [offices[slug] for slug in office_slugs if slug in offices]
        has_rules = db.session.scalar(
            select(AvailabilityRule.id).where(AvailabilityRule.counsellor_id == user.id)
        )
        if has_rules or not user.offices:
            continue
        for index, (weekday, starts, ends, modes) in enumerate(WEEKLY_WINDOWS):
            office = user.offices[index % len(user.offices)]
            db.session.add(
                AvailabilityRule(
                    counsellor_id=user.id,
                    office_id=office.id,
                    weekday=weekday,
                    starts=dt.time.fromisoformat(starts),
                    ends=dt.time.fromisoformat(ends),
                    modes=[str(mode) for mode in modes],
                )
            )
            added += 1
    db.session.commit()
    return added


def book_appointments() -> int:
    """A few demo bookings in the coming days, unless some are already ahead."""
    now = utcnow()
    ahead = db.session.scalar(
        select(Appointment.id).where(Appointment.demo.is_(True), Appointment.starts_at > now)
    )
    if ahead:
        return 0
    booked = 0
    today = now.astimezone(BERLIN).date()
    for office in db.session.scalars(select(Office).order_by(Office.position)):
        if not office.service.appointment_types or not office.counsellors:
            continue
        kind = office.service.appointment_types[0]
        mode = AppointmentMode.IN_PERSON
        slots = free_slots(kind, office, mode, "de", today, today + dt.timedelta(days=14), now)
        for slot in slots[1 : 1 + 4 * DEMO_BOOKINGS_PER_OFFICE : 4]:
            language = ("ar", "uk", "fa", "en", "de")[booked % 5]
            request = BookingRequest(
                appointment_type=kind,
                office=office,
                mode=mode,
                start=slot.start,
                language=language,
                idempotency_key=new_idempotency_key(),
                consent_text=current_text(ConsentPurpose.ARRANGE_APPOINTMENT, language),
                origin=(Origin.PORTAL, Origin.CHAT)[booked % 2],
                interpreter_language="ar" if booked % 3 == 0 else None,
                # One of the service's topics, so the figures show topic counts too.
                topics=_demo_topics(office, booked),
                demo=True,
            )
            try:
                book(request, now)
            except BookingError:
                continue
            booked += 1
    return booked


def _demo_topics(office: Office, index: int) -> list[str]:
    topics = office.service.topics
    return [topics[index % len(topics)].slug] if topics else []


# Answers of the demo pre-intakes: invented, marked as demo in the text itself.
DEMO_INTAKES: tuple[tuple[dict[str, dict[str, object]], str], ...] = (
    (
        {
            "concerns": {"topics": ["asylum-procedure"], "urgency": "very-urgent"},
            "household": {"adults": 1, "children": 2, "children_ages": [3, 8]},
            "languages": {"spoken": ["ar"], "interpreter": "yes", "interpreter_language": "ar"},
            "residence": {"status": "asylum-seeker"},
            "accommodation": {"housing": "communal-accommodation", "area": None},
            "documents": {"has_letters": "yes", "letters": []},
            "previous": {"previous": "no", "where": None},
            "message": {
                "text": "(DEMO) وصلتني رسالة من المكتب الاتحادي ولا أفهمها.",
                "language": "ar",
            },
        },
        "ar",
    ),
    (
        {
            "concerns": {"topics": ["work", "language-courses"], "urgency": "not-urgent"},
            "household": {"adults": 2, "children": 0, "children_ages": []},
            "residence": {"status": "temporary-protection"},
            "message": {"text": "(DEMO) Хочу знайти курс німецької мови B1.", "language": "uk"},
        },
        "uk",
    ),
)


def add_intakes() -> int:
    """Submitted demo pre-intakes for the first demo appointments ahead that have none."""
    from .consent import give
    from .intake import service
    from .intake.questions import THEMES_BY_SLUG

    added = 0
    for answers, language in DEMO_INTAKES:
        appointment = db.session.scalar(
            select(Appointment)
            .where(
                Appointment.demo.is_(True),
                Appointment.client_language == language,
                Appointment.starts_at > utcnow(),
            )
            .order_by(Appointment.starts_at)
        )
        if appointment is None or appointment.intake is not None:
            continue
        give(
            appointment,
            ConsentPurpose.SHARE_SUMMARY,
            current_text(ConsentPurpose.SHARE_SUMMARY, language),
            Origin.PORTAL,
        )
        intake = service.intake_for(appointment)
        for slug, values in answers.items():
            service.save_answers(intake, THEMES_BY_SLUG[slug], values)
        service.submit(intake)
        service.prepare(intake)
        db.session.commit()
        added += 1
    return added
