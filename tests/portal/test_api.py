from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from portal.constants import LANGUAGES, TOPIC_SLUGS

SPEC_PATH = Path(__file__).resolve().parents[2] / "portal" / "openapi.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def response_schema(path: str, status: str = "200") -> dict[str, Any]:
    operation = spec()["paths"][path]["get"]["responses"][status]
    if "$ref" in operation:
        name = operation["$ref"].rsplit("/", 1)[1]
        operation = spec()["components"]["responses"][name]
    schema = operation["content"]["application/json"]["schema"]
    # Resolve '#/components/...' against the whole document.
    return {**schema, "components": spec()["components"]}


def assert_matches(body: Any, path: str, status: str = "200") -> None:
    OAS31Validator(response_schema(path, status)).validate(body)


def test_spec_is_valid_openapi() -> None:
    validate(spec())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_topics(client: FlaskClient, lang: str) -> None:
    body = client.get(f"/api/v1/topics?lang={lang}").get_json()
    assert_matches(body, "/topics")
    assert [t["slug"] for t in body["topics"]] == list(TOPIC_SLUGS)
    assert all(t["lang"] == lang for t in body["topics"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_topic_detail(client: FlaskClient, lang: str) -> None:
    body = client.get(f"/api/v1/topics/asylum-procedure?lang={lang}").get_json()
    assert_matches(body, "/topics/{slug}")
    assert body["body_markdown"].startswith("## ")
    assert body["url"].endswith(f"/{lang}/topics/asylum-procedure")


def test_unknown_topic_is_404_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/topics/nope?lang=en")
    assert response.status_code == 404
    assert_matches(response.get_json(), "/topics/{slug}", "404")


def test_services_filtered_by_situation(client: FlaskClient) -> None:
    body = client.get(
        "/api/v1/services?lang=uk&age=40&status=temporary-protection&housing=own-flat"
    ).get_json()
    assert_matches(body, "/services")
    slugs = {s["slug"] for s in body["services"]}
    assert "mbe" in slugs and "jmd" not in slugs
    office = body["services"][0]["offices"][0]
    assert office["demo"] is True


def test_finder(client: FlaskClient) -> None:
    body = client.get("/api/v1/finder?lang=en&age=19").get_json()
    assert_matches(body, "/finder")
    jmd = next(r for r in body["results"] if r["service"]["slug"] == "jmd")
    assert jmd["reasons"][0]["text"] == "Your age fits: this service is for ages 12 to 26."


def test_finder_reasons_are_translated(client: FlaskClient) -> None:
    english = client.get("/api/v1/finder?lang=en&age=19").get_json()
    german = client.get("/api/v1/finder?lang=de&age=19").get_json()
    assert english["results"][0]["reasons"] != german["results"][0]["reasons"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lang=xx", "lang"),
        ("age=old", "age"),
        ("age=400", "age"),
        ("status=king", "status"),
        ("housing=castle", "housing"),
        ("area=atlantis", "area"),
    ],
)
def test_bad_parameters_are_400_with_field(client: FlaskClient, query: str, field: str) -> None:
    response = client.get(f"/api/v1/finder?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert_matches(body, "/finder", "400")
    assert body["error"]["field"] == field


def test_areas(client: FlaskClient) -> None:
    body = client.get("/api/v1/areas?lang=fa").get_json()
    assert_matches(body, "/areas")
    assert len(body["areas"]) == 4


def test_finder_understands_arabic_digits_like_the_form(client: FlaskClient) -> None:
    body = client.get("/api/v1/finder", query_string={"lang": "ar", "age": "١٩"}).get_json()
    jmd = next(r for r in body["results"] if r["service"]["slug"] == "jmd")
    assert jmd["confirmed"] is True
