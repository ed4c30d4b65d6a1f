"""The booking flow and the manage pages as a client on a phone uses them."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, OutboundMessage

from .booking_support import book_first_slot


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf(text: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def walk_to_details(client: FlaskClient, lang: str) -> tuple[dict[str, str], str]:
    """Service → type → office and mode → day → time, as links and GET forms."""
    office_page = page(client.get(f"/{lang}/book/office?service=mbe&type=first-consultation"))
    options = re.findall(r'name="office_mode" value="([^"]+)"', office_page)
    assert "mbe-finsterwalde|in_person" in options
    day_page = client.get(
        f"/{lang}/book/day?service=mbe&type=first-consultation&office_mode=mbe-finsterwalde|in_person"
    )
    days = re.findall(r'href="([^"]*/book/time\?[^"]*)"', page(day_page))
    assert days, "no bookable day listed"
    time_page = page(client.get(days[1]))
    starts = re.findall(r'name="start" value="([^"]+)"', time_page)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(days[1]).query))
    query["start"] = starts[0]
    details_page = page(client.get(f"/{lang}/book/details", query_string=query))
    return query, details_page


def consent_version(details_page: str) -> str:
    match = re.search(r'name="consent" value="([0-9a-f]{16})"', details_page)
    assert match, "no consent checkbox on the details page"
    return match.group(1)


def review(client: FlaskClient, lang: str, **details: str) -> tuple[dict[str, str], str]:
    query, details_page = walk_to_details(client, lang)
    form = {
        **query,
        "csrf_token": csrf(details_page),
        "consent": consent_version(details_page),
        **details,
    }
    response = client.post(f"/{lang}/book/review", data=form)
    return form, page(response)


@pytest.fixture
def client(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


def count_appointments(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Appointment.id))) or 0


@pytest.mark.parametrize("lang", ["fa", "uk"])
def test_client_books_in_a_few_steps_and_gets_code_and_link(
    client: FlaskClient, booking_app: Flask, lang: str
) -> None:
    form, review_page = review(client, lang, phone="۰۱۵۱ ۲۳۴۵۶۷۸۹", topics="housing")
    assert "+4915123456789" in review_page  # Persian digits understood, stored as E.164
    form["idempotency_key"] = re.search(r'name="idempotency_key" value="([^"]+)"', review_page)[1]
    confirmed = client.post(f"/{lang}/book/confirm", data=form)
    assert confirmed.status_code == 303
    manage = page(client.get(confirmed.headers["Location"]))
    code = re.search(r'class="code" dir="ltr">([A-Z0-9-]{9})<', manage)
    assert code, "booking code missing on the confirmation"
    assert "/appointments/" in manage and "calendar.ics" in manage
    assert 'dir="rtl"' in manage if lang == "fa" else 'dir="ltr"' in manage
    assert "Europe/Berlin" in manage
    if lang == "fa":
        assert re.search("[۰-۹]", manage), "dates should use Persian digits"
    assert count_appointments(booking_app) == 1


def test_double_click_on_book_books_once(client: FlaskClient, booking_app: Flask) -> None:
    form, review_page = review(client, "uk")
    form["idempotency_key"] = re.search(r'name="idempotency_key" value="([^"]+)"', review_page)[1]
    first = client.post("/uk/book/confirm", data=form)
    second = client.post("/uk/book/confirm", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_appointments(booking_app) == 1


def test_wrong_phone_gets_a_translated_error_and_keeps_the_other_answers(
    client: FlaskClient,
) -> None:
    _form, response_page = review(
        client, "uk", phone="дзвоніть мені", email="client@example.org", topics="health"
    )
    assert "номер телефону" in response_page.lower() or "телефон" in response_page.lower()
    assert 'aria-invalid="true"' in response_page
    assert 'value="client@example.org"' in response_page
    assert re.search(r'value="health" checked', response_page)


def test_twenty_thousand_characters_are_refused_kindly(client: FlaskClient) -> None:
    _form, response_page = review(client, "ar", email="a" * 20_000, phone="1" * 20_000)
    assert 'aria-invalid="true"' in response_page
    assert "Traceback" not in response_page


def test_phone_appointment_needs_a_phone_number(client: FlaskClient) -> None:
    query = {
        "service": "mbe",
        "type": "first-consultation",
        "office": "mbe-finsterwalde",
        "mode": "phone",
    }
    day_page = page(client.get("/de/book/day", query_string=query))
    first_day = re.findall(r'href="([^"]*/book/time\?[^"]*)"', day_page)[0]
    starts = re.findall(r'name="start" value="([^"]+)"', page(client.get(first_day)))
    query |= dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(first_day).query))
    query["start"] = starts[0]
    details_page = page(client.get("/de/book/details", query_string=query))
    response = client.post("/de/book/review", data={**query, "csrf_token": csrf(details_page)})
    assert response.status_code == 422
    assert "Telefon" in page(response)


def test_a_taken_time_offers_other_times_and_keeps_the_details(
    client: FlaskClient, booking_app: Flask
) -> None:
    form, review_page = review(client, "de", email="client@example.org")
    form["idempotency_key"] = re.search(r'name="idempotency_key" value="([^"]+)"', review_page)[1]
    with booking_app.app_context():  # both counsellors get booked at that time meanwhile
        from portal.booking.service import book
        from portal.booking.steps import parse_instant

        from .booking_support import request_for

        start = parse_instant(form["start"])
        book(request_for(start))
        book(request_for(start))
    response = client.post("/de/book/confirm", data=form)
    assert response.status_code == 409
    text = page(response)
    assert 'role="alert"' in text
    assert 'name="email" value="client@example.org"' in text
    assert re.search(r'name="start" value="[^"]+"', text)


def test_language_switch_keeps_the_step(client: FlaskClient) -> None:
    text = page(client.get("/de/book/office?service=mbe&type=first-consultation"))
    assert "/ar/book/office?" in text and "service=mbe" in text


def test_every_step_works_without_javascript(client: FlaskClient) -> None:
    text = page(client.get("/ar/book"))
    assert "<script" not in text
    assert client.get("/ar/book").headers["Cache-Control"] == "no-store"


@pytest.fixture
def booked(booking_app: Flask) -> tuple[str, str]:
    with booking_app.app_context():
        result = book_first_slot(lang="uk", contact={"email": "client@example.org"})
        return result.token, result.appointment.code


def test_manage_page_shows_the_appointment(client: FlaskClient, booked) -> None:
    token, code = booked
    text = page(client.get(f"/uk/appointments/{token}"))
    assert code in text
    assert "Europe/Berlin" in text


def test_unknown_link_is_a_translated_404_that_reveals_nothing(client: FlaskClient) -> None:
    response = client.get("/uk/appointments/" + "A" * 43)
    assert response.status_code == 404
    assert "Сторінку не знайдено" in page(response) or "не" in page(response)
    assert client.get("/uk/appointments/short").status_code == 404


def test_expired_link_is_a_404(client: FlaskClient, booking_app: Flask, booked) -> None:
    token, _code = booked
    booking_app.config["MANAGE_LINK_DAYS_AFTER"] = -30
    try:
        assert client.get(f"/uk/appointments/{token}").status_code == 404
    finally:
        booking_app.config["MANAGE_LINK_DAYS_AFTER"] = 14


def test_calendar_download(client: FlaskClient, booked) -> None:
    token, code = booked
    response = client.get(f"/uk/appointments/{token}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert code in response.headers["Content-Disposition"]
    assert b"BEGIN:VEVENT" in response.data


def test_cancel_with_reason(client: FlaskClient, booking_app: Flask, booked) -> None:
    token, _code = booked
    confirm_page = page(client.get(f"/uk/appointments/{token}/cancel"))
    response = client.post(
        f"/uk/appointments/{token}/cancel",
        data={"csrf_token": csrf(confirm_page), "reason": "Я знайшла роботу"},
    )
    assert response.status_code == 303
    with booking_app.app_context():
        appointment = db.session.scalar(select(Appointment))
        assert appointment.status == "cancelled"
        assert appointment.cancel_reason == "Я знайшла роботу"
        kinds = {m.kind for m in db.session.scalars(select(OutboundMessage))}
        assert {"client_cancelled", "counsellor_cancelled"} <= kinds


def test_reschedule_from_the_manage_page(client: FlaskClient, booking_app: Flask, booked) -> None:
    token, code = booked
    choose = page(client.get(f"/uk/appointments/{token}/reschedule"))
    starts = re.findall(r'name="start" value="([^"]+)"', choose)
    response = client.post(
        f"/uk/appointments/{token}/reschedule",
        data={"csrf_token": csrf(choose), "start": starts[-1]},
    )
    assert response.status_code == 303
    with booking_app.app_context():
        appointment = db.session.scalar(select(Appointment))
        assert appointment.starts_at.isoformat() == starts[-1]
        assert appointment.code == code


def test_booking_is_rate_limited_with_a_translated_page(database_url: str) -> None:
    from .conftest import make_app, reset_schema

    app = make_app(database_url, RATELIMIT_ENABLED=True, BOOKING_RATE_LIMIT="2/minute")
    reset_schema(app)
    client = app.test_client()
    token = csrf(page(client.get("/staff/login")))
    statuses = [
        client.post("/uk/book/confirm", data={"csrf_token": token}).status_code for _ in range(3)
    ]
    assert statuses[:2] == [302, 302] and statuses[2] == 429
    limited = page(client.post("/uk/book/confirm", data={"csrf_token": token}))
    assert 'lang="uk"' in limited and "Too many requests" not in limited


def test_an_expired_form_comes_back_filled_in(client: FlaskClient) -> None:
    form, _review_page = review(client, "fa", email="client@example.org")
    form["csrf_token"] = "expired"
    response = client.post("/fa/book/confirm", data=form)
    assert response.status_code == 400
    text = page(response)
    assert 'name="email"' in text and 'value="client@example.org"' in text
    assert 'dir="rtl"' in text


def test_going_back_to_the_review_and_booking_again_books_once(
    client: FlaskClient, booking_app: Flask
) -> None:
    query, details_page = walk_to_details(client, "ar")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', details_page)[1]
    form = {
        **query,
        "csrf_token": csrf(details_page),
        "idempotency_key": key,
        "consent": consent_version(details_page),
    }
    for _attempt in range(2):  # the browser re-sends the details form on "back"
        review_page = page(client.post("/ar/book/review", data=form))
        assert f'name="idempotency_key" value="{key}"' in review_page
        client.post("/ar/book/confirm", data=form)
    assert count_appointments(booking_app) == 1


def test_booking_needs_consent_and_keeps_the_answers_without_it(
    client: FlaskClient, booking_app: Flask
) -> None:
    _form, response_page = review(client, "uk", consent="", phone="0151 23456789")
    assert "будь ласка" in response_page.lower() or "погод" in response_page.lower()
    assert 'value="0151 23456789"' in response_page
    assert count_appointments(booking_app) == 0


def test_a_changed_consent_text_is_shown_again_before_booking(
    client: FlaskClient, booking_app: Flask
) -> None:
    form, _review = review(client, "en")
    form["consent"] = "0123456789abcdef"  # the version shown before the text was edited
    response_page = page(client.post("/en/book/confirm", data=form))
    assert "This text has changed since you opened the page" in response_page
    assert count_appointments(booking_app) == 0
