"""Booking benchmarks (part of `make bench`).

1. Free-slot computation for 20 counsellors at one office over 4 weeks, with a third of
   the time already booked: time per call of the slot function and per API request.
2. 200 concurrent attempts at one slot with one counsellor, on SQLite and PostgreSQL:
   how many bookings result (must be exactly 1).
3. Booking throughput: sequential bookings of different slots per second.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.booking.availability import free_slots
from portal.booking.service import BookingError, BookingRequest, book
from portal.booking.slots import BERLIN
from portal.booking.tokens import new_idempotency_key
from portal.cli import create_user
from portal.consent import current_text
from portal.constants import AppointmentMode, ConsentPurpose, Role
from portal.content import load_content
from portal.extensions import db
from portal.models import Appointment, AvailabilityRule, Office, utcnow

ROOT = Path(__file__).resolve().parent.parent
OFFICE = "mbe-finsterwalde"
COUNSELLORS = 20
WEEKS = 4
ATTEMPTS = 200
SLOT_CALLS = 30
THROUGHPUT_BOOKINGS = 100


def _app(database_url: str, pool: dict[str, int] | None = None) -> Flask:
    options: dict[str, Any] = {"pool_pre_ping": True} | (pool or {})
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "bench.invalid",
        }
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(ROOT / "portal" / "migrations"))
        load_content(ROOT / "content")
    return app


def _counsellors(count: int) -> Office:
    office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
    assert office is not None
    for index in range(count):
        email = f"bench-{index}@bench.invalid"
        user = create_user(email, f"Bench {index}", Role.COUNSELLOR, "x" * 16)
        user.languages = ["de", ("uk", "ar", "fa", "en")[index % 4]]
        user.offices = [office]
        for weekday in range(5):
            db.session.add(
                AvailabilityRule(
                    counsellor_id=user.id,
                    office_id=office.id,
                    weekday=weekday,
                    starts=dt.time(8),
                    ends=dt.time(17),
                    modes=[AppointmentMode.IN_PERSON, AppointmentMode.PHONE],
                )
            )
    db.session.commit()
    return office


def _request(office: Office, start: dt.datetime, lang: str = "de") -> BookingRequest:
    return BookingRequest(
        appointment_type=office.service.appointment_types[0],
        office=office,
        mode=AppointmentMode.IN_PERSON,
        start=start,
        language=lang,
        idempotency_key=new_idempotency_key(),
        consent_text=current_text(ConsentPurpose.ARRANGE_APPOINTMENT, lang),
        demo=True,
    )


def _timed(call: Callable[[], object], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "calls": repeat,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def slot_computation(database_url: str) -> dict[str, object]:
    app = _app(database_url)
    with app.app_context():
        office = _counsellors(COUNSELLORS)
        kind = office.service.appointment_types[0]
        now = utcnow()
        first = now.astimezone(BERLIN).date()
        last = first + dt.timedelta(days=7 * WEEKS - 1)
        slots = free_slots(kind, office, AppointmentMode.IN_PERSON, "uk", first, last, now)
        for slot in slots[::3]:  # fill about a third of the free time
            with contextlib.suppress(BookingError):
                book(_request(office, slot.start), now)
        booked = db.session.scalar(select(func.count(Appointment.id)))

        def compute() -> object:
            return free_slots(kind, office, AppointmentMode.IN_PERSON, "uk", first, last, utcnow())

        function = _timed(compute, SLOT_CALLS)
        remaining = len(compute())  # type: ignore[arg-type]
    client = app.test_client()
    secret = app.config["BOT_API_SECRET"]
    query = (
        f"/api/v1/booking/slots?lang=uk&service=mbe&type={kind.slug}&office={OFFICE}"
        f"&mode=in_person&from={first}&to={last}"
    )

    def request() -> object:
        response = client.get(query, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200
        return response

    api = _timed(request, SLOT_CALLS)
    return {
        "counsellors": COUNSELLORS,
        "days": 7 * WEEKS,
        "appointments_booked_before": booked,
        "free_slots_found": remaining,
        "slot_function": function,
        "api_request": api,
    }


def concurrent_attempts(database_url: str) -> dict[str, object]:
    app = _app(database_url, pool={"pool_size": 20, "max_overflow": 60, "pool_timeout": 300})
    with app.app_context():
        office = _counsellors(1)
        now = utcnow()
        day = now.astimezone(BERLIN).date() + dt.timedelta(days=3)
        while day.weekday() > 4:
            day += dt.timedelta(days=1)
        kind = office.service.appointment_types[0]
        start = free_slots(kind, office, AppointmentMode.IN_PERSON, "de", day, day, now)[0].start
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()  # before touching the pool, so every thread starts together
        with app.app_context():
            try:
                local_office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
                assert local_office is not None
                book(_request(local_office, start))
                outcome = "booked"
            except BookingError as error:
                outcome = error.problem.value
            except Exception as error:  # a lock timeout would be a finding, not a crash
                outcome = type(error).__name__
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    began = time.perf_counter()
    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    with app.app_context():
        stored = db.session.scalar(
            select(func.count(Appointment.id)).where(Appointment.starts_at == start)
        )
        db.engine.dispose()
    return {
        "attempts": ATTEMPTS,
        "bookings_in_database": stored,
        "outcomes": {name: outcomes.count(name) for name in sorted(set(outcomes))},
        "seconds": round(elapsed, 2),
    }


def throughput(database_url: str) -> dict[str, object]:
    app = _app(database_url)
    with app.app_context():
        office = _counsellors(4)
        now = utcnow()
        first = now.astimezone(BERLIN).date() + dt.timedelta(days=2)
        slots = free_slots(
            office.service.appointment_types[0],
            office,
            AppointmentMode.IN_PERSON,
            "de",
            first,
            first + dt.timedelta(days=27),
            now,
        )
        starts = [slot.start for slot in slots[::4]][:THROUGHPUT_BOOKINGS]
        began = time.perf_counter()
        made = 0
        for start in starts:
            book(_request(office, start), now)
            made += 1
        elapsed = time.perf_counter() - began
        db.engine.dispose()
    return {
        "bookings": made,
        "bookings_per_second": round(made / elapsed, 1),
        "ms_per_booking": round(elapsed / made * 1000, 1),
        "note": "one client, each booking in its own transaction with its outbox messages",
    }


def run(postgres_url: str | None) -> dict[str, object]:
    backends: dict[str, str] = {}
    workdir = Path(tempfile.mkdtemp(prefix="lotse-bench-booking-"))
    backends["sqlite"] = f"sqlite:///{workdir / 'bench.db'}"
    if postgres_url:
        backends["postgresql"] = postgres_url
    results: dict[str, object] = {}
    for name, url in backends.items():
        results[name] = {
            "slot_computation": slot_computation(url),
            "concurrent_attempts_one_slot": concurrent_attempts(url),
            "throughput": throughput(url),
        }
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        "| booking | backend | figure |",
        "|---|---|---|",
    ]
    for backend, figures in results.items():
        slots, race, speed = (
            figures["slot_computation"],
            figures["concurrent_attempts_one_slot"],
            figures["throughput"],
        )
        lines += [
            f"| free slots, {slots['counsellors']} counsellors × {slots['days']} days "
            f"({slots['appointments_booked_before']} booked) | {backend} | function p50 "
            f"{slots['slot_function']['p50_ms']} ms, p95 {slots['slot_function']['p95_ms']} ms; "
            f"API request p50 {slots['api_request']['p50_ms']} ms |",
            f"| {race['attempts']} concurrent attempts at one slot | {backend} | "
            f"{race['bookings_in_database']} booking(s) stored; outcomes {race['outcomes']} |",
            f"| booking throughput (sequential) | {backend} | "
            f"{speed['bookings_per_second']} bookings/s ({speed['ms_per_booking']} ms each) |",
        ]
    return "\n".join(lines)
