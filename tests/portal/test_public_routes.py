import re

import pytest
from flask.testing import FlaskClient

from portal.constants import LANGUAGES, TOPIC_SLUGS

RTL = {"ar", "fa"}
PAGES = [
    "/{lang}/",
    "/{lang}/services",
    "/{lang}/services/jmd",
    "/{lang}/finder",
    "/{lang}/search?q=asyl",
    "/{lang}/finder?submitted=1&age=30&status=protection-status",
]


def assert_page_frame(html: str, lang: str) -> None:
    assert f'<html lang="{lang}" dir="{"rtl" if lang in RTL else "ltr"}">' in html
    for number in ("tel:110", "tel:112", "tel:116016", "tel:08001110111"):
        assert f'href="{number}"' in html
    for other in LANGUAGES:
        assert f'hreflang="{other}"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_in_every_language(client: FlaskClient, lang: str, path: str) -> None:
    response = client.get(path.format(lang=lang))
    assert response.status_code == 200
    assert_page_frame(response.get_data(as_text=True), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_every_topic_in_every_language(client: FlaskClient, lang: str, slug: str) -> None:
    response = client.get(f"/{lang}/topics/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_page_frame(html, lang)
    assert re.search(r"<h1>[^<]{3,}</h1>", html)
    assert 'class="sources"' in html


@pytest.mark.parametrize(
    "slug",
    ["unmsa", "fbd", "mbe", "jmd", "welcome-center", "psychosocial", "social-welfare-office"],
)
def test_service_pages_label_demo_data(client: FlaskClient, slug: str) -> None:
    html = client.get(f"/en/services/{slug}").get_data(as_text=True)
    assert "Demo data" in html
    assert "not a real number" in html
    # A demo phone number is never a tap-to-call link.
    assert not re.search(r'href="tel:0\d{3,5}0000', html)


def test_root_picks_language_from_accept_language(client: FlaskClient) -> None:
    client.delete_cookie("lotse_lang")
    response = client.get("/", headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fa/")


def test_chosen_language_is_remembered(client: FlaskClient) -> None:
    client.get("/uk/")
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.headers["Location"].endswith("/uk/")


def test_unknown_language_gives_translated_404_with_links(client: FlaskClient) -> None:
    client.delete_cookie("lotse_lang")
    response = client.get("/xx/topics/housing", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert 'href="/ar/"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_topic_gives_404_in_that_language(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/{lang}/topics/no-such-topic")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert f'href="/{lang}/services"' in html


def test_english_404_text(client: FlaskClient) -> None:
    html = client.get("/en/services/nothing-here").get_data(as_text=True)
    assert "We could not find this page." in html


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/de/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_third_parties(client: FlaskClient) -> None:
    html = client.get("/ar/topics/health").get_data(as_text=True)
    for match in re.finditer(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html):
        assert match.group(1).startswith("/") or match.group(1).startswith("http://lotse.test"), (
            match.group(1)
        )


def set_translation_status(client: FlaskClient, slug: str, lang: str, status: str) -> None:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Topic

    with client.application.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
        assert topic is not None
        translation = topic.translation(lang)
        assert translation is not None
        translation.translation_status = status
        db.session.commit()


def test_outdated_translation_shows_notice(client: FlaskClient) -> None:
    set_translation_status(client, "return", "en", "outdated")
    try:
        html = client.get("/en/topics/return").get_data(as_text=True)
        assert "The German original of this page was changed" in html
        assert 'href="/de/topics/return"' in html
    finally:
        set_translation_status(client, "return", "en", "up_to_date")


@pytest.mark.parametrize("path", ["/de/", "/ar/topics/housing", "/fa/services/jmd", "/uk/finder"])
def test_pages_work_without_javascript(client: FlaskClient, path: str) -> None:
    # Progressive enhancement: no page depends on a script; there are none to load.
    assert "<script" not in client.get(path).get_data(as_text=True)


def test_unexpected_error_gives_translated_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", PROPAGATE_EXCEPTIONS=False)

    @app.get("/de/boom")
    def boom() -> str:
        raise RuntimeError("broken")

    response = app.test_client().get("/de/boom", headers={"Accept-Language": "uk"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert '<html lang="uk"' in html
    assert "broken" not in html


def test_services_page_lists_areas_and_accommodation(client: FlaskClient) -> None:
    html = client.get("/en/services").get_data(as_text=True)
    assert "Gemeinschaftsunterkunft Herzberg" in html or "Shared accommodation Herzberg" in html
    assert "212 places" in html
    assert "Doberlug-Kirchhain" in html
