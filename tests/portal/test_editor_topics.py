"""The editors' topic pages: versions, review, conflicts, translation status, machine drafts."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from integrations.translation import argos
from portal.cli import create_user
from portal.constants import (
    NATIVE_NAMES,
    JobStatus,
    RecordType,
    RevisionOrigin,
    Role,
    WorkflowState,
)
from portal.content import load_content
from portal.editor import revisions
from portal.editor.machine_drafts import run_queued_jobs
from portal.editor.markdown_translation import translate_markdown
from portal.editor.topic_form import read_form
from portal.editor.topic_records import topic_by_slug
from portal.extensions import db
from portal.models import BackgroundJob, ContentRevision

from .argos_models import build_package
from .conftest import CONTENT_DIR, make_app, reset_schema
from .staff_support import sign_in

PASSWORD = "a long test password"
ANNA, BEN = "anna@example.org", "ben@example.org"
SLUG = "health"
EDIT = "/staff/editor/topics/{slug}/{lang}"
HELLO_EN = "hello world"  # what the test de→en package outputs
HELLO_AR = "مرحبا بالعالم"  # what the test en→ar package outputs


# --- set-up ------------------------------------------------------------------------------


def _editor_app(database_url: str, **config: Any) -> Iterator[Flask]:
    app = make_app(database_url, **config)
    reset_schema(app)
    with app.app_context():
        load_content(CONTENT_DIR)
        create_user(ANNA, "Anna Editor", Role.EDITOR, PASSWORD)
        create_user(BEN, "Ben Editor", Role.EDITOR, PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def editor_app(database_url: str) -> Iterator[Flask]:
    yield from _editor_app(database_url)


@pytest.fixture
def four_eyes_app(database_url: str) -> Iterator[Flask]:
    yield from _editor_app(database_url, FOUR_EYES=True)


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # staff pages in English
    sign_in(client, email, PASSWORD)
    return client


class _FormReader(HTMLParser):
    """The values of the fields of one form (by id), as a browser would submit them."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        elif self.inside and tag == "input" and found.get("name"):
            if found.get("type") == "checkbox" and "checked" not in found:
                return
            self.values[found["name"]] = found.get("value") or ""
        elif self.inside and tag == "textarea":
            self._textarea = found.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str, form_id: str = "topic-form") -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(page)
    values = reader.values
    # A browser drops the one newline that follows <textarea>.
    return {name: value.removeprefix("\n") for name, value in values.items()}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def open_form(client: FlaskClient, lang: str = "de", slug: str = SLUG) -> dict[str, str]:
    page = client.get(EDIT.format(slug=slug, lang=lang))
    assert page.status_code == 200
    return form_values(page.get_data(as_text=True))


def submit_form(
    client: FlaskClient,
    values: dict[str, str],
    lang: str = "de",
    slug: str = SLUG,
    action: str = "save",
    **changes: str,
) -> Any:
    return client.post(
        EDIT.format(slug=slug, lang=lang), data={**values, **changes, "action": action}
    )


