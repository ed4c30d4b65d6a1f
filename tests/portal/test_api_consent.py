"""Consent through the assistant's API: texts, chat consents, withdrawal; checked against
the OpenAPI description."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.constants import IntakeStatus
from portal.extensions import db
from portal.models import Intake

from .intake_support import FULL_ANSWERS, Booked, answer_and_submit
from .test_api_booking import bearer, checked, list_slots, post_booking

__all__ = ["bearer"]


@pytest.fixture
def api(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


def texts(api: FlaskClient, lang: str) -> dict[str, dict[str, Any]]:
    response = api.get(f"/api/v1/consent-texts?lang={lang}")
    body = checked(response, "/consent-texts")
    return {text["purpose"]: text for text in body["texts"]}


@pytest.fixture
def chat_booking(api: FlaskClient, bearer: dict[str, str]) -> dict[str, Any]:
    response = post_booking(api, bearer, list_slots(api, bearer)[0]["start"], lang="ar")
    assert response.status_code == 201
    body: dict[str, Any] = checked(response, "/bookings", "post")
    return body


@pytest.mark.parametrize("lang", ["de", "en", "ar", "fa", "uk"])
def test_every_purpose_has_a_text_in_every_language(api: FlaskClient, lang: str) -> None:
    found = texts(api, lang)
    assert set(found) == {"arrange-appointment", "share-summary", "special-categories"}
    assert all(text["lang"] == lang and text["label"] for text in found.values())


def test_booking_returns_links_to_prepare_and_to_the_data_page(
    chat_booking: dict[str, Any],
) -> None:
    token = chat_booking["token"]
    assert chat_booking["prepare_url"].endswith(f"/ar/appointments/{token}/prepare")
    assert chat_booking["data_url"].endswith(f"/ar/appointments/{token}/data")


def test_consent_given_in_the_chat_is_recorded_with_version_and_channel(
    api: FlaskClient,
    bearer: dict[str, str],
    chat_booking: dict[str, Any],
) -> None:
    token = chat_booking["token"]
    version = texts(api, "ar")["share-summary"]["version"]
    url = f"/api/v1/bookings/{token}/consents?lang=ar"
    response = api.post(url, json={"purpose": "share-summary", "version": version}, headers=bearer)
    assert response.status_code == 201
    record = checked(response, "/bookings/{token}/consents", "post")
    assert record == {**record, "purpose": "share-summary", "version": version, "channel": "chat"}
    listed = checked(api.get(url, headers=bearer), "/bookings/{token}/consents")["consents"]
    assert [c["purpose"] for c in listed] == ["arrange-appointment", "share-summary"]
    assert {c["channel"] for c in listed} == {"chat"}


def test_an_outdated_or_missing_version_is_refused(
    api: FlaskClient,
    bearer: dict[str, str],
    chat_booking: dict[str, Any],
) -> None:
    url = f"/api/v1/bookings/{chat_booking['token']}/consents?lang=ar"
    for body in ({"purpose": "share-summary", "version": "0123456789abcdef"},
                 {"purpose": "share-summary"}, {"purpose": "marketing", "version": "x"}):
        response = api.post(url, json=body, headers=bearer)
        assert response.status_code == 400
        checked(response, "/bookings/{token}/consents", "post")
    assert api.post(url, json={}, headers={}).status_code == 401


def test_withdrawing_sharing_through_the_api_erases_the_answers(
    api: FlaskClient,
    booking_app: Flask,
    bearer: dict[str, str],
    chat_booking: dict[str, Any],
) -> None:
    token = chat_booking["token"]
    version = texts(api, "ar")["share-summary"]["version"]
    url = f"/api/v1/bookings/{token}/consents?lang=ar"
    api.post(url, json={"purpose": "share-summary", "version": version}, headers=bearer)
    with booking_app.app_context():
        answer_and_submit(Booked(token, chat_booking["code"], "ar"), FULL_ANSWERS)
    response = api.post(
        f"/api/v1/bookings/{token}/consents/share-summary/withdraw?lang=ar", headers=bearer
    )
    consents = checked(response, "/bookings/{token}/consents/{purpose}/withdraw", "post")
    share = next(c for c in consents["consents"] if c["purpose"] == "share-summary")
    assert share["withdrawn_at"] is not None
    with booking_app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.WITHDRAWN and intake.answers is None
