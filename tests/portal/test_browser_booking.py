"""Booking an appointment in Farsi and Ukrainian in headless Chromium at 360×740.

Every step is screenshotted to tests/artifacts/screenshots/booking-{lang}-{step}.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.content import load_content

from .booking_support import add_counsellor
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
def booking_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("booking") / "lotse.db"
    app: Flask = make_app(f"sqlite:///{path}", SERVER_NAME=None)
    reset_schema(app)
    with app.app_context():
        load_content(CONTENT_DIR)
        add_counsellor("fa@example.org", ["fbd-herzberg"], ["de", "fa"])
        add_counsellor("uk@example.org", ["mbe-finsterwalde"], ["de", "uk"])
    with served_on_loopback(app) as url:
        yield url


def check_and_shoot(phone, lang: str, step: str) -> None:  # type: ignore[no-untyped-def]
    assert phone.get_attribute("html", "dir") == ("rtl" if lang == "fa" else "ltr")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{step}: page is {width}px wide"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"booking-{lang}-{step}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "service"), [("fa", "fbd"), ("uk", "mbe")])
def test_book_an_appointment_on_a_phone(phone, booking_url: str, lang: str, service: str) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    phone.goto(f"{booking_url}/{lang}/book")
    check_and_shoot(phone, lang, "1-topic")
    phone.goto(f"{booking_url}/{lang}/book?service={service}")
    check_and_shoot(phone, lang, "2-type")
    phone.locator("button[type=submit]").click()
    check_and_shoot(phone, lang, "3-office")
    phone.locator("main button[type=submit]").click()
    check_and_shoot(phone, lang, "4-day")
    phone.locator("ul.choices a.choice").first.click()
    check_and_shoot(phone, lang, "5-time")
    phone.locator("label.choice--time").first.click()
    phone.locator("main button[type=submit]").click()
    check_and_shoot(phone, lang, "6-details")
    phone.locator("input[name=topics]").first.check()
    phone.fill("#phone", "0151 23456789")
    phone.locator("input[name=consent]").check()
    phone.locator("main form button[type=submit]").click()
    check_and_shoot(phone, lang, "7-review")
    phone.locator("button.primary").click()
    check_and_shoot(phone, lang, "8-confirmation")
    code = phone.locator("strong.code").inner_text()
    assert len(code) == 9 and code[4] == "-"
    assert phone.locator("a[href$='calendar.ics']").is_visible()
    assert all(url.startswith(booking_url) for url in requests), "no third-party requests"
