"""The editors' screens for services, offices and consent texts, and the stale-data list:
as an editor uses them (the forms as the pages offer them), and what clients see after."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.cli import create_user
from portal.constants import AuditAction, ConsentPurpose, RecordType, Role
from portal.editor import revisions
from portal.editor.directory import months_before, stale_offices
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ConsentRecord,
    ConsentText,
    Office,
    OutboundMessage,
    SearchEntry,
    Service,
)

from .booking_support import book_first_slot
from .staff_support import csrf_field, sign_in

PASSWORD = "a long editor password"
EDITOR = "editor@directory.test"
SECOND_EDITOR = "second-editor@directory.test"
OFFICE = "mbe-finsterwalde"
SERVICE = "mbe"
OFFICE_PAGE = f"/staff/editor/offices/{OFFICE}"
SERVICE_PAGE = f"/staff/editor/services/{SERVICE}"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOAD = f"{SCRIPT} {IMG} {JS_URL}"
LANGS = ("de", "en", "ar", "fa", "uk")


# --- reading and posting the forms as a browser would -----------------------------------


class _FormReader(HTMLParser):
    """The fields a browser would submit from the form posting to ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = found.get("action") == self.action
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("submit", "button"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.fields, f"no form posting to {action}"
    return reader.fields


Changes = dict[str, str | list[str] | None]


def submit(
    client: FlaskClient, path: str, changes: Changes, action: str = "save", page: str | None = None
):  # type: ignore[no-untyped-def]
    """Open the edit page, change some fields (a list sets all values, None clears them),
    press a button."""
    fields = form_fields(page or client.get(path).get_data(as_text=True), path)
    changed = set(changes)
    data = [(name, value) for name, value in fields if name not in changed]
    for name, value in changes.items():
        if isinstance(value, list):
            data.extend((name, item) for item in value)
        elif value is not None:
            data.append((name, value))
    data.append(("action", action))
    body: dict[str, list[str]] = {}
    for name, value in data:
        body.setdefault(name, []).append(value)
    return client.post(path, data=body)


def publish_newest(client: FlaskClient, app: Flask, record_type: RecordType, key: str) -> None:
    with app.app_context():
        number = revisions.newest_number(record_type, key)
    token = csrf_field(client.get("/staff/editor/stale").get_data(as_text=True))
    response = client.post(
        f"/staff/editor/revisions/{record_type.value}/{key}/{number}/publish", data=token
    )
    assert response.status_code == 302
    with app.app_context():
        published = revisions.revision(record_type, key, number)
        assert published is not None and published.state == "published", "publishing refused"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def office_section(page: str, slug: str) -> str:
    start = page.index(f'id="office-{slug}"')
    end = page.find("</section>", start)
    return page[start:end]


def api_office(client: FlaskClient, slug: str, path: str = "/api/v1/services?lang=de") -> dict:  # type: ignore[type-arg]
    payload = client.get(path).get_json()
    entries = (
        payload["services"] if "services" in payload else [r["service"] for r in payload["results"]]
    )
    for service in entries:
        for office in service["offices"]:
            if office["slug"] == slug:
                return office
    raise AssertionError(f"office {slug} not in {path}")


@pytest.fixture
def app(booking_app: Flask) -> Iterator[Flask]:
    with booking_app.app_context():
        create_user(EDITOR, "Erika Editor", Role.EDITOR, PASSWORD)
        create_user(SECOND_EDITOR, "Emil Editor", Role.EDITOR, PASSWORD)
    yield booking_app


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # staff pages in English
    sign_in(client, EDITOR, PASSWORD)
    return client


# --- offices: hours and languages --------------------------------------------------------


def test_new_hours_and_languages_reach_clients_only_when_published(
    app: Flask, editor: FlaskClient
) -> None:
    public = app.test_client()
    before = api_office(public, OFFICE)
    assert {"day": "sat", "opens": "10:00", "closes": "13:00"} not in [
        {key: row[key] for key in ("day", "opens", "closes")} for row in before["opening_hours"]
    ]
    assert "ti" not in before["languages"]
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
        assert office is not None
        empty_row = len(office.opening_hours)  # the saved rows come first, then empty ones
    page = editor.get(OFFICE_PAGE).get_data(as_text=True)
    assert f'name="hours-{empty_row}-weekday"' in page
    languages = [*before["languages"], "ti"]
    changes: Changes = {
        f"hours-{empty_row}-weekday": "5",
        f"hours-{empty_row}-opens": "10:00",
        f"hours-{empty_row}-closes": "13:00",
        "languages": languages,
    }
    response = submit(editor, OFFICE_PAGE, changes, page=page)
    assert response.status_code == 302
    assert "Version 2 is a draft." in text(editor.get(OFFICE_PAGE))

    # A draft: clients see nothing of it yet.
    draft = api_office(public, OFFICE)
    assert "ti" not in draft["languages"]
    assert "Tigrinya" not in office_section(text(public.get(f"/de/services/{SERVICE}")), OFFICE)

    publish_newest(editor, app, RecordType.OFFICE, OFFICE)
    service_page = office_section(text(public.get(f"/de/services/{SERVICE}")), OFFICE)
    assert "Tigrinya" in service_page
    assert "Samstag" in service_page and "10:00–13:00" in service_page
    live = api_office(public, OFFICE, "/api/v1/finder?lang=de&age=40&status=residence-permit")
    assert "ti" in live["languages"]
    assert {"day": "sat", "opens": "10:00", "closes": "13:00", "appointment_only": False} in live[
        "opening_hours"
    ]
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
        assert office is not None and office.confirmed_on is not None  # publishing confirms


def test_a_phone_number_change_does_not_confirm_the_office(
    app: Flask, editor: FlaskClient
) -> None:
    # The files list this office's languages as [de, en, ru, uk, pl]; the form in its own
    # order. Only hours and languages count as checked with the office.
    response = submit(editor, OFFICE_PAGE, {"phone": "03531 000099"})
    assert response.status_code == 302
    publish_newest(editor, app, RecordType.OFFICE, OFFICE)
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
        assert office is not None and office.phone == "03531 000099"
        assert office.confirmed_on is None
        assert sorted(office.languages) == ["de", "en", "pl", "ru", "uk"]


def test_concurrent_office_edits_give_a_conflict_page_and_lose_nothing(
    app: Flask, editor: FlaskClient
) -> None:
    other = app.test_client()
    sign_in(other, SECOND_EDITOR, PASSWORD)
    mine = editor.get(OFFICE_PAGE).get_data(as_text=True)
    theirs = other.get(OFFICE_PAGE).get_data(as_text=True)  # both opened the same version

    first = submit(editor, OFFICE_PAGE, {"phone": "03531 123456"}, page=mine)
    assert first.status_code == 302
    second = submit(other, OFFICE_PAGE, {"email": "beratung@example.org"}, page=theirs)
    assert second.status_code == 409
    conflict = text(second)
    assert "03531 123456" in conflict  # the newer version, saved by the first editor
    assert "beratung@example.org" in conflict  # and what the second one typed
    with app.app_context():
        newest = revisions.newest(RecordType.OFFICE, OFFICE)
        assert newest is not None and newest.data["phone"] == "03531 123456"
        assert newest.data["email"] != "beratung@example.org"  # nothing overwritten

    # "Continue editing with my values" re-opens the form on top of the newer version.
    hidden = form_fields(second.get_data(as_text=True), OFFICE_PAGE)
    body: dict[str, list[str]] = {}
    for name, value in [*hidden, ("action", "preview")]:
        body.setdefault(name, []).append(value)
    reopened = other.post(OFFICE_PAGE, data=body)
    assert reopened.status_code == 200
    again = form_fields(reopened.get_data(as_text=True), OFFICE_PAGE)
    assert ("email", "beratung@example.org") in again
    saved = submit(
        other, OFFICE_PAGE, {"phone": "03531 123456"}, page=reopened.get_data(as_text=True)
    )
    assert saved.status_code == 302
    with app.app_context():
        newest = revisions.newest(RecordType.OFFICE, OFFICE)
        assert newest is not None
        assert (newest.data["phone"], newest.data["email"]) == (
            "03531 123456",
            "beratung@example.org",
        )
        history = revisions.history(RecordType.OFFICE, OFFICE)
        assert [revision.number for revision in history] == [3, 2, 1]  # baseline kept too


# --- services ----------------------------------------------------------------------------


def test_an_older_service_version_can_be_restored(app: Flask, editor: FlaskClient) -> None:
    public = app.test_client()
    original = text(public.get(f"/de/services/{SERVICE}"))
    new_short = "Neuer kurzer Satz zur MBE mit Zauberwortxyz."
    assert submit(editor, SERVICE_PAGE, {"short-de": new_short}).status_code == 302
    publish_newest(editor, app, RecordType.SERVICE, SERVICE)
    assert new_short in text(public.get(f"/de/services/{SERVICE}"))
    assert f"/de/services/{SERVICE}" in text(public.get("/de/search?q=Zauberwortxyz"))

    history = editor.get(f"/staff/editor/history/service/{SERVICE}")
    assert history.status_code == 200
    with app.app_context():
        base = revisions.newest_number(RecordType.SERVICE, SERVICE)
    restore = editor.post(
        f"/staff/editor/revisions/service/{SERVICE}/1/restore",
        data={**csrf_field(history.get_data(as_text=True)), "base": str(base)},
    )
    assert restore.status_code == 302
    publish_newest(editor, app, RecordType.SERVICE, SERVICE)
    restored = text(public.get(f"/de/services/{SERVICE}"))
    assert new_short not in restored
    assert f"/de/services/{SERVICE}" not in text(public.get("/de/search?q=Zauberwortxyz"))
    assert (
        re.search(r'<p class="lead">(.*?)</p>', restored)[1]
        == re.search(  # type: ignore[index]
            r'<p class="lead">(.*?)</p>', original
        )[1]
    )


def test_an_eligibility_rule_edit_changes_the_finder(app: Flask, editor: FlaskClient) -> None:
    public = app.test_client()
    finder = "/de/finder?submitted=1&age=20&status=residence-permit"
    mbe_name = "Migrationsberatung für erwachsene Zugewanderte"
    assert mbe_name not in text(public.get(finder))  # MBE starts at 27
    page = editor.get(SERVICE_PAGE).get_data(as_text=True)
    assert 'name="rule-0-min_age"' in page and 'value="27"' in page
    assert submit(editor, SERVICE_PAGE, {"rule-0-min_age": "18"}, page=page).status_code == 302
    assert mbe_name not in text(public.get(finder))  # still a draft
    publish_newest(editor, app, RecordType.SERVICE, SERVICE)
    assert mbe_name in text(public.get(finder))
    assert mbe_name not in text(public.get("/de/finder?submitted=1&age=17&status=residence-permit"))


def test_a_service_needs_one_rule_and_a_new_rule_must_be_ticked(
    app: Flask, editor: FlaskClient
) -> None:
    page = editor.get(SERVICE_PAGE).get_data(as_text=True)
    refused = submit(editor, SERVICE_PAGE, {"rule-0-use": None}, page=page)
    assert refused.status_code == 422
    assert "at least one rule" in text(refused)
    forgotten = submit(editor, SERVICE_PAGE, {"rule-1-status": ["eu-citizen"]}, page=page)
    assert forgotten.status_code == 422
    assert "Use this rule" in text(forgotten)
    assert ("rule-1-status", "eu-citizen") in form_fields(
        forgotten.get_data(as_text=True), SERVICE_PAGE
    )
    with app.app_context():
        assert revisions.newest_number(RecordType.SERVICE, SERVICE) == 0


# --- validation keeps what was typed -----------------------------------------------------


def test_validation_errors_keep_the_input(app: Flask, editor: FlaskClient) -> None:
    page = editor.get(OFFICE_PAGE).get_data(as_text=True)
    response = submit(
        editor,
        OFFICE_PAGE,
        {
            "name-de": "Neuer Name der Beratungsstelle",
            "email": "keine-adresse",
            "hours-0-opens": "14:00",
            "hours-0-closes": "09:00",
        },
        page=page,
    )
    assert response.status_code == 422
    shown = text(response)
    assert "Nothing was saved" in shown
    assert "valid e-mail address" in shown
    assert "open before it closes" in shown
    kept = form_fields(response.get_data(as_text=True), OFFICE_PAGE)
    for field in (
        ("name-de", "Neuer Name der Beratungsstelle"),
        ("email", "keine-adresse"),
        ("hours-0-opens", "14:00"),
        ("hours-0-closes", "09:00"),
    ):
        assert field in kept

    overlap = submit(
        editor,
        OFFICE_PAGE,
        {
            "hours-0-weekday": "0",
            "hours-0-opens": "09:00",
            "hours-0-closes": "12:00",
            "hours-1-weekday": "0",
            "hours-1-opens": "11:00",
            "hours-1-closes": "15:00",
        },
        page=page,
    )
    assert overlap.status_code == 422
    assert "overlap" in text(overlap)

    website = submit(editor, SERVICE_PAGE, {"website": "http://example.org/mbe"})
    assert website.status_code == 422
    assert "https://" in text(website)
    assert ("website", "http://example.org/mbe") in form_fields(
        website.get_data(as_text=True), SERVICE_PAGE
    )
    with app.app_context():  # nothing was saved
        assert revisions.newest_number(RecordType.OFFICE, OFFICE) == 0
        assert revisions.newest_number(RecordType.SERVICE, SERVICE) == 0


# --- consent texts -----------------------------------------------------------------------


def test_publishing_a_consent_text_adds_a_version_and_keeps_the_old_one(
    app: Flask, editor: FlaskClient
) -> None:
    with app.app_context():
        booked = book_first_slot(lang="de")
        db.session.commit()
        record = db.session.scalar(
            select(ConsentRecord).where(ConsentRecord.appointment_id == booked.appointment.id)
        )
        assert record is not None
        old_id, old_version, old_label = (
            record.consent_text_id,
            record.text.version,
            record.text.label,
        )
    path = "/staff/editor/consents/arrange-appointment/de"
    listing = text(editor.get("/staff/editor/consents"))
    assert old_version in listing

    preview = submit(editor, path, {"body_md": "**Neu:** wir fragen anders."}, action="preview")
    assert preview.status_code == 200
    assert "<strong>Neu:</strong>" in preview.get_data(as_text=True)
    with app.app_context():
        assert revisions.newest_number(RecordType.CONSENT_TEXT, "arrange-appointment:de") == 0

    new_label = "Ich bin einverstanden (neue Fassung)."
    assert submit(editor, path, {"label": new_label}).status_code == 302
    publish_newest(editor, app, RecordType.CONSENT_TEXT, "arrange-appointment:de")
    with app.app_context():
        texts = list(
            db.session.scalars(
                select(ConsentText).where(
                    ConsentText.purpose == ConsentPurpose.ARRANGE_APPOINTMENT.value,
                    ConsentText.lang == "de",
                )
            )
        )
        current = [t for t in texts if t.current]
        assert len(current) == 1 and current[0].label == new_label
        assert current[0].version != old_version
        old = db.session.get(ConsentText, old_id)
        assert old is not None and not old.current and old.label == old_label  # unchanged
        record = db.session.get(ConsentRecord, record.id)
        assert record is not None and record.consent_text_id == old_id
    api = app.test_client().get("/api/v1/consent-texts?lang=de").get_json()
    arrange = next(t for t in api["texts"] if t["purpose"] == "arrange-appointment")
    assert arrange["label"] == new_label and arrange["version"] == current[0].version
    listing = text(editor.get("/staff/editor/consents"))
    assert current[0].version in listing and f"{old_version}</code> (1 " in listing


# --- stale offices -----------------------------------------------------------------------


def test_stale_list_shows_unconfirmed_offices_and_confirming_removes_one(
    app: Flask, editor: FlaskClient
) -> None:
    months = app.config["STALE_AFTER_MONTHS"]
    with app.app_context():
        today = dt.date.today()
        for office in db.session.scalars(select(Office)):
            office.confirmed_on = today
        never = db.session.scalar(select(Office).where(Office.slug == "jmd-herzberg"))
        old = db.session.scalar(select(Office).where(Office.slug == OFFICE))
        assert never is not None and old is not None
        never.confirmed_on = None
        old.confirmed_on = months_before(today, months) - dt.timedelta(days=1)
        db.session.commit()
        assert [office.slug for office in stale_offices()] == ["jmd-herzberg", OFFICE]
        old_name = old.name["en"]
    listing = editor.get("/staff/editor/stale")
    shown = text(listing)
    assert "jmd-herzberg" in shown and OFFICE in shown
    assert "unmsa-herzberg" not in shown  # confirmed today
    assert shown.index("jmd-herzberg") < shown.index(OFFICE)  # never confirmed comes first

    confirm = editor.post(
        f"/staff/editor/offices/{OFFICE}/confirm",
        data={**csrf_field(listing.get_data(as_text=True)), "next": "stale"},
    )
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith(
        "/staff/editor/stale"
    )
    after = text(editor.get("/staff/editor/stale"))
    assert f'/staff/editor/offices/{OFFICE}"' not in after
    # The name is left only in the confirmation message, no longer in the list.
    assert after.count(old_name) == 1 and "are confirmed as of today" in after
    assert "never confirmed" in shown
    assert "jmd-herzberg" in after
    with app.app_context():
        assert [office.slug for office in stale_offices()] == ["jmd-herzberg"]
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == AuditAction.CONTENT_CONFIRMED.value)
        )
        assert event is not None and event.detail == OFFICE
        assert revisions.newest_number(RecordType.OFFICE, OFFICE) == 0  # not a content change


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)
    assert months_before(dt.date(2026, 1, 1), 12) == dt.date(2025, 1, 1)


