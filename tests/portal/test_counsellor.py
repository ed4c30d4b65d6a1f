"""The counsellor's workspace: own offices only, outcomes, cancelling, availability."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.constants import AppointmentStatus, Role
from portal.extensions import db
from portal.models import Appointment, AvailabilityRule, OutboundMessage

from .booking_support import PASSWORD, add_counsellor, book_first_slot
from .staff_support import sign_in as staff_sign_in


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)[1]


def sign_in(client: FlaskClient, email: str) -> None:
    staff_sign_in(client, email, PASSWORD)


@pytest.fixture
def setup(booking_app: Flask) -> dict[str, int]:
    with booking_app.app_context():
        add_counsellor("elsewhere@example.org", ["jmd-herzberg"], ["de"])
        mine = book_first_slot(lang="uk", contact={"phone": "+4915123456789"}).appointment
        return {"appointment": mine.id, "counsellor": mine.counsellor_id}


def test_counsellor_sees_appointments_of_their_office(
    booking_app: Flask, setup: dict[str, int]
) -> None:
    client = booking_app.test_client()
    sign_in(client, "uk-counsellor@example.org")
    with booking_app.app_context():
        appointment = db.session.get(Appointment, setup["appointment"])
        day = appointment.starts_at.date().isoformat()
        code = appointment.code
    listing = client.get(f"/staff/appointments?office=mbe-finsterwalde&view=week&date={day}")
    assert code in listing.get_data(as_text=True)
    detail = client.get(f"/staff/appointments/{setup['appointment']}").get_data(as_text=True)
    assert "+4915123456789" in detail  # decrypted for the counsellor, behind the sign-in
    found = client.get(f"/staff/appointments?code={code.lower().replace('-', '')}")
    assert found.headers["Location"].endswith(f"/staff/appointments/{setup['appointment']}")


def test_counsellor_of_another_office_sees_nothing(
    booking_app: Flask, setup: dict[str, int]
) -> None:
    client = booking_app.test_client()
    sign_in(client, "elsewhere@example.org")
    assert client.get(f"/staff/appointments/{setup['appointment']}").status_code == 404
    listing = client.get("/staff/appointments?office=mbe-finsterwalde").get_data(as_text=True)
    assert "mbe-finsterwalde" not in listing


def test_signed_out_and_editors_cannot_enter(booking_app: Flask, setup: dict[str, int]) -> None:
    client = booking_app.test_client()
    assert client.get("/staff/appointments").status_code == 302
    with booking_app.app_context():
        from portal.cli import create_user

        create_user("editor@example.org", "Editor", Role.EDITOR, PASSWORD)
    sign_in(client, "editor@example.org")
    assert client.get("/staff/appointments").status_code == 403


def test_cancel_by_counsellor_notifies_the_client(
    booking_app: Flask, setup: dict[str, int]
) -> None:
    client = booking_app.test_client()
    sign_in(client, "uk-counsellor@example.org")
    page = client.get(f"/staff/appointments/{setup['appointment']}").get_data(as_text=True)
    response = client.post(
        f"/staff/appointments/{setup['appointment']}/cancel",
        data={"csrf_token": csrf(page), "reason": "Krankheit im Team"},
    )
    assert response.status_code == 302
    with booking_app.app_context():
        appointment = db.session.get(Appointment, setup["appointment"])
        assert appointment.status == AppointmentStatus.CANCELLED
        assert appointment.cancelled_by == "counsellor"
        kinds = {m.kind for m in db.session.scalars(select(OutboundMessage))}
        assert "counsellor_cancelled" in kinds


def test_outcome_needs_a_started_appointment(booking_app: Flask, setup: dict[str, int]) -> None:
    client = booking_app.test_client()
    sign_in(client, "uk-counsellor@example.org")
    page = client.get(f"/staff/appointments/{setup['appointment']}").get_data(as_text=True)
    assert "attended" not in page  # not offered before the start
    client.post(
        f"/staff/appointments/{setup['appointment']}/outcome",
        data={"csrf_token": csrf(page), "status": "attended"},
    )
    with booking_app.app_context():
        appointment = db.session.get(Appointment, setup["appointment"])
        assert appointment.status == AppointmentStatus.BOOKED
        appointment.starts_at -= dt.timedelta(days=10)
        appointment.ends_at -= dt.timedelta(days=10)
        db.session.commit()
    page = client.get(f"/staff/appointments/{setup['appointment']}").get_data(as_text=True)
    client.post(
        f"/staff/appointments/{setup['appointment']}/outcome",
        data={"csrf_token": csrf(page), "status": "attended"},
    )
    with booking_app.app_context():
        assert db.session.get(Appointment, setup["appointment"]).status == "attended"


def test_availability_rules_and_absences(booking_app: Flask, setup: dict[str, int]) -> None:
    client = booking_app.test_client()
    sign_in(client, "uk-counsellor@example.org")
    page = client.get("/staff/availability").get_data(as_text=True)
    token = csrf(page)
    bad = client.post(
        "/staff/availability/rules",
        data={
            "csrf_token": token,
            "office": "mbe-finsterwalde",
            "weekday": "1",
            "starts": "14:00",
            "ends": "13:00",
            "modes": "in_person",
        },
    )
    assert bad.status_code == 422
    foreign = client.post(
        "/staff/availability/rules",
        data={
            "csrf_token": token,
            "office": "jmd-herzberg",
            "weekday": "1",
            "starts": "09:00",
            "ends": "10:00",
            "modes": "in_person",
        },
    )
    assert foreign.status_code == 422  # not their office
    good = client.post(
        "/staff/availability/rules",
        data={
            "csrf_token": token,
            "office": "mbe-finsterwalde",
            "weekday": "1",
            "starts": "19:00",
            "ends": "20:00",
            "modes": ["in_person", "video"],
        },
    )
    assert good.status_code == 302
    with booking_app.app_context():
        rules = db.session.scalars(
            select(AvailabilityRule).where(AvailabilityRule.counsellor_id == setup["counsellor"])
        ).all()
        assert any(r.starts == dt.time(19) and "video" in r.modes for r in rules)
        appointment = db.session.get(Appointment, setup["appointment"])
        day = appointment.starts_at.date().isoformat()
    absence = client.post(
        "/staff/availability/absences",
        data={"csrf_token": token, "first_day": day, "last_day": day, "note": "Fortbildung"},
    )
    assert absence.status_code == 302
    follow = client.get("/staff/availability").get_data(as_text=True)
    assert "Fortbildung" in follow
