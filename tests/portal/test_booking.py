"""Booking, rescheduling and cancelling on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import func, select

from portal.booking import ics
from portal.booking.service import (
    BookingError,
    Problem,
    book,
    cancel,
    find_by_token,
    record_outcome,
    reschedule,
)
from portal.booking.tokens import digest, normalize_code
from portal.constants import AppointmentStatus, CancelledBy, MessageKind
from portal.extensions import db
from portal.models import Appointment, CalendarClaim, OutboundMessage, utcnow

from .booking_support import (
    add_counsellor,
    book_first_slot,
    days_ahead,
    request_for,
    slots_on,
)


def test_booking_holds_the_time_and_stores_no_secret_in_clear(booking_app: Flask) -> None:
    with booking_app.app_context():
        result = book_first_slot(contact={"email": "client@example.org"}, topics=["health"])
        appointment = result.appointment
        assert result.created and appointment.status == AppointmentStatus.BOOKED
        assert appointment.token_hash == digest(result.token) != result.token
        assert find_by_token(result.token) == appointment
        assert len(appointment.claims) == 12  # 45 minutes + 15 minutes buffer
        raw = db.session.execute(
            db.text("SELECT contact, topics FROM appointment WHERE id = :id"),
            {"id": appointment.id},
        ).one()
        assert "client@example.org" not in raw.contact and "health" not in raw.topics
        assert appointment.contact == {"email": "client@example.org"}


def test_booking_code_is_easy_to_read_out(booking_app: Flask) -> None:
    with booking_app.app_context():
        code = book_first_slot().appointment.code
    assert len(code) == 9 and code[4] == "-"
    assert not set(code) & set("01OIL")
    assert normalize_code(code.lower().replace("-", " ")) == code


def test_the_same_request_twice_books_once(booking_app: Flask) -> None:
    with booking_app.app_context():
        slot = slots_on(days_ahead(3))[0]
        first = book(request_for(slot.start, key="k" * 20))
        again = book(request_for(slot.start, key="k" * 20))
        assert not again.created
        assert again.appointment.id == first.appointment.id and again.token == first.token
        assert db.session.scalar(select(func.count(Appointment.id))) == 1


def test_an_idempotency_key_cannot_be_reused_for_another_booking(booking_app: Flask) -> None:
    with booking_app.app_context():
        slot = slots_on(days_ahead(3))[0]
        book(request_for(slot.start, key="k" * 20))
        with pytest.raises(BookingError) as refused:
            book(request_for(slot.start, key="k" * 20, mode="phone"))
        assert refused.value.problem == Problem.KEY_REUSED


def test_one_slot_books_each_free_counsellor_once_then_is_taken(booking_app: Flask) -> None:
    with booking_app.app_context():
        start = slots_on(days_ahead(3))[0].start
        first = book(request_for(start)).appointment
        second = book(request_for(start)).appointment
        assert first.counsellor_id != second.counsellor_id
        with pytest.raises(BookingError) as refused:
            book(request_for(start))
        assert refused.value.problem == Problem.NOT_OFFERED
        assert start not in {slot.start for slot in slots_on(days_ahead(3))}


def test_language_match_decides_who_gets_the_booking(booking_app: Flask) -> None:
    with booking_app.app_context():
        start = slots_on(days_ahead(3), lang="ar")[0].start
        appointment = book(request_for(start, lang="ar")).appointment
        assert "ar" in appointment.counsellor.languages


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (lambda: utcnow() - dt.timedelta(hours=2), Problem.IN_PAST),
        (lambda: utcnow() + dt.timedelta(hours=2), Problem.TOO_SOON),
        (lambda: utcnow() + dt.timedelta(days=60), Problem.BEYOND_HORIZON),
    ],
)
def test_times_outside_the_rules_are_refused(booking_app: Flask, when, problem) -> None:
    with booking_app.app_context():
        start = when().replace(minute=0, second=0, microsecond=0)
        with pytest.raises(BookingError) as refused:
            book(request_for(start))
        assert refused.value.problem == problem


def test_a_time_outside_availability_is_refused(booking_app: Flask) -> None:
    with booking_app.app_context():
        night = dt.datetime.combine(days_ahead(3), dt.time(22, 0), tzinfo=dt.UTC)
        with pytest.raises(BookingError) as refused:
            book(request_for(night))
        assert refused.value.problem == Problem.NOT_OFFERED


def test_the_database_refuses_overlapping_claims_even_without_the_checks(
    booking_app: Flask,
) -> None:
    with booking_app.app_context():
        appointment = book_first_slot().appointment
        db.session.add(
            CalendarClaim(
                counsellor_id=appointment.counsellor_id,
                cell=appointment.claims[3].cell,
                appointment_id=appointment.id,
            )
        )
        with pytest.raises(Exception, match=r"(?i)unique"):
            db.session.commit()
        db.session.rollback()


def test_concurrent_attempts_at_one_slot_book_each_counsellor_exactly_once(
    booking_app: Flask,
) -> None:
    attempts = 16
    with booking_app.app_context():
        start = slots_on(days_ahead(4))[0].start
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt() -> None:
        with booking_app.app_context():
            barrier.wait()
            try:
                book(request_for(start))
                outcomes.append("booked")
            except BookingError as error:
                outcomes.append(error.problem.value)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == attempts
    assert outcomes.count("booked") == 2  # two counsellors, one booking each
    assert set(outcomes) <= {"booked", "slot_taken", "not_offered"}
    with booking_app.app_context():
        rows = db.session.scalars(select(Appointment).where(Appointment.starts_at == start)).all()
        assert len({row.counsellor_id for row in rows}) == 2


def test_reschedule_moves_the_claim_and_keeps_code_and_link(booking_app: Flask) -> None:
    with booking_app.app_context():
        result = book_first_slot()
        appointment = result.appointment
        old_start, code = appointment.starts_at, appointment.code
        new_start = slots_on(days_ahead(5))[2].start
        moved = reschedule(appointment, new_start, token=result.token)
        assert moved.starts_at == new_start and moved.code == code
        assert moved.reschedule_count == 1
        assert find_by_token(result.token) == moved
        assert old_start in {slot.start for slot in slots_on(days_ahead(3))}


def test_reschedule_to_a_taken_time_leaves_the_appointment_untouched(booking_app: Flask) -> None:
    with booking_app.app_context():
        mine = book_first_slot().appointment
        target = slots_on(days_ahead(6))[0].start
        book(request_for(target))
        book(request_for(target))  # both counsellors now busy at the target
        before = (mine.starts_at, len(mine.claims))
        with pytest.raises(BookingError):
            reschedule(mine, target)
        db.session.refresh(mine)
        assert (mine.starts_at, len(mine.claims)) == before
        assert mine.status == AppointmentStatus.BOOKED


def test_reschedule_to_an_overlapping_time_of_the_same_counsellor_works(
    booking_app: Flask,
) -> None:
    with booking_app.app_context():
        appointment = book_first_slot().appointment
        fifteen_later = appointment.starts_at + dt.timedelta(minutes=15)
        moved = reschedule(appointment, fifteen_later)
        assert moved.starts_at == fifteen_later


def test_cancel_frees_the_time_and_withdraws_the_reminder(booking_app: Flask) -> None:
    with booking_app.app_context():
        appointment = book_first_slot(contact={"email": "client@example.org"}).appointment
        start = appointment.starts_at
        cancel(appointment, CancelledBy.CLIENT, "Ich bin krank")
        assert appointment.status == AppointmentStatus.CANCELLED and appointment.claims == []
        assert start in {slot.start for slot in slots_on(days_ahead(3))}
        reminders = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.CLIENT_REMINDER)
        ).all()
        assert [m.status for m in reminders] == ["cancelled"]
        assert cancel(appointment, CancelledBy.CLIENT).status == AppointmentStatus.CANCELLED


def test_outcomes_only_after_the_start(booking_app: Flask) -> None:
    with booking_app.app_context():
        appointment = book_first_slot().appointment
        with pytest.raises(BookingError):
            record_outcome(appointment, AppointmentStatus.ATTENDED)
        later = appointment.starts_at + dt.timedelta(minutes=50)
        record_outcome(appointment, AppointmentStatus.NO_SHOW, now=later)
        assert appointment.status == AppointmentStatus.NO_SHOW


def test_booking_across_daylight_saving_changes(empty_app: Flask) -> None:
    from portal.content import load_content

    from .conftest import CONTENT_DIR

    with empty_app.app_context():
        load_content(CONTENT_DIR)
        add_counsellor(
            "dst@example.org", ["jmd-herzberg"], ["de"], weekdays=(0,), hours=("09:00", "10:00")
        )
        for monday, utc_hour in (
            (dt.date(2026, 3, 23), 8),
            (dt.date(2026, 3, 30), 7),
            (dt.date(2026, 10, 19), 7),
            (dt.date(2026, 10, 26), 8),
        ):
            now = dt.datetime.combine(monday - dt.timedelta(days=5), dt.time(12), tzinfo=dt.UTC)
            found = slots_on(monday, "jmd-herzberg", "jmd", now=now)
            assert found[0].local_start.strftime("%H:%M") == "09:00"
            request = request_for(found[0].start, "jmd-herzberg", "jmd")
            appointment = book(request, now=now).appointment
            assert appointment.starts_at.hour == utc_hour, monday
            assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=45)


def test_calendar_file_parses_back_with_time_zone_and_language(booking_app: Flask) -> None:
    with booking_app.app_context():
        appointment = book_first_slot(lang="uk").appointment
        body = ics.build(appointment, "https://lotse.test/uk/appointments/x")
        calendar = Calendar.from_ical(body)
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == ics.appointment_uid(appointment)
        assert event.decoded("DTSTART") == appointment.starts_at
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
        assert event.decoded("DTEND") == appointment.ends_at
        assert "DTSTAMP" in event and "LOCATION" in event
        assert (
            "Консультація" in str(event["SUMMARY"]) or "консультац" in str(event["SUMMARY"]).lower()
        )
        assert calendar.walk("VTIMEZONE")


def test_content_load_refuses_to_remove_a_booked_office(booking_app: Flask, tmp_path) -> None:
    import shutil

    from portal.content import ContentError, load_content

    from .conftest import CONTENT_DIR

    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    offices = copy / "directory" / "offices.yml"
    text = offices.read_text()
    start = text.index("  - slug: mbe-finsterwalde")
    end = text.index("  - slug:", start + 10)
    offices.write_text(text[:start] + text[end:])
    with booking_app.app_context():
        book_first_slot()
        with pytest.raises(ContentError, match="mbe-finsterwalde"):
            load_content(copy)
        assert db.session.scalar(select(func.count(Appointment.id))) == 1
