"""Pages as a client sees them: headless Chromium (Debian's) at phone size, all five languages.

Screenshots land in tests/artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal.constants import LANGUAGES

from .conftest import CHROMIUM, SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian package chromium is not installed"),
]
PAGES = {
    "home": "/{lang}/",
    "topic": "/{lang}/topics/asylum-procedure",
    "services": "/{lang}/services",
    "service": "/{lang}/services/unmsa",
    "finder": "/{lang}/finder?submitted=1&age=30&status=asylum-seeker",
}


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.config["SERVER_NAME"] = "lotse.test"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_at_phone_size(phone, base_url: str, lang: str, name: str) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    response = phone.goto(base_url + PAGES[name].format(lang=lang))
    assert response is not None and response.status == 200
    direction = phone.get_attribute("html", "dir")
    assert direction == ("rtl" if lang in {"ar", "fa"} else "ltr")
    assert phone.get_attribute("html", "lang") == lang
    # No horizontal scrolling at 360 px.
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"page is {scroll_width}px wide"
    # The emergency numbers are visible without scrolling.
    for number in ("110", "112"):
        link = phone.locator(f'.emergency-bar a[href="tel:{number}"]')
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 740
    assert all(url.startswith(base_url) for url in requests), "no third-party requests"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}.png"), full_page=True)
