"""The booking API as the chat assistant uses it; every response is checked against the spec."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from openapi_schema_validator import OAS31Validator
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.booking.forms import parse_details
from portal.booking.labels import problem_message
from portal.booking.service import Problem, book
from portal.booking.steps import parse_instant
from portal.booking.tokens import new_idempotency_key
from portal.constants import AppointmentStatus
from portal.extensions import db
from portal.models import Appointment

from .booking_support import days_ahead, request_for
from .test_api import spec

SLOT_CHOICE = {
    "service": "mbe",
    "type": "first-consultation",
    "office": "mbe-finsterwalde",
    "mode": "in_person",
}
BOOKING_OPERATIONS = {
    ("/booking/services", "get"),
    ("/booking/slots", "get"),
    ("/bookings", "post"),
    ("/bookings/{token}", "get"),
    ("/bookings/{token}/cancel", "post"),
    ("/bookings/{token}/consents", "get"),
    ("/bookings/{token}/consents", "post"),
    ("/bookings/{token}/consents/{purpose}/withdraw", "post"),
}
UNKNOWN_TOKEN = "A" * 43


# --- checking against the OpenAPI file -------------------------------------------------------


def _with_components(schema: dict[str, Any]) -> dict[str, Any]:
    # Resolve '#/components/...' against the whole document.
    return {**schema, "components": spec()["components"]}


def _resolve(item: dict[str, Any], section: str) -> dict[str, Any]:
    if "$ref" in item:
        found: dict[str, Any] = spec()["components"][section][item["$ref"].rsplit("/", 1)[1]]
        return found
    return item


def response_schema(path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec()["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    response = _resolve(responses[str(status)], "responses")
    return _with_components(response["content"]["application/json"]["schema"])


def checked(response: TestResponse, path: str, method: str = "get") -> Any:
    """The JSON body, after checking that the spec documents it for this status."""
    assert response.mimetype == "application/json"
    body = response.get_json()
    OAS31Validator(response_schema(path, method, response.status_code)).validate(body)
    return body


def valid_request_body(body: dict[str, Any]) -> dict[str, Any]:
    schema = spec()["paths"]["/bookings"]["post"]["requestBody"]["content"]["application/json"]
    OAS31Validator(_with_components(schema["schema"])).validate(body)
    return body


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def api(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


@pytest.fixture
def bearer(booking_app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {booking_app.config['BOT_API_SECRET']}"}


def appointment_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appointment)) or 0


def list_slots(
    api: FlaskClient, bearer: dict[str, str], lang: str = "de", first: int = 2, last: int = 9
) -> list[dict[str, Any]]:
    query = {
        **SLOT_CHOICE,
        "lang": lang,
        "from": days_ahead(first).isoformat(),
        "to": days_ahead(last).isoformat(),
    }
    response = api.get("/api/v1/booking/slots", query_string=query, headers=bearer)
    assert response.status_code == 200
    slots: list[dict[str, Any]] = checked(response, "/booking/slots")["slots"]
    assert slots, "no free time in the coming week"
    return slots


def consent_version(api: FlaskClient, lang: str) -> str:
    texts = api.get(f"/api/v1/consent-texts?lang={lang}").get_json()["texts"]
    return next(t["version"] for t in texts if t["purpose"] == "arrange-appointment")


def post_booking(
    api: FlaskClient,
    bearer: dict[str, str],
    start: str,
    lang: str = "de",
    key: str | None = None,
    **fields: Any,
) -> TestResponse:
    fields.setdefault("consent_version", consent_version(api, lang))
    body = valid_request_body({**SLOT_CHOICE, "start": start, **fields})
    headers = {**bearer, "Idempotency-Key": key or new_idempotency_key()}
    return api.post(f"/api/v1/bookings?lang={lang}", json=body, headers=headers)


@pytest.fixture
def booked(api: FlaskClient, bearer: dict[str, str]) -> dict[str, Any]:
    """A booking made through the API in Ukrainian, as its 201 body."""
    response = post_booking(api, bearer, list_slots(api, bearer)[0]["start"], lang="uk")
    assert response.status_code == 201
    body: dict[str, Any] = checked(response, "/bookings", "post")
    return body


def in_language(app: Flask, lang: str, make: Any) -> str:
    with app.test_request_context(), force_locale(lang):
        return str(make())


# --- the contract ----------------------------------------------------------------------------


def test_only_the_booking_operations_need_the_bearer_token() -> None:
    assert "security" not in spec()
    scheme = spec()["components"]["securitySchemes"]["botBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, operations in spec()["paths"].items():
        for method, operation in operations.items():
            booking = (path, method) in BOOKING_OPERATIONS
            expected: list[dict[str, list[str]]] | None = [{"botBearer": []}] if booking else None
            assert operation.get("security") == expected, (method, path)
            if expected:
                assert "401" in operation["responses"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-secret", "Basic d3Jvbmc6c2VjcmV0", "{secret}", "Bearer {secret}x"],
)
def test_without_the_right_bearer_token_nothing_happens(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str], authorization: str | None
) -> None:
    secret = booking_app.config["BOT_API_SECRET"]
    headers = {"Authorization": authorization.format(secret=secret)} if authorization else {}
    start = list_slots(api, bearer)[0]["start"]
    key_headers = {**headers, "Idempotency-Key": new_idempotency_key()}
    calls = [
        (api.get("/api/v1/booking/services", headers=headers), "/booking/services", "get"),
        (
            api.get("/api/v1/booking/slots", query_string=SLOT_CHOICE, headers=headers),
            "/booking/slots",
            "get",
        ),
        (
            api.post("/api/v1/bookings", json={**SLOT_CHOICE, "start": start}, headers=key_headers),
            "/bookings",
            "post",
        ),
        (api.get(f"/api/v1/bookings/{UNKNOWN_TOKEN}", headers=headers), "/bookings/{token}", "get"),
        (
            api.post(f"/api/v1/bookings/{UNKNOWN_TOKEN}/cancel", headers=headers),
            "/bookings/{token}/cancel",
            "post",
        ),
    ]
    for response, path, method in calls:
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert checked(response, path, method)["error"]["status"] == 401
    assert appointment_count(booking_app) == 0


def test_a_booking_cannot_be_read_or_cancelled_without_the_token(
    api: FlaskClient, booking_app: Flask, booked: dict[str, Any]
) -> None:
    token = booked["token"]
    wrong = {"Authorization": "Bearer wrong-secret"}
    assert api.get(f"/api/v1/bookings/{token}").status_code == 401
    assert api.post(f"/api/v1/bookings/{token}/cancel", headers=wrong).status_code == 401
    with booking_app.app_context():
        statuses = db.session.scalars(select(Appointment.status)).all()
    assert statuses == [AppointmentStatus.BOOKED]


def test_bookable_services_with_types_and_offices(api: FlaskClient, bearer: dict[str, str]) -> None:
    response = api.get("/api/v1/booking/services?lang=uk", headers=bearer)
    assert response.status_code == 200
    body = checked(response, "/booking/services")
    assert body["lang"] == "uk"
    mbe = next(s for s in body["services"] if s["slug"] == "mbe")
    types = {kind["slug"]: kind for kind in mbe["types"]}
    assert set(types) == {"first-consultation", "follow-up"}
    first = types["first-consultation"]
    assert first["name"] == "Перша консультація"
    assert first["first_visit"] is True and first["duration_minutes"] == 45
    assert first["modes"] == ["in_person", "phone"]
    assert "mbe-finsterwalde" in {office["slug"] for office in mbe["offices"]}
    assert all(service["types"] for service in body["services"])


def test_free_times_over_a_date_range(api: FlaskClient, bearer: dict[str, str]) -> None:
    slots = list_slots(api, bearer, lang="uk", first=2, last=9)
    starts = [dt.datetime.fromisoformat(slot["start"]) for slot in slots]
    assert starts == sorted(starts)
    for slot, start in zip(slots, starts, strict=True):
        local = dt.datetime.fromisoformat(slot["local_start"])
        assert start.utcoffset() == dt.timedelta(0) and local == start
        assert local.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
        assert days_ahead(2) <= local.date() <= days_ahead(9)
        assert "08:00" <= local.strftime("%H:%M") < "18:00"
        assert dt.datetime.fromisoformat(slot["end"]) - start == dt.timedelta(minutes=45)
    assert all(slot["speaks_language"] for slot in slots)  # the Ukrainian-speaking counsellor
    # Nobody speaks Farsi: the times are offered all the same, flagged for the assistant.
    assert not any(slot["speaks_language"] for slot in list_slots(api, bearer, lang="fa"))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "30.03.2026"}, "from"),
        ({"to": "soon"}, "to"),
        ({"from": "+2", "to": "+1"}, "to"),  # to before from
        ({"from": "+2", "to": "+33"}, "to"),  # 32 days
        ({"service": "nope"}, "service"),
        ({"type": "nope"}, "type"),
        ({"office": "nope"}, "office"),
        ({"mode": "video"}, "mode"),  # not offered for this type
        ({"lang": "xx"}, "lang"),
    ],
)
def test_bad_slot_queries_are_400_with_field(
    api: FlaskClient, bearer: dict[str, str], query: dict[str, str], field: str
) -> None:
    for name in ("from", "to"):  # "+n": n days from today
        if query.get(name, "").startswith("+"):
            query = {**query, name: days_ahead(int(query[name])).isoformat()}
    response = api.get(
        "/api/v1/booking/slots", query_string={**SLOT_CHOICE, **query}, headers=bearer
    )
    assert response.status_code == 400
    assert checked(response, "/booking/slots")["error"]["field"] == field


def test_a_range_of_31_days_is_allowed(api: FlaskClient, bearer: dict[str, str]) -> None:
    query = {**SLOT_CHOICE, "from": days_ahead(2).isoformat(), "to": days_ahead(32).isoformat()}
    response = api.get("/api/v1/booking/slots", query_string=query, headers=bearer)
    assert response.status_code == 200
    checked(response, "/booking/slots")


@pytest.mark.parametrize("lang", ["uk", "ar"])
def test_booking_and_a_retry_book_once(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str], lang: str
) -> None:
    slot = list_slots(api, bearer, lang=lang)[0]
    key = new_idempotency_key()
    first = post_booking(
        api, bearer, slot["start"], lang=lang, key=key, email="client@example.org", topics=["work"]
    )
    assert first.status_code == 201
    created = checked(first, "/bookings", "post")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", created["code"])
    assert created["status"] == "booked" and created["language"] == lang
    assert created["start"] == slot["start"] and created["local_start"] == slot["local_start"]
    assert (created["service"], created["type"], created["office"], created["mode"]) == tuple(
        SLOT_CHOICE.values()
    )
    assert f"/{lang}/appointments/{created['token']}" in created["manage_url"]

    again = post_booking(
        api, bearer, slot["start"], lang=lang, key=key, email="client@example.org", topics=["work"]
    )
    assert again.status_code == 200
    replayed = checked(again, "/bookings", "post")
    assert replayed["token"] == created["token"] and replayed["code"] == created["code"]
    assert appointment_count(booking_app) == 1
    with booking_app.app_context():
        appointment = db.session.scalars(select(Appointment)).one()
        assert appointment.origin == "chat"
        assert appointment.contact == {"email": "client@example.org"}
        assert appointment.topics == ["work"]
    # The counsellor who speaks the language got the booking; the other one is still free.
    assert slot["speaks_language"] is True
    after = {s["start"]: s for s in list_slots(api, bearer, lang=lang)}
    assert after[slot["start"]]["speaks_language"] is False


@pytest.mark.parametrize("key", [None, "too-short", "with spaces in it, 16+ chars"])
def test_an_idempotency_key_is_required(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str], key: str | None
) -> None:
    start = list_slots(api, bearer)[0]["start"]
    headers = {**bearer, **({"Idempotency-Key": key} if key else {})}
    response = api.post("/api/v1/bookings", json={**SLOT_CHOICE, "start": start}, headers=headers)
    assert response.status_code == 400
    assert checked(response, "/bookings", "post")["error"]["field"] == "Idempotency-Key"
    assert appointment_count(booking_app) == 0


def test_the_same_key_for_another_booking_is_422(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str]
) -> None:
    start = list_slots(api, bearer)[0]["start"]
    key = new_idempotency_key()
    assert post_booking(api, bearer, start, key=key).status_code == 201
    response = post_booking(
        api, bearer, start, lang="uk", key=key, mode="phone", phone="0151 23456789"
    )
    assert response.status_code == 422
    error = checked(response, "/bookings", "post")["error"]
    assert error["code"] == "key_reused" and error["status"] == 422
    assert error["message"] == in_language(
        booking_app, "uk", lambda: problem_message(Problem.KEY_REUSED)
    )
    assert appointment_count(booking_app) == 1


def test_a_bad_phone_number_is_400_in_the_clients_language(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str]
) -> None:
    start = list_slots(api, bearer)[0]["start"]
    response = post_booking(api, bearer, start, lang="uk", phone="call me maybe")
    assert response.status_code == 400
    error = checked(response, "/bookings", "post")["error"]
    assert error["field"] == "phone"

    def message() -> str:
        return parse_details({"phone": "call me maybe"}, [], "in_person", "de")[1]["phone"]

    english = in_language(booking_app, "en", message)
    assert english.startswith("Please enter a phone number")
    assert error["message"] == in_language(booking_app, "uk", message) != english
    assert appointment_count(booking_app) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mode": "phone"}, "phone"),  # a phone appointment needs a number
        ({"email": "not-an-address"}, "email"),
        ({"topics": ["not-a-topic"]}, "topics"),
        ({"topics": "work"}, "topics"),
        ({"interpreter_language": "xx"}, "interpreter_language"),
        ({"start": "2030-01-07T09:00:00"}, "start"),  # no offset
        ({"service": "nope"}, "service"),
        ({"office": "nope"}, "office"),
        ({"mode": "video"}, "mode"),
        ({"consent_version": None}, "consent_version"),  # no booking without consent
        ({"consent_version": "0123456789abcdef"}, "consent_version"),  # an old text
    ],
)
def test_bad_booking_input_is_400_with_field(
    api: FlaskClient,
    booking_app: Flask,
    bearer: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    start = list_slots(api, bearer)[0]["start"]
    body = {**SLOT_CHOICE, "start": start, "consent_version": consent_version(api, "en"), **change}
    headers = {**bearer, "Idempotency-Key": new_idempotency_key()}
    response = api.post("/api/v1/bookings?lang=en", json=body, headers=headers)
    assert response.status_code == 400
    assert checked(response, "/bookings", "post")["error"]["field"] == field
    assert appointment_count(booking_app) == 0


def test_a_body_that_is_not_a_json_object_is_400(api: FlaskClient, bearer: dict[str, str]) -> None:
    headers = {**bearer, "Idempotency-Key": new_idempotency_key()}
    response = api.post("/api/v1/bookings", data="service=mbe", headers=headers)
    assert response.status_code == 400
    assert checked(response, "/bookings", "post")["error"]["field"] == "body"


def test_a_time_taken_by_others_is_409_with_a_translated_message(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str]
) -> None:
    start = list_slots(api, bearer, lang="ar")[0]["start"]
    moment = parse_instant(start)
    assert moment is not None
    with booking_app.app_context():  # both counsellors get booked at that time meanwhile
        book(request_for(moment))
        book(request_for(moment))
    response = post_booking(api, bearer, start, lang="ar")
    assert response.status_code == 409
    error = checked(response, "/bookings", "post")["error"]
    assert error["status"] == 409
    # Computed slots no longer hold that time, so the service reports it as not offered.
    assert error["code"] in {Problem.SLOT_TAKEN, Problem.NOT_OFFERED}
    problem = Problem(error["code"])
    arabic = in_language(booking_app, "ar", lambda: problem_message(problem))
    assert (
        error["message"]
        == arabic
        != in_language(booking_app, "en", lambda: problem_message(problem))
    )
    assert appointment_count(booking_app) == 2


def test_a_time_that_is_not_offered_is_409(api: FlaskClient, bearer: dict[str, str]) -> None:
    too_soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).replace(microsecond=0)
    response = post_booking(api, bearer, too_soon.isoformat(), lang="en")
    assert response.status_code == 409
    assert checked(response, "/bookings", "post")["error"]["code"] == "too_soon"


def test_read_and_cancel_by_token(
    api: FlaskClient, booking_app: Flask, bearer: dict[str, str], booked: dict[str, Any]
) -> None:
    token = booked["token"]
    response = api.get(f"/api/v1/bookings/{token}?lang=uk", headers=bearer)
    assert response.status_code == 200
    read = checked(response, "/bookings/{token}")
    assert "token" not in read and "manage_url" not in read  # the secret is shown only once
    links = ("token", "manage_url", "prepare_url", "data_url")  # each holds the secret
    assert read == {k: v for k, v in booked.items() if k not in links}

    response = api.post(
        f"/api/v1/bookings/{token}/cancel?lang=uk", json={"reason": "Ich bin krank"}, headers=bearer
    )
    assert response.status_code == 200
    cancelled = checked(response, "/bookings/{token}/cancel", "post")
    assert cancelled["status"] == "cancelled" and cancelled["code"] == booked["code"]
    with booking_app.app_context():
        appointment = db.session.scalars(select(Appointment)).one()
        assert appointment.cancel_reason == "Ich bin krank" and appointment.claims == []

    again = api.post(f"/api/v1/bookings/{token}/cancel", headers=bearer)  # no body
    assert again.status_code == 200
    assert checked(again, "/bookings/{token}/cancel", "post")["status"] == "cancelled"
    read_again = api.get(f"/api/v1/bookings/{token}", headers=bearer)
    assert checked(read_again, "/bookings/{token}")["status"] == "cancelled"
    # The time is free again.
    assert booked["start"] in {slot["start"] for slot in list_slots(api, bearer, lang="uk")}


def test_a_too_long_cancel_reason_is_400(
    api: FlaskClient, bearer: dict[str, str], booked: dict[str, Any]
) -> None:
    response = api.post(
        f"/api/v1/bookings/{booked['token']}/cancel", json={"reason": "x" * 501}, headers=bearer
    )
    assert response.status_code == 400
    assert checked(response, "/bookings/{token}/cancel", "post")["error"]["field"] == "reason"


@pytest.mark.parametrize("token", [UNKNOWN_TOKEN, "nope"])
def test_an_unknown_token_is_404_json(api: FlaskClient, bearer: dict[str, str], token: str) -> None:
    read = api.get(f"/api/v1/bookings/{token}?lang=en", headers=bearer)
    assert read.status_code == 404
    assert checked(read, "/bookings/{token}")["error"]["status"] == 404
    cancel = api.post(f"/api/v1/bookings/{token}/cancel?lang=en", headers=bearer)
    assert cancel.status_code == 404
    assert checked(cancel, "/bookings/{token}/cancel", "post")["error"]["status"] == 404