def save(client: FlaskClient, lang: str = "de", slug: str = SLUG, **changes: str) -> int:
    """Open the edit form, change fields, save; returns the new revision number."""
    response = submit_form(client, open_form(client, lang, slug), lang, slug, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return int(re.search(r"Draft saved as version (\d+)", page)[1])


def workflow(client: FlaskClient, step: str, number: int, lang: str = "de", **form: str) -> str:
    """Press a workflow button on the history page; returns the page shown afterwards."""
    key = f"{SLUG}:{lang}"
    history = client.get(f"/staff/editor/history/topic_translation/{key}").get_data(as_text=True)
    response = client.post(
        f"/staff/editor/revisions/topic_translation/{key}/{number}/{step}",
        data={"csrf_token": csrf(history), **form},
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def dashboard_badge(client: FlaskClient, lang: str, slug: str = SLUG) -> str:
    """The status a dashboard cell shows, read from its link's accessible name."""
    page = client.get("/staff/editor/").get_data(as_text=True)
    with client.application.app_context():
        german_title = topic_by_slug(slug).translation("de").title
    label = html.escape(f"{german_title} – {NATIVE_NAMES[lang]}: ")
    return re.search(re.escape(label) + r"([^\"]+)\"", page)[1]


def public(client: FlaskClient, lang: str, slug: str = SLUG) -> str:
    """The public page as a client sees it (a client of its own: no staff session)."""
    response = client.application.test_client().get(f"/{lang}/topics/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def notice(page: str) -> str | None:
    """The notice above a public topic's text (outdated, machine translated), if any."""
    found = re.search(r'<p class="notice">(.*?)</p>', page, re.S)
    return found[1] if found else None


def revision_count(app: Flask, lang: str = "de") -> int:
    with app.app_context():
        return len(revisions.history(RecordType.TOPIC_TRANSLATION, f"{SLUG}:{lang}"))


# --- no lost updates ---------------------------------------------------------------------


def test_second_save_gets_a_conflict_page_with_both_versions(editor_app: Flask) -> None:
    anna, ben = signed_in(editor_app, ANNA), signed_in(editor_app, BEN)
    annas_form, bens_form = open_form(anna), open_form(ben)

    first = submit_form(anna, annas_form, title="Gesundheit: Annas Fassung")
    second = submit_form(ben, bens_form, title="Gesundheit: Bens Fassung")

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Changed in the meantime" in page
    assert "Gesundheit: Annas Fassung" in page and "Gesundheit: Bens Fassung" in page
    assert "Anna Editor" in page  # who saved the newer version
    assert "<del>Annas</del>" in page and "<ins>Bens</ins>" in page
    with editor_app.app_context():
        newest = revisions.newest(RecordType.TOPIC_TRANSLATION, f"{SLUG}:de")
        assert newest.data["title"] == "Gesundheit: Annas Fassung"  # nothing overwritten
        assert newest.number == 2  # baseline + Anna's draft

    # Ben continues with his values on top of Anna's version, then saves again.
    pressed = {**form_values(page, "conflict"), "action": "preview"}  # the button's value
    assert 'name="action" value="preview"' in page
    continued = ben.post(EDIT.format(slug=SLUG, lang="de"), data=pressed)
    assert continued.status_code == 200
    values = form_values(continued.get_data(as_text=True))
    assert values["title"] == "Gesundheit: Bens Fassung" and values["base"] == "2"
    assert revision_count(editor_app) == 2  # continuing saved nothing
    assert submit_form(ben, values).status_code == 302
    with editor_app.app_context():
        newest = revisions.newest(RecordType.TOPIC_TRANSLATION, f"{SLUG}:de")
        assert (newest.number, newest.data["title"]) == (3, "Gesundheit: Bens Fassung")


# --- versions, restore, publish --------------------------------------------------------------


def test_restore_an_old_version_and_publish_it(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    original = re.search(r"<h1>([^<]+)</h1>", public(anna, "de"))[1]
    number = save(anna, title="Ein neuer Titel")
    workflow(anna, "publish", number)
    assert "<h1>Ein neuer Titel</h1>" in public(anna, "de")

    page = workflow(anna, "restore", 1, base=str(number))

    assert "Version 1 was copied into a new draft, version 3." in page
    assert "<h1>Ein neuer Titel</h1>" in public(anna, "de")  # a draft changes nothing live
    page = workflow(anna, "publish", 3)
    assert "Version 3 is published." in page
    assert f"<h1>{original}</h1>" in public(anna, "de")
    history = anna.get(f"/staff/editor/history/topic_translation/{SLUG}:de")
    assert "from version 1" in history.get_data(as_text=True)
    diff = anna.get(f"/staff/editor/diff/topic_translation/{SLUG}:de?a=2&b=3")
    assert "<del>Ein neuer Titel</del>" in diff.get_data(as_text=True)


def test_restore_from_an_old_page_is_refused_after_a_newer_save(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    save(anna, title="Zweite Fassung")
    page = workflow(anna, "restore", 1, base="1")  # the history page was opened before
    assert "Nothing was restored" in page
    assert revision_count(editor_app) == 2


# --- translation status ----------------------------------------------------------------------


def test_german_change_makes_translations_outdated(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    assert dashboard_badge(anna, "ar") == "up to date"

    minor = save(anna, title="Gesundheit und Arztbesuch (korrigiert)", minor="1")
    workflow(anna, "publish", minor)
    assert dashboard_badge(anna, "ar") == "up to date"
    assert notice(public(anna, "ar")) is None

    real = save(anna, summary="Ein ganz neuer Inhalt über die Gesundheit.")
    workflow(anna, "publish", real)

    assert dashboard_badge(anna, "ar") == "outdated"
    shown = notice(public(anna, "ar"))
    assert shown is not None and f'<a href="/de/topics/{SLUG}" hreflang="de">' in shown
    english = notice(public(anna, "en"))
    assert "The German original of this page was changed" in english
    edit = anna.get(EDIT.format(slug=SLUG, lang="ar")).get_data(as_text=True)
    changes = edit.split("Changes in German since then")[1].split("</div>")[0]
    assert "<ins>Ein ganz neuer Inhalt über die Gesundheit.</ins>" in changes


def test_translation_goes_through_review_to_up_to_date(editor_app: Flask) -> None:
    anna, ben = signed_in(editor_app, ANNA), signed_in(editor_app, BEN)
    workflow(anna, "publish", save(anna, summary="Neue deutsche Zusammenfassung."))
    assert dashboard_badge(anna, "ar") == "outdated"

    number = save(ben, lang="ar", summary="ملخص جديد")
    workflow(ben, "submit", number, lang="ar")
    assert dashboard_badge(anna, "ar") == "in review"
    dashboard = anna.get("/staff/editor/").get_data(as_text=True)
    waiting = dashboard.split("Waiting for review")[1].split("Drafts")[0]
    assert "Ben Editor" in waiting and NATIVE_NAMES["ar"] in waiting

    workflow(anna, "publish", number, lang="ar")

    assert dashboard_badge(anna, "ar") == "up to date"
    page = public(anna, "ar")
    assert "ملخص جديد" in page and notice(page) is None


def test_a_german_change_while_translating_leaves_the_translation_outdated(
    editor_app: Flask,
) -> None:
    anna, ben = signed_in(editor_app, ANNA), signed_in(editor_app, BEN)
    opened = open_form(ben, lang="ar")  # Ben starts translating the current German text
    workflow(anna, "publish", save(anna, summary="Neue deutsche Zusammenfassung."))

    response = submit_form(ben, opened, lang="ar", summary="ملخص جديد")
    assert response.status_code == 302
    with editor_app.app_context():
        draft = revisions.newest(RecordType.TOPIC_TRANSLATION, f"{SLUG}:ar")
        assert draft is not None
        number = draft.number
    workflow(anna, "publish", number, lang="ar")

    # Ben translated the German text he saw, not the one published meanwhile.
    assert dashboard_badge(anna, "ar") == "outdated"
    assert notice(public(anna, "ar")) is not None


def test_missing_translation(editor_app: Flask) -> None:
    with editor_app.app_context():
        topic = topic_by_slug(SLUG)
        topic.translations.remove(topic.translation("uk"))
        db.session.commit()
    anna = signed_in(editor_app, ANNA)
    assert dashboard_badge(anna, "uk") == "missing"
    values = open_form(anna, "uk")
    assert values["title"] == "" and "https://" in values["sources"]  # German sources to start

    number = save(
        anna, lang="uk", title="Здоров'я", summary="Коротко.", body_md="## Що це?\n\nТекст."
    )
    workflow(anna, "publish", number, lang="uk")

    assert dashboard_badge(anna, "uk") == "up to date"
    assert "<h1>Здоров&#39;я</h1>" in public(anna, "uk")


# --- four eyes -------------------------------------------------------------------------------


def test_four_eyes_author_cannot_publish(four_eyes_app: Flask) -> None:
    anna, ben = signed_in(four_eyes_app, ANNA), signed_in(four_eyes_app, BEN)
    number = save(anna, title="Vier Augen")

    page = workflow(anna, "publish", number)
    assert "Submit this version for review first" in page
    workflow(anna, "submit", number)
    page = workflow(anna, "publish", number)
    assert "Another person must publish this" in page
    assert "<h1>Vier Augen</h1>" not in public(anna, "de")

    page = workflow(ben, "publish", number)

    assert "Version 2 is published." in page
    assert "<h1>Vier Augen</h1>" in public(anna, "de")
    with four_eyes_app.app_context():
        published = revisions.revision(RecordType.TOPIC_TRANSLATION, f"{SLUG}:de", number)
        assert published.published_by.email == BEN


def test_publishing_an_old_version_is_refused_with_a_message(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    save(anna, title="Neu")
    page = workflow(anna, "publish", 1)  # the baseline, published already
    assert "This step is not possible for this version." in page


# --- form, preview, validation --------------------------------------------------------------


def test_preview_without_javascript_keeps_input_and_saves_nothing(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    values = open_form(anna)
    body = "## Vorschau\n\nSehr **wichtig** <script>alert(1)</script> [x](javascript:alert(2))"

    response = submit_form(anna, values, action="preview", body_md=body, title="Entwurf")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = form_values(page)
    assert shown["body_md"] == body and shown["title"] == "Entwurf"
    preview = page.split('id="preview"')[1].split("</section>")[0]
    assert "<h2>Vorschau</h2>" in preview and "<strong>wichtig</strong>" in preview
    assert "<script>" not in preview and "&lt;script&gt;" in preview
    assert not re.search(r"<a [^>]*javascript:", preview)
    assert revision_count(editor_app) == 0


def test_live_preview_endpoint_needs_the_csrf_token(editor_app: Flask) -> None:
    editor_app.config["WTF_CSRF_ENABLED"] = True
    anna = signed_in(editor_app, ANNA)
    token = csrf(anna.get(EDIT.format(slug=SLUG, lang="de")).get_data(as_text=True))
    data = {"body_md": "**fett** <img src=x onerror=alert(1)>"}

    refused = anna.post("/staff/editor/preview", data=data)
    answered = anna.post("/staff/editor/preview", data=data, headers={"X-CSRFToken": token})

    assert refused.status_code == 400
    assert answered.status_code == 200
    rendered = answered.get_json()["html"]
    assert "<strong>fett</strong>" in rendered and "<img" not in rendered


def test_invalid_input_is_shown_per_field_and_kept(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    values = open_form(anna)
    long_title = "T" * 81

    response = submit_form(
        anna,
        values,
        title=long_title,
        summary="",
        sources="Unsicher | http://example.org\nnur ein Titel",
        last_reviewed="gestern",
        body_md="# Zu große Überschrift",
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The title has at most 80 characters." in page
    assert "Enter a summary." in page
    assert "Source 1: the address must be a full https:// address." in page or (
        "Line 2: write the title" in page
    )
    assert "Enter the date as YYYY-MM-DD" in page
    assert "Use &#34;## &#34; for headings" in page or 'Use "## " for headings' in page
    assert form_values(page)["title"] == long_title
    assert revision_count(editor_app) == 0


def test_https_rule_for_sources(editor_app: Flask) -> None:
    anna = signed_in(editor_app, ANNA)
    response = submit_form(anna, open_form(anna), sources="Amt | http://example.org")
    assert response.status_code == 422
    assert "Source 1: the address must be a full https:// address." in response.get_data(
        as_text=True
    )


def test_editor_pages_need_the_editor_role(editor_app: Flask) -> None:
    with editor_app.app_context():
        create_user("lead@example.org", "Lea Lead", Role.LEAD, PASSWORD)
    assert editor_app.test_client().get("/staff/editor/").status_code == 302  # to sign-in
    lead = signed_in(editor_app, "lead@example.org")
    assert lead.get("/staff/editor/").status_code == 403
    assert lead.get(EDIT.format(slug=SLUG, lang="de")).status_code == 403


# --- stored XSS --------------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_stored_markup_is_harmless_everywhere(editor_app: Flask, tmp_path: Path) -> None:
    anna = signed_in(editor_app, ANNA)
    evil = {
        "title": f"Gesundheit {SCRIPT}",
        "summary": f"Kurz {IMG} und [klick](javascript:alert(3))",
        "body_md": f"## Hallo\n\n{SCRIPT}\n\n{IMG}\n\n[klick](javascript:alert(4)) "
        '<a href="javascript:alert(5)">a</a>',
        "keywords": f"Arzt, {SCRIPT}",
        "sources": f"{IMG} | https://example.org/quelle",
    }
    javascript_source = submit_form(anna, open_form(anna), sources="x | javascript:alert(1)")
    assert javascript_source.status_code == 422  # not even saved

    workflow(anna, "publish", save(anna, **evil))

    pages = {
        "topic page": public(anna, "de"),
        "search": anna.get("/de/search?q=Gesundheit").get_data(as_text=True),
        "dashboard": anna.get("/staff/editor/").get_data(as_text=True),
        "history": anna.get(f"/staff/editor/history/topic_translation/{SLUG}:de").get_data(
            as_text=True
        ),
        "diff": anna.get(f"/staff/editor/diff/topic_translation/{SLUG}:de?a=1&b=2").get_data(
            as_text=True
        ),
    }
    for where, page in pages.items():
        assert "<script>alert" not in page, where
        assert not re.search(r"<img\b", page), where
        assert not re.search(r"<a [^>]*javascript:", page), where
    assert "Gesundheit &lt;script&gt;" in pages["topic page"]  # shown as text, not dropped
    response = anna.get(f"/api/v1/topics/{SLUG}?lang=de")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    api = json.loads(response.get_data(as_text=True))
    assert api["title"] == evil["title"]  # JSON carries the text; the client escapes it
    assert "&lt;script&gt;" in api["body_html"] and "<script" not in api["body_html"]
    assert not re.search(r"<img\b|<a [^>]*javascript:", api["body_html"])
    _export_keeps_text(editor_app, tmp_path, evil)


def _export_keeps_text(app: Flask, tmp_path: Path, evil: dict[str, str]) -> None:
    """The export writes the text as text (valid files that load again)."""
    from portal.content.exporter import export_content

    with app.app_context():
        export_content(tmp_path / "content", content_dir=CONTENT_DIR)
    written = (tmp_path / "content" / "topics" / SLUG / "de.md").read_text(encoding="utf-8")
    front = yaml.safe_load(written.split("---\n")[1])
    assert front["title"] == evil["title"]
    assert SCRIPT in written.split("---\n", 2)[2]
    fresh = make_app(f"sqlite:///{tmp_path / 'fresh.db'}")
    reset_schema(fresh)
    with fresh.app_context():
        load_content(tmp_path / "content")
        body_html = topic_by_slug(SLUG).translation("de").body_html
    assert "<script" not in body_html
    assert not re.search(r"<img\b|<a [^>]*javascript:", body_html)


# --- machine-translation drafts -----------------------------------------------------------


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("editor-argos-models")
    return {
        "de_en": build_package(folder, "de", "en", HELLO_EN),
        "en_ar": build_package(folder, "en", "ar", HELLO_AR),
    }


@pytest.fixture
def mt_app(
    database_url: str, tmp_path: Path, models: dict[str, Path], no_network: None
) -> Iterator[Flask]:
    """Editors, content, and the de→en and en→ar test packages (so de→ar pivots)."""
    packages = tmp_path / "argos-packages"
    for app in _editor_app(database_url, ARGOS_PACKAGES_DIR=str(packages)):
        argos.configure(packages)
        argos.install_package(models["de_en"])
        argos.install_package(models["en_ar"])
        yield app


MARKDOWN = """## Worum geht es?

Sie brauchen **einen Ausweis** und [die Bescheinigung](https://www.bamf.de/x).

- Erster Punkt
  - Unterpunkt mit `Code`
- Zweiter Punkt

1. Schritt eins
2. Schritt zwei"""

TRANSLATED = f"""## {HELLO_AR}

{HELLO_AR} **{HELLO_AR}** {HELLO_AR} [{HELLO_AR}](https://www.bamf.de/x).

- {HELLO_AR}
  - {HELLO_AR} `Code`
- {HELLO_AR}

1. {HELLO_AR}
2. {HELLO_AR}"""


def request_draft(client: FlaskClient, lang: str = "ar") -> Any:
    token = csrf(client.get(EDIT.format(slug=SLUG, lang=lang)).get_data(as_text=True))
    return client.post(
        f"/staff/editor/topics/{SLUG}/{lang}/machine-draft", data={"csrf_token": token}
    )


def test_machine_draft_keeps_markdown_and_waits_for_review(mt_app: Flask) -> None:
    anna = signed_in(mt_app, ANNA)
    workflow(anna, "publish", save(anna, body_md=MARKDOWN))
    live_arabic = re.search(r"<h1>([^<]+)</h1>", public(anna, "ar"))[1]

    response = request_draft(anna)

    assert response.status_code == 302
    job_url = response.headers["Location"]
    waiting = anna.get(job_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "Waiting for the jobs process" in waiting
    with mt_app.app_context():
        assert run_queued_jobs() == 1
        job = db.session.scalar(select(BackgroundJob))
        assert job.status == JobStatus.DONE
        assert job.progress_done == job.progress_total == 3 + 7  # title, summary, keywords, blocks
        assert job.params == {
            "topic": SLUG,
            "lang": "ar",
            "source_revision": topic_by_slug(SLUG).revision,
            "base": 0,  # the Arabic text was never edited in Lotse
        }
        draft = revisions.newest(RecordType.TOPIC_TRANSLATION, f"{SLUG}:ar")
        assert draft.origin == RevisionOrigin.MACHINE and draft.state == WorkflowState.DRAFT
        assert draft.author.email == ANNA
        assert draft.data["body_md"] == TRANSLATED
        assert draft.data["title"] == HELLO_AR
        assert draft.data["source_revision"] == topic_by_slug(SLUG).revision
    done = anna.get(job_url).get_data(as_text=True)
    assert "http-equiv" not in done and "The machine draft is ready." in done
    assert dashboard_badge(anna, "ar") == "machine translated – needs review"
    assert f"<h1>{live_arabic}</h1>" in public(anna, "ar")  # never published by the job

    # A person reviews and publishes it: now it is live and up to date.
    number = save(anna, lang="ar", title="الصحة")
    workflow(anna, "publish", number, lang="ar")
    assert dashboard_badge(anna, "ar") == "up to date"
    assert "<h1>الصحة</h1>" in public(anna, "ar")


def test_missing_language_pair_is_named_before_queuing(mt_app: Flask) -> None:
    anna = signed_in(mt_app, ANNA)

    response = request_draft(anna, "fa")

    page = anna.get(response.headers["Location"]).get_data(as_text=True)
    assert "translate-de_en + translate-en_fa" in page or "translate-en_fa" in page
    assert "lotse mt install PATH" in page
    with mt_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0
    overview = anna.get("/staff/editor/machine-translation").get_data(as_text=True)
    assert "translate-de_en" in overview and "translate-en_ar" in overview
    assert "through English" in overview  # de → ar
    assert "translate-en_fa" in overview  # de → fa is missing, with the package to install


def test_machine_draft_never_buries_an_editors_save(mt_app: Flask) -> None:
    anna, ben = signed_in(mt_app, ANNA), signed_in(mt_app, BEN)
    job_url = request_draft(anna).headers["Location"]
    save(ben, lang="ar", summary="ملخص بن")  # while the job waits in the queue

    with mt_app.app_context():
        run_queued_jobs()
        newest = revisions.newest(RecordType.TOPIC_TRANSLATION, f"{SLUG}:ar")
        assert newest.data["summary"] == "ملخص بن" and newest.origin == RevisionOrigin.EDITOR
        assert db.session.scalar(select(func.count()).select_from(ContentRevision)) == 2

    page = anna.get(job_url).get_data(as_text=True)
    assert "The machine draft could not be made." in page
    assert "someone saved this translation" in page


def test_job_fails_with_the_package_name_when_a_package_is_gone(
    mt_app: Flask, tmp_path: Path
) -> None:
    anna = signed_in(mt_app, ANNA)
    job_url = request_draft(anna).headers["Location"]
    argos.configure(tmp_path / "argos-packages")
    package = argos._import_argos("argostranslate.package")
    for installed in package.get_installed_packages():
        if installed.to_code == "ar":
            package.uninstall(installed)
    argos.configure(tmp_path / "argos-packages")  # forget the loaded models

    with mt_app.app_context():
        run_queued_jobs()

    page = anna.get(job_url).get_data(as_text=True)
    assert "install translate-de_en and translate-en_ar" in page or "translate-en_ar" in page
    assert revision_count(mt_app, "ar") == 0


def test_keywords_split_at_latin_and_arabic_commas_and_lines() -> None:
    form = read_form(
        MultiDict(
            {
                "title": "الصحة",
                "summary": "ملخص قصير",
                "body_md": "## ما هو الموضوع؟\n\nنص.",
                "keywords": "طبيب، بیمه, Krankenschein\nArzt ،  ",
                "sources": "116117 | https://www.116117.de",
                "last_reviewed": "2026-11-21",
            }
        )
    )
    assert form.errors == {}
    assert form.data is not None
    assert form.data["keywords"] == ["طبيب", "بیمه", "Krankenschein", "Arzt"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Adresse:  \nHauptstr. 1", "ADRESSE:  \nHAUPTSTR. 1"),
        ("- Punkt  \n  weiter\n- zwei", "- PUNKT  \n  WEITER\n- ZWEI"),
        ("Zeile\\\nnächste", "ZEILE  \nNÄCHSTE"),
        ("weich\numbrochen", "WEICH UMBROCHEN"),
    ],
)
def test_hard_line_breaks_survive_and_nothing_stays_untranslated(
    source: str, expected: str
) -> None:
    assert translate_markdown(source, str.upper) == expected
