"""An editor's day in headless Chromium: change the German text, publish it, see the Arabic
translation turn outdated, get a machine draft (tiny argostranslate packages, the job
runner in-process), review and publish it. Screenshots: tests/artifacts/screenshots/editor-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from integrations.translation import argos
from portal.cli import create_user
from portal.constants import Role
from portal.content import load_content
from portal.editor.machine_drafts import run_queued_jobs

from .argos_models import build_package
from .conftest import CHROMIUM, CONTENT_DIR, SCREENSHOTS, make_app, reset_schema, served_on_loopback

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian package chromium is not installed"),
]

EMAIL, PASSWORD = "editor@example.org", "a long test password"
HELLO_AR = "مرحبا بالعالم"  # what the test en→ar package outputs


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    folder: Path = tmp_path_factory.mktemp("editor-browser")
    packages = folder / "argos-packages"
    app = make_app(
        f"sqlite:///{folder / 'lotse.db'}", SERVER_NAME=None, ARGOS_PACKAGES_DIR=str(packages)
    )
    reset_schema(app)
    with app.app_context():
        load_content(CONTENT_DIR)
        create_user(EMAIL, "Erika Editor", Role.EDITOR, PASSWORD)
    argos.configure(packages)
    argos.install_package(build_package(folder / "models", "de", "en", "hello world"))
    argos.install_package(build_package(folder / "models", "en", "ar", HELLO_AR))
    with served_on_loopback(app) as url:
        yield url, app


@pytest.fixture
def desk(browser):  # type: ignore[no-untyped-def]
    """A desktop browser window in English, where editors work."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="en-GB"
    )
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{name}: page is {width}px wide in a {viewport}px window"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"editor-{name}.png"), full_page=True)


def badge(page, title: str, language: str) -> str:  # type: ignore[no-untyped-def]
    link = page.locator(f'a[aria-label^="{title} – {language}: "]')
    return str(link.get_attribute("aria-label")).rsplit(": ", 1)[1]


def test_edit_publish_and_machine_draft(desk, phone, served) -> None:  # type: ignore[no-untyped-def]
    url, app = served
    desk.goto(f"{url}/staff/login")
    desk.fill("input[name=email]", EMAIL)
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.goto(f"{url}/staff/editor/topics/health/de")
    title = desk.input_value("#title")

    # The German text changes; the live preview follows the typing (editor.js).
    desk.fill("#summary", "Neue Regeln ab dem 1. Januar: bitte lesen Sie den ganzen Text.")
    body = desk.input_value("#body_md")
    desk.fill("#body_md", "## Neu ab Januar\n\nDas ist **wichtig**.\n\n" + body)
    desk.locator("#preview h2", has_text="Neu ab Januar").wait_for()
    assert desk.inner_html("#preview").count("<strong>wichtig</strong>") == 1
    shoot(desk, "edit-de")
    desk.click("button[name=action][value=save]")
    assert "Draft saved as version 2." in desk.inner_text("main")
    desk.click("button:has-text('Publish version 2')")
    assert "Version 2 is published." in desk.inner_text("main")

    desk.goto(f"{url}/staff/editor/")
    assert badge(desk, title, "العربية") == "outdated"
    assert "العربية: 14 of 15 up to date" in desk.inner_text(".coverage-counts")
    shoot(desk, "dashboard-outdated")

    # A machine draft from the dashboard cell; the jobs process runs in-process here.
    desk.click(f'button[aria-label="Make machine draft: {title} – العربية"]')
    assert "Waiting for the jobs process" in desk.inner_text("main")
    shoot(desk, "job-queued")
    with app.app_context():
        assert run_queued_jobs() == 1
    desk.reload()
    assert "The machine draft is ready." in desk.inner_text("main")
    shoot(desk, "job-done")

    desk.click("text=Review the draft")
    assert desk.input_value("#title") == HELLO_AR
    assert desk.get_attribute("#body_md", "dir") == "rtl"
    assert desk.input_value("#body_md").startswith(f"## {HELLO_AR}\n\n{HELLO_AR} **{HELLO_AR}**")
    assert "machine translated" in desk.inner_text("main")
    shoot(desk, "edit-ar-machine-draft")
    desk.fill("#title", "الصحة وزيارة الطبيب")
    desk.click("button[name=action][value=save]")
    desk.click("button:has-text('Publish version')")
    assert re.search(r"Version \d+ is published\.", desk.inner_text("main"))

    desk.click("text=History: all versions, differences, restore")
    assert desk.locator("table.versions-list tbody tr").count() == 3  # baseline, machine, person
    desk.click("button:has-text('Compare')")
    assert desk.locator("del").count() > 0 and desk.locator("ins").count() > 0
    shoot(desk, "diff-ar")
    desk.go_back()
    shoot(desk, "history-ar")

    desk.goto(f"{url}/staff/editor/")
    assert badge(desk, title, "العربية") == "up to date"
    shoot(desk, "dashboard-after")

    phone.goto(f"{url}/ar/topics/health")
    assert phone.inner_text("h1") == "الصحة وزيارة الطبيب"
    assert phone.locator("p.notice").count() == 0
    phone.screenshot(path=str(SCREENSHOTS / "editor-public-ar.png"), full_page=True)
    phone.goto(f"{url}/fa/topics/health")  # Farsi was not updated: outdated, with a link
    assert phone.locator('p.notice a[href="/de/topics/health"]').count() == 1
    phone.screenshot(path=str(SCREENSHOTS / "editor-public-fa-outdated.png"), full_page=True)