# --- stored XSS ---------------------------------------------------------------------------


class _ActiveContent(HTMLParser):
    """What a browser would run or load from a page: script elements, images, event
    handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._script = True
        if tag == "img":
            self.found.append(f"<img {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert" in data:
            self.found.append(f"<script>{data}")


def _harmless(page: str, where: str) -> None:
    parser = _ActiveContent()
    parser.feed(page)
    assert not parser.found, f"{where}: {parser.found}"


def _all_languages(name: str, value: str) -> Changes:
    return {f"{name}-{lang}": value for lang in LANGS}


def test_stored_xss_in_every_field_is_harmless_everywhere(app: Flask, editor: FlaskClient) -> None:
    # Refused outright: a javascript: link, a script as phone number or e-mail address.
    refused = submit(editor, SERVICE_PAGE, {"website": JS_URL})
    assert refused.status_code == 422
    refused = submit(
        editor,
        OFFICE_PAGE,
        {"phone": PAYLOAD, "email": f"{SCRIPT}@example.org", "postal_code": IMG},
    )
    assert refused.status_code == 422
    assert {"phone", "email", "postal_code"} <= set(
        re.findall(r'id="(\w+)-error"', refused.get_data(as_text=True))
    )

    service_changes: Changes = {
        "provider": f"Träger {PAYLOAD}",
        "website": "https://example.org/mbe",
    }
    for name in ("name", "short", "description", "target_group"):
        service_changes.update(_all_languages(name, f"MBE {name} {PAYLOAD}"))
    assert submit(editor, SERVICE_PAGE, service_changes).status_code == 302
    publish_newest(editor, app, RecordType.SERVICE, SERVICE)

    office_changes: Changes = {
        # A line break would start a new line in a calendar file or an e-mail; a bidi
        # override could reorder what a client reads: both are removed from single lines.
        "name-de": f"Büro {PAYLOAD}\r\nATTENDEE:mailto:evil@example.org \u202egnp.exe",
        "street": f"Straße {PAYLOAD}",
        "city": f"Finsterwalde {PAYLOAD}",
        **{f"name-{lang}": f"Office {PAYLOAD}" for lang in LANGS[1:]},
        **_all_languages("accessibility_note", f"Rampe {PAYLOAD}"),
    }
    assert submit(editor, OFFICE_PAGE, office_changes).status_code == 302
    publish_newest(editor, app, RecordType.OFFICE, OFFICE)

    consent_path = "/staff/editor/consents/arrange-appointment/de"
    consent_changes: Changes = {
        "title": f"Einwilligung {PAYLOAD}",
        "label": f"Ich stimme zu {PAYLOAD}",
        "body_md": f'Text {SCRIPT}\n\n[Klick]({JS_URL}) {IMG}\n\n<a href="{JS_URL}">x</a>',
    }
    assert submit(editor, consent_path, consent_changes).status_code == 302
    publish_newest(editor, app, RecordType.CONSENT_TEXT, "arrange-appointment:de")

    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == OFFICE))
        assert office is not None
        assert "\n" not in office.name["de"] and "\u202e" not in office.name["de"]
        assert SCRIPT in office.name["de"]  # stored as written: escaping is the page's job

    client = app.test_client()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    pages = {
        "service page": f"/de/services/{SERVICE}",
        "services": "/de/services",
        "finder": "/de/finder?submitted=1&age=40&status=residence-permit",
        "search": "/de/search?q=MBE",
        "booking office step": f"/de/book/office?service={SERVICE}&type=first-consultation",
        "booking day step": (
            f"/de/book/day?service={SERVICE}&type=first-consultation&office_mode={OFFICE}|in_person"
        ),
    }
    for where, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, where
        body = response.get_data(as_text=True)
        _harmless(body, where)
        assert escaped in body, f"{where}: the payload is not shown at all"

    # The rest of the booking flow, the consent text on it, the manage page, the calendar file.
    day_page = client.get(pages["booking day step"]).get_data(as_text=True)
    day_link = html.unescape(re.findall(r'href="([^"]*/book/time\?[^"]*)"', day_page)[1])
    time_page = client.get(day_link).get_data(as_text=True)
    _harmless(time_page, "time step")
    assert escaped in time_page
    start = re.findall(r'name="start" value="([^"]+)"', time_page)[0]
    query = dict(re.findall(r"([a-z_]+)=([^&]+)", day_link.split("?", 1)[1]))
    query = {key: html.unescape(value).replace("%7C", "|") for key, value in query.items()}
    details = client.get("/de/book/details", query_string={**query, "start": start})
    details_page = details.get_data(as_text=True)
    _harmless(details_page, "details step with the consent text")
    assert escaped in details_page and "Klick" in details_page
    assert "&lt;a href=" in details_page  # raw HTML in Markdown stays text
    version = re.search(r'name="consent" value="([0-9a-f]{16})"', details_page)[1]  # type: ignore[index]
    form = {
        **query,
        "start": start,
        **csrf_field(details_page),
        "consent": version,
        "email": "client@example.org",
    }
    review = client.post("/de/book/review", data=form)
    review_page = review.get_data(as_text=True)
    _harmless(review_page, "review step")
    form = {name: value for name, value in form_fields_any(review_page, "/de/book/confirm")}
    confirmed = client.post("/de/book/confirm", data=form)
    assert confirmed.status_code in (302, 303), confirmed.get_data(as_text=True)[:500]
    manage_path = confirmed.headers["Location"]
    manage = client.get(manage_path).get_data(as_text=True)
    _harmless(manage, "manage page")
    assert escaped in manage
    calendar = client.get(manage_path.rstrip("/") + "/calendar.ics").get_data(as_text=True)
    unfolded = calendar.replace("\r\n ", "")
    assert not re.search(r"^ATTENDEE", unfolded, re.MULTILINE)  # no injected property
    assert "Büro" in unfolded

    with app.app_context():
        message = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.payload.is_not(None))
        ).first()
        assert message is not None and message.payload is not None
        mail_text = message.payload["text"]
        where_line = next(line for line in mail_text.splitlines() if "Büro" in line)
        assert "ATTENDEE" in where_line  # the would-be header is text on the same line
        assert "\r" not in message.payload.get("subject", "")

    # The assistant's JSON API: data, never HTML (and browsers may not sniff it as HTML).
    for path in (
        "/api/v1/services?lang=de",
        "/api/v1/finder?lang=de&age=40&status=residence-permit",
        "/api/v1/consent-texts?lang=de",
    ):
        response = client.get(path)
        assert response.mimetype == "application/json", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert SCRIPT in json.dumps(response.get_json(), ensure_ascii=False), path
    consent_api = client.get("/api/v1/consent-texts?lang=de").get_json()
    arrange = next(t for t in consent_api["texts"] if t["purpose"] == "arrange-appointment")
    _harmless(arrange["body_html"], "consent body_html in the API")
    with app.app_context():
        entries = db.session.scalar(
            select(func.count(SearchEntry.id)).where(SearchEntry.slug == SERVICE)
        )
        assert entries == len(LANGS)
        service = db.session.scalar(select(Service).where(Service.slug == SERVICE))
        assert service is not None and service.website == "https://example.org/mbe"


def form_fields_any(page: str, action_end: str) -> list[tuple[str, str]]:
    """The fields of the form whose action ends with ``action_end`` (absolute or not)."""
    match = re.search(rf'<form[^>]*action="([^"]*{re.escape(action_end)})"', page)
    assert match, f"no form posting to {action_end}"
    return form_fields(page, html.unescape(match[1]))
