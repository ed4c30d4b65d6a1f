"""The pre-intake in Arabic and English in headless Chromium at 360×740, without JavaScript
being needed; every screen is screenshotted to tests/artifacts/screenshots/intake-{lang}-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.content import load_content

from .booking_support import add_counsellor, book_first_slot
from .conftest import (
    CHROMIUM,
    CONTENT_DIR,
    SCREENSHOTS,
    make_app,
    reset_schema,
    served_on_loopback,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian package chromium is not installed"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    path: Path = tmp_path_factory.mktemp("intake") / "lotse.db"
    app: Flask = make_app(f"sqlite:///{path}", SERVER_NAME=None)
    reset_schema(app)
    with app.app_context():
        load_content(CONTENT_DIR)
        add_counsellor("ar@example.org", ["mbe-finsterwalde"], ["de", "ar"])
    with served_on_loopback(app) as url:
        yield url, app


def shoot(phone, lang: str, step: str) -> None:  # type: ignore[no-untyped-def]
    assert phone.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{step}: page is {width}px wide"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"intake-{lang}-{step}.png"), full_page=True)


def save(phone) -> None:  # type: ignore[no-untyped-def]
    phone.locator("button[name=action][value=save]").click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_prepare_an_appointment_on_a_phone(phone, served, lang: str) -> None:  # type: ignore[no-untyped-def]
    url, app = served
    with app.app_context():
        token = book_first_slot(3, lang=lang).token
    phone.goto(f"{url}/{lang}/appointments/{token}")
    shoot(phone, lang, "0-appointment")
    phone.locator(".prepare-call a.button").click()
    shoot(phone, lang, "1-consent")
    phone.locator("input[name=share]").check()
    phone.locator("input[name=special]").check()
    phone.locator("main form button[type=submit]").click()
    shoot(phone, lang, "2-concerns")
    phone.locator("input[name=topics][value=housing]").check()
    phone.locator("input[name=urgency][value=soon]").check()
    save(phone)
    shoot(phone, lang, "3-household")
    phone.fill("#adults", "٢" if lang == "ar" else "2")
    phone.fill("#children", "x")  # a mistake: the error is shown, the rest kept
    save(phone)
    shoot(phone, lang, "3-household-error")
    assert phone.locator(".field__error").count() == 1
    phone.fill("#children", "1")
    phone.fill("#children_ages", "7")
    save(phone)
    for step in ("4-languages", "5-residence", "6-accommodation", "7-documents", "8-previous"):
        shoot(phone, lang, step)
        phone.locator("button[name=action][value=skip]").click()
    shoot(phone, lang, "9-vulnerability")
    phone.locator("input[name=indicators][value=single-parent]").check()
    save(phone)
    shoot(phone, lang, "10-message")
    phone.fill("#message", "أريد أن أسأل عن السكن" if lang == "ar" else "Question about housing")
    save(phone)
    shoot(phone, lang, "11-review")
    assert phone.locator("dl.answers").is_visible()
    phone.locator("main form button.primary").click()
    shoot(phone, lang, "12-sent")
    assert phone.locator(".notice--success").is_visible()
    phone.goto(f"{url}/{lang}/appointments/{token}/data")
    shoot(phone, lang, "13-data")
    assert phone.locator(".consent-record").count() == 3


def test_counsellor_reads_the_german_summary(phone, served) -> None:  # type: ignore[no-untyped-def]
    from portal.constants import ConsentPurpose
    from portal.intake import service

    from .booking_support import PASSWORD
    from .intake_support import FULL_ANSWERS, Booked, agree, answer_and_submit
    from .staff_support import enrol_totp, unused_code

    url, app = served
    with app.app_context():
        result = book_first_slot(4, lang="ar")
        booking = Booked(result.token, result.appointment.code, "ar")
        agree(booking, ConsentPurpose.SHARE_SUMMARY, ConsentPurpose.SPECIAL_CATEGORIES)
        answers = {**FULL_ANSWERS, "vulnerability": {"indicators": ["pregnancy"]}}
        answer_and_submit(booking, answers)
        service.prepare_submitted()
    enrol_totp(app, "ar@example.org")
    phone.goto(f"{url}/staff/login")
    phone.fill("#email", "ar@example.org")
    phone.fill("#password", PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.fill("#code", unused_code(app, "ar@example.org"))
    phone.locator("main form button[type=submit]").click()
    phone.goto(f"{url}/staff/intake")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "intake-staff-inbox.png"), full_page=True)
    phone.locator(f"a:text('{booking.code}')").click()
    phone.screenshot(path=str(SCREENSHOTS / "intake-staff-summary.png"), full_page=True)
    summary = phone.locator("article.summary-doc")
    assert "Besonderer Schutzbedarf angegeben" in summary.inner_text()
    assert "<script>" in summary.inner_text()  # shown as text, never run
