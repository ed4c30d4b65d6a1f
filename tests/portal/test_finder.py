import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.finder import Situation, find_services
from portal.models import Service


def found(app: Flask, situation: Situation) -> dict[str, bool]:
    with app.app_context():
        services = list(db.session.scalars(select(Service).order_by(Service.position)))
        return {m.service.slug: m.confirmed for m in find_services(services, situation)}


def test_young_asylum_seeker_in_shared_accommodation(app: Flask) -> None:
    result = found(
        app, Situation(age=19, residence_status="asylum-seeker", housing="communal-accommodation")
    )
    assert result["jmd"] is True  # 12–26
    assert result["unmsa"] is True
    assert "mbe" not in result  # 27 and older only
    assert result["welcome-center"] is True  # open to everyone


def test_adult_with_protection_in_own_flat(app: Flask) -> None:
    result = found(app, Situation(age=40, residence_status="protection-status", housing="own-flat"))
    assert result["mbe"] is True
    assert "jmd" not in result
    assert "unmsa" not in result  # the accommodation-based service ends with the move out
    assert "social-welfare-office" not in result


def test_unanswered_questions_never_exclude(app: Flask) -> None:
    result = found(app, Situation())
    assert set(result) >= {"unmsa", "fbd", "mbe", "jmd", "welcome-center", "psychosocial"}
    assert result["welcome-center"] is True
    assert result["jmd"] is False  # age not given: still shown, but needs checking


def test_age_boundaries(app: Flask) -> None:
    assert "jmd" in found(app, Situation(age=26))
    assert "jmd" not in found(app, Situation(age=27))
    assert "jmd" in found(app, Situation(age=12))
    assert "jmd" not in found(app, Situation(age=11))


def test_finder_page_explains_why(client: FlaskClient) -> None:
    html = client.get("/en/finder?submitted=1&age=19&status=asylum-seeker").get_data(as_text=True)
    assert "Your age fits: this service is for ages 12 to 26." in html
    assert "Your residence status fits: Asylum seeker (Aufenthaltsgestattung)." in html


@pytest.mark.parametrize("age", ["abc", "-4", "500", "1e3"])
def test_bad_age_gets_translated_error_and_keeps_input(client: FlaskClient, age: str) -> None:
    html = client.get(
        "/en/finder", query_string={"submitted": 1, "age": age, "status": "duldung"}
    ).get_data(as_text=True)
    assert "Please enter" in html
    assert 'aria-invalid="true"' in html
    assert '<option value="duldung" selected>' in html  # the other answers are kept


def test_arabic_digits_are_understood(client: FlaskClient) -> None:
    html = client.get("/ar/finder", query_string={"submitted": 1, "age": "١٩"}).get_data(
        as_text=True
    )
    assert 'aria-invalid="true"' not in html
    assert "/ar/services/jmd" in html


def test_unknown_choice_is_an_error_not_a_crash(client: FlaskClient) -> None:
    response = client.get("/de/finder", query_string={"submitted": 1, "status": "<script>"})
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)
