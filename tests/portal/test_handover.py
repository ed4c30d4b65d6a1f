"""Hand-over to the services' case systems, each through a real receiver on loopback.

A Standard Webhooks receiver that verifies signatures and fails on demand, a real SMTP
server, a file-drop directory watched by an importer, and Zammad's API served from a
recorded contract. Every summary and every event a receiver gets is checked against the
published schema (integrations/case_system/schema/intake-summary-v1.json).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from jsonschema import Draft202012Validator
from sqlalchemy import select

from integrations.translation import argos
from portal.booking.service import cancel
from portal.booking.slots import BERLIN
from portal.constants import (
    INTERPRETER_LANGUAGES,
    LANGUAGES,
    TOPIC_SLUGS,
    AppointmentMode,
    CancelledBy,
    ConsentPurpose,
    HandoverEvent,
    HandoverStatus,
    Housing,
    LetterKind,
    ResidenceStatus,
    Urgency,
    VulnerabilityIndicator,
    YesNo,
)
from portal.extensions import db
from portal.handover import outbox
from portal.intake import rights, service
from portal.intake.labels import AnswerLabels
from portal.intake.summary import SCHEMA_ID
from portal.models import HandoverDelivery, utcnow

from .argos_models import build_package
from .handover_support import (
    SCHEMA,
    SUMMARY_VALIDATOR,
    WebhookReceiver,
    assert_valid_event,
    assert_valid_summary,
    new_webhook_secret,
    smtp_server,
    webhook_receiver,
    zammad_server,
)
from .intake_support import (
    FULL_ANSWERS,
    Booked,
    agree,
    answer_and_submit,
    booked,
    use_handover_config,
)

SHARE, SPECIAL = ConsentPurpose.SHARE_SUMMARY, ConsentPurpose.SPECIAL_CATEGORIES
OFFICE = "mbe-finsterwalde"
MAILBOX = "mbe-finsterwalde@example.org"
VULNERABLE = {"indicators": ["pregnancy", "violence-survivor"], "prefer_not_to_say": False}
NO_DELIVERIES = outbox.DeliveryReport()


# --- helpers ------------------------------------------------------------------------------


def handover_to(app: Flask, **targets: dict[str, Any]) -> None:
    """The test office hands its summaries to exactly these targets."""
    use_handover_config(app, {"targets": targets, "offices": {OFFICE: list(targets)}})


def webhook(url: str, secret: str) -> dict[str, Any]:
    return {"system": "webhook", "url": url, "secret": secret}


def zammad_target(url: str, contract: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    return {
        "system": "zammad",
        "url": url,
        "token": token or contract["token"],
        "group": contract["group"],
        "customer": contract["customer"],
    }


def submitted(
    app: Flask,
    lang: str = "ar",
    purposes: tuple[ConsentPurpose, ...] = (SHARE,),
    answers: dict[str, dict[str, Any]] | None = None,
) -> Booked:
    """A booked appointment whose client consented and sent the pre-intake."""
    booking = booked(app, lang)
    with app.app_context():
        agree(booking, *purposes)
        answer_and_submit(booking, answers)
    return booking


def jobs(app: Flask, now: dt.datetime) -> outbox.DeliveryReport:
    """What `lotse jobs run` does for the hand-over, at the moment ``now``."""
    with app.app_context():
        service.prepare_submitted(now)
        return outbox.deliver_due(now)


def deliver(app: Flask, now: dt.datetime | None = None) -> outbox.DeliveryReport:
    with app.app_context():
        return outbox.deliver_due(now)


def outbox_rows(app: Flask) -> list[HandoverDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(HandoverDelivery).order_by(HandoverDelivery.id)))
        db.session.expunge_all()
        return rows


def withdraw_sharing(app: Flask, booking: Booked) -> None:
    with app.app_context():
        rights.withdraw_purpose(booking.appointment(), SHARE)


def summary_of(app: Flask, booking: Booked) -> dict[str, Any]:
    with app.app_context():
        intake = booking.appointment().intake
        assert intake is not None and intake.summary is not None
        return dict(intake.summary)


def summary_of_event(receiver: WebhookReceiver, code: str) -> dict[str, Any]:
    summaries = [
        e["data"]
        for e in receiver.events()
        if e["type"] == "intake.submitted" and e["data"]["appointment"]["code"] == code
    ]
    assert len(summaries) == 1
    summary: dict[str, Any] = summaries[0]
    return summary


def sensitive_texts(app: Flask, answers: dict[str, dict[str, Any]]) -> list[str]:
    """What must never be in an e-mail: the client's words, answer codes and their German
    labels, special-category data."""
    texts = [answers["message"]["text"], *answers["message"]["text"].split()]
    if where := answers.get("previous", {}).get("where"):
        texts.append(where)
    with app.app_context(), force_locale("de"):
        labels = AnswerLabels("de")
        status, housing = answers["residence"]["status"], answers["accommodation"]["housing"]
        texts += [status, labels.residence(status), housing, labels.housing(housing)]
        for slug in answers["concerns"]["topics"]:
            texts += [slug, labels.topic(slug)]
        for code in answers.get("vulnerability", {}).get("indicators", []):
            texts += [code, labels.indicator(code)]
    return [*texts, '"vulnerability"', "special_categories", "Besonderer Schutzbedarf angegeben"]


def special_markers(app: Flask) -> list[str]:
    """Traces of the special-category answers VULNERABLE in JSON or German HTML."""
    with app.app_context(), force_locale("de"):
        labels = AnswerLabels("de")
        german = [labels.indicator(code) for code in VULNERABLE["indicators"]]
    return [*VULNERABLE["indicators"], *german, '"special_categories"', '"vulnerability"']


def deadline_in(days: int) -> str:
    return (utcnow().astimezone(BERLIN).date() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def smtp(booking_app: Flask) -> Iterator[Any]:
    with smtp_server() as (inbox, port):
        booking_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
        yield inbox


@pytest.fixture
def translation(booking_app: Flask, tmp_path: Path) -> Iterator[None]:
    """Tiny real argostranslate packages ar→en and en→de (German output: "Hallo Welt")."""
    folder = tmp_path / "argos-packages"
    booking_app.config["ARGOS_PACKAGES_DIR"] = str(folder)
    argos.configure(folder)
    for source, target, sentence in (("ar", "en", "hello world"), ("en", "de", "Hallo Welt")):
        argos.install_package(build_package(tmp_path / "models", source, target, sentence))
    yield


# --- the schema ---------------------------------------------------------------------------


def test_schema_is_valid_and_its_codes_are_the_portals() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == SCHEMA_ID
    defs, answers = SCHEMA["$defs"], SCHEMA["$defs"]["answers"]["properties"]

    def fields(theme: str) -> dict[str, Any]:
        shape: dict[str, Any] = answers[theme]["anyOf"][1]["properties"]
        return shape

    def values(enum: Any) -> list[str]:
        return [member.value for member in enum]

    def choice(theme: str, name: str) -> list[str | None]:
        enum: list[str | None] = fields(theme)[name]["enum"]
        return enum

    assert fields("concerns")["topics"]["items"]["enum"] == list(TOPIC_SLUGS)
    assert choice("concerns", "urgency") == [*values(Urgency), "unknown", None]
    assert choice("residence", "status") == [*values(ResidenceStatus), "unknown", None]
    assert choice("accommodation", "housing") == [*values(Housing), "unknown", None]
    assert choice("languages", "interpreter") == [*values(YesNo), "unknown", None]
    assert choice("languages", "interpreter_language") == [*INTERPRETER_LANGUAGES, "unknown", None]
    assert defs["letter"]["properties"]["kind"]["enum"] == [*values(LetterKind), "unknown"]
    indicators = defs["special_categories"]["properties"]["indicators"]["items"]["enum"]
    assert indicators == values(VulnerabilityIndicator)
    assert defs["consent"]["properties"]["purpose"]["enum"] == values(ConsentPurpose)
    assert defs["appointment"]["properties"]["mode"]["enum"] == values(AppointmentMode)
    assert SCHEMA["properties"]["client_language"]["enum"] == list(LANGUAGES)
    assert defs["event"]["properties"]["type"]["enum"] == values(HandoverEvent)
    assert defs["appointment_cancelled"]["properties"]["cancelled_by"]["enum"] == values(
        CancelledBy
    )


# --- webhook ------------------------------------------------------------------------------


def test_receiver_down_then_up_gets_every_event_exactly_once(
    booking_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_receiver() as receiver:
        monkeypatch.setenv("LOTSE_TEST_WEBHOOK_SECRET", receiver.secret)
        handover_to(booking_app, case=webhook(receiver.url, "env:LOTSE_TEST_WEBHOOK_SECRET"))
        bookings = [submitted(booking_app, lang) for lang in ("ar", "uk", "fa")]

        receiver.answer = 503  # the case system is down
        now = utcnow()
        assert jobs(booking_app, now) == outbox.DeliveryReport(retrying=3)
        for wait in outbox.BACKOFF_SECONDS[:3]:
            # Nothing is sent again before the backoff is over, then everything is.
            assert deliver(booking_app, now + dt.timedelta(seconds=wait - 1)) == NO_DELIVERIES
            now += dt.timedelta(seconds=wait)
            assert deliver(booking_app, now) == outbox.DeliveryReport(retrying=3)
        assert len(receiver.refused) == 3 * 4 and receiver.received == {}
        tried = {message_id for message_id, _ in receiver.refused}
        assert len(tried) == 3  # every retry carries the same webhook-id

        receiver.answer = None  # back up
        assert deliver(booking_app, now + dt.timedelta(seconds=1)) == NO_DELIVERIES
        now += dt.timedelta(seconds=outbox.BACKOFF_SECONDS[3])
        assert deliver(booking_app, now) == outbox.DeliveryReport(delivered=3)
        assert deliver(booking_app, now + dt.timedelta(days=2)) == NO_DELIVERIES
        assert set(receiver.received) == tried
        assert receiver.repeats == [] and receiver.rejected == []

        events = receiver.events()
        for event in events:
            assert_valid_event(event)
            assert_valid_summary(event["data"])
        assert {event["type"] for event in events} == {"intake.submitted"}
        assert sorted(e["data"]["appointment"]["code"] for e in events) == sorted(
            b.code for b in bookings
        )
        arrival = next(iter(receiver.received.values()))
        assert arrival.headers["webhook-signature"].startswith("v1,")
        assert arrival.headers["content-type"].startswith("application/json")

        # Later events reach the receiver that holds the summary.
        withdraw_sharing(booking_app, bookings[0])
        with booking_app.app_context():
            cancel(bookings[1].appointment(), CancelledBy.COUNSELLOR, "Krankheit der Beraterin")
        assert deliver(booking_app) == outbox.DeliveryReport(delivered=2)

    follow_ups = {e["type"]: e for e in receiver.events() if e["type"] != "intake.submitted"}
    assert set(follow_ups) == {"intake.withdrawn", "appointment.cancelled"}
    for event in follow_ups.values():
        assert_valid_event(event)
    first, second = (summary_of_event(receiver, b.code) for b in bookings[:2])
    withdrawn = follow_ups["intake.withdrawn"]["data"]
    assert withdrawn["intake_id"] == first["intake_id"] and withdrawn["scope"] == "all"
    cancelled = follow_ups["appointment.cancelled"]["data"]
    assert cancelled["intake_id"] == second["intake_id"]
    assert cancelled["cancelled_by"] == "counsellor"
    assert all(b"Krankheit" not in arrival.raw for arrival in receiver.received.values())

    # Exactly once: every outbox entry arrived, none twice, none is left.
    rows = outbox_rows(booking_app)
    assert {row.webhook_id for row in rows} == set(receiver.received)
    assert len(receiver.received) == len(rows) == 5 and receiver.repeats == []
    assert {row.status for row in rows} == {HandoverStatus.DELIVERED}
    assert all(row.payload is None for row in rows)  # nothing kept once delivered


def test_lost_answer_is_retried_with_the_same_id_and_dropped_as_a_repeat(
    booking_app: Flask,
) -> None:
    with webhook_receiver() as receiver:
        handover_to(booking_app, case=webhook(receiver.url, receiver.secret))
        submitted(booking_app, "en")
        receiver.lose_answers = 1  # accepted, but the connection drops before the answer
        now = utcnow()
        assert jobs(booking_app, now) == outbox.DeliveryReport(retrying=1)
        assert len(receiver.received) == 1
        now += dt.timedelta(seconds=outbox.BACKOFF_SECONDS[0])
        assert deliver(booking_app, now) == outbox.DeliveryReport(delivered=1)
    [row] = outbox_rows(booking_app)
    assert list(receiver.received) == [row.webhook_id]
    assert receiver.repeats == [row.webhook_id]  # recognised by its id, stored once
    assert row.status == HandoverStatus.DELIVERED and row.attempts == 2


def test_wrong_secret_is_rejected_by_the_receiver_until_dead_then_retried(
    booking_app: Flask,
) -> None:
    with webhook_receiver() as receiver:
        handover_to(booking_app, case=webhook(receiver.url, new_webhook_secret()))
        submitted(booking_app, "uk")
        now = utcnow()
        with booking_app.app_context():
            service.prepare_submitted(now)
        reports = []
        for _attempt in range(outbox.MAX_ATTEMPTS):
            reports.append(deliver(booking_app, now))
            now += dt.timedelta(days=1)
        assert reports[-1] == outbox.DeliveryReport(dead=1)
        assert all(r == outbox.DeliveryReport(retrying=1) for r in reports[:-1])
        assert deliver(booking_app, now) == NO_DELIVERIES
        [row] = outbox_rows(booking_app)
        assert row.status == HandoverStatus.DEAD and row.last_error == "HTTP 401"
        assert receiver.rejected == [row.webhook_id] * outbox.MAX_ATTEMPTS
        assert receiver.received == {}

        # Staff fix the secret and retry the dead delivery: it arrives, verified.
        handover_to(booking_app, case=webhook(receiver.url, receiver.secret))
        with booking_app.app_context():
            assert outbox.retry(now=now) == 1
        assert deliver(booking_app, now) == outbox.DeliveryReport(delivered=1)
    assert list(receiver.received) == [row.webhook_id]
    assert_valid_event(receiver.events()[0])


def test_gone_and_unauthorised_receivers_are_dead_at_once(booking_app: Flask) -> None:
    with webhook_receiver() as receiver, zammad_server() as zammad:
        receiver.answer = 410
        handover_to(
            booking_app,
            case=webhook(receiver.url, receiver.secret),
            helpdesk=zammad_target(zammad.url, zammad.contract, token="not-the-token"),
        )
        submitted(booking_app, "fa")
        now = utcnow()
        assert jobs(booking_app, now) == outbox.DeliveryReport(dead=2)
        assert deliver(booking_app, now + dt.timedelta(days=3)) == NO_DELIVERIES
    assert len(receiver.refused) == 1 and zammad.unauthorized == 1 and zammad.tickets == {}
    rows = {row.target: row for row in outbox_rows(booking_app)}
    assert rows["case"].last_error == "HTTP 410" and rows["helpdesk"].last_error == "HTTP 401"
    assert all(row.status == HandoverStatus.DEAD and row.attempts == 1 for row in rows.values())
    with booking_app.app_context():
        assert outbox.status_counts() == {
            ("case", "intake.submitted", "dead"): 1,
            ("helpdesk", "intake.submitted", "dead"): 1,
        }


# --- e-mail -------------------------------------------------------------------------------


def test_office_mailbox_gets_a_german_notice_without_the_clients_data(
    booking_app: Flask, smtp: Any
) -> None:
    handover_to(booking_app, mailbox={"system": "email", "to": MAILBOX})
    answers = {
        **FULL_ANSWERS,
        "documents": {
            "has_letters": "yes",
            "letters": [{"kind": "asylum-decision", "deadline": deadline_in(5)}],
        },
        "previous": {"previous": "yes", "where": "Caritas Cottbus"},
        "vulnerability": VULNERABLE,
    }
    booking = submitted(booking_app, "ar", (SHARE, SPECIAL), answers)
    assert jobs(booking_app, utcnow()) == outbox.DeliveryReport(delivered=1)
    summary = summary_of(booking_app, booking)
    assert_valid_summary(summary)
    assert summary["special_categories"] == VULNERABLE  # the receivers with the data get it …

    [mail] = smtp.to(MAILBOX)
    assert str(mail["Subject"]) == f"Lotse: Vorab-Angaben zum Termin {booking.code}"
    assert str(mail["Content-Language"]) == "de"
    assert not mail.is_multipart()  # no attachment: the summary never travels by e-mail
    body = mail.get_content()
    assert booking.code in body and summary["inbox_url"] in body
    assert "/staff/intake/" in summary["inbox_url"]
    assert "Eine Frist endet in höchstens 14 Tagen." in body
    assert "keine Angaben der Person" in body
    forbidden = sensitive_texts(booking_app, answers)
    assert [text for text in forbidden if text in body] == []  # … the mailbox does not

    withdraw_sharing(booking_app, booking)
    assert deliver(booking_app) == outbox.DeliveryReport(delivered=1)
    [_, notice] = smtp.to(MAILBOX)
    subject = f"Lotse: Widerruf – Vorab-Angaben zum Termin {booking.code} löschen"
    assert str(notice["Subject"]) == subject
    text = notice.get_content()
    assert booking.code in text and "widerrufen" in text
    assert [text_ for text_ in forbidden if text_ in text] == []


# --- file drop ----------------------------------------------------------------------------


def test_file_drop_files_appear_whole_and_withdrawal_removes_unimported_ones(
    booking_app: Flask, tmp_path: Path, translation: None
) -> None:
    drop, imported = tmp_path / "drop", tmp_path / "imported"
    drop.mkdir()
    imported.mkdir()
    handover_to(booking_app, share={"system": "file_drop", "directory": str(drop)})
    bookings = [submitted(booking_app, lang) for lang in ("ar", "en", "uk", "ar")]

    # An importer polls the share while Lotse writes: it must never read half a file.
    stop, broken, seen = threading.Event(), [], set()

    def importer() -> None:
        while not stop.is_set():
            for path in list(drop.iterdir()):
                if path.name.startswith("."):
                    continue  # hidden temporary files are not for importers
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    continue
                seen.add(path.name)
                complete = (
                    _is_json(data) if path.suffix == ".json" else data.rstrip().endswith(b"</html>")
                )
                if not complete:
                    broken.append(path.name)

    watcher = threading.Thread(target=importer)
    watcher.start()
    try:
        report = jobs(booking_app, utcnow())
    finally:
        stop.set()
        watcher.join()
    assert report == outbox.DeliveryReport(delivered=4)
    assert broken == [] and seen

    assert [p.name for p in drop.iterdir() if p.name.startswith(".")] == []  # no temp files
    rows = outbox_rows(booking_app)
    names = sorted(p.name for p in drop.iterdir())
    assert names == sorted(f"{r.webhook_id}{suffix}" for r in rows for suffix in (".json", ".html"))
    assert all(row.external_ref == row.webhook_id for row in rows)
    assert all((p.stat().st_mode & 0o777) == 0o640 for p in drop.iterdir())
    by_code = {}
    for row in rows:
        event = json.loads((drop / f"{row.webhook_id}.json").read_text(encoding="utf-8"))
        assert_valid_event(event)
        assert_valid_summary(event["data"])
        by_code[event["data"]["appointment"]["code"]] = row.webhook_id
        german = (drop / f"{row.webhook_id}.html").read_text(encoding="utf-8")
        assert f"Vorab-Angaben zum Termin {event['data']['appointment']['code']}" in german
        assert "<script>alert(1)</script>" not in german
    arabic = summary_of(booking_app, bookings[0])["message"]
    assert arabic["machine_translation"] == {
        "language": "de",
        "text": "Hallo Welt",
        "label": "maschinelle Übersetzung",
        "engine": arabic["machine_translation"]["engine"],
        "via": ["ar", "en", "de"],
    }
    assert "maschinelle Übersetzung" in (drop / f"{by_code[bookings[0].code]}.html").read_text()

    # The case system has imported the second summary (moved it away), not the first.
    for suffix in (".json", ".html"):
        name = by_code[bookings[1].code] + suffix
        (drop / name).rename(imported / name)
    for booking in bookings[:2]:
        withdraw_sharing(booking_app, booking)
    assert deliver(booking_app) == outbox.DeliveryReport(delivered=2)

    left = {p.name for p in drop.iterdir()}
    assert not any(name.startswith(by_code[bookings[0].code]) for name in left)  # removed
    assert len(list(imported.iterdir())) == 2  # what was imported is the importer's business
    withdrawals = [json.loads(p.read_text()) for p in drop.glob("*.json")]
    withdrawals = [event for event in withdrawals if event["type"] == "intake.withdrawn"]
    assert len(withdrawals) == 2
    for event in withdrawals:
        assert_valid_event(event)
    assert {p.name for p in drop.iterdir() if p.name.startswith(".")} == set()
    remaining = {by_code[b.code] for b in bookings[2:]}
    assert {name.split(".")[0] for name in left if name.endswith(".html")} == remaining


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


# --- Zammad -------------------------------------------------------------------------------


def test_zammad_ticket_once_then_internal_note_on_withdrawal(
    booking_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zammad_server() as zammad:
        monkeypatch.setenv("LOTSE_TEST_ZAMMAD_TOKEN", zammad.token)
        handover_to(
            booking_app,
            helpdesk=zammad_target(zammad.url, zammad.contract, "env:LOTSE_TEST_ZAMMAD_TOKEN"),
        )
        booking = submitted(booking_app, "ar")
        zammad.lose_next_create_answer = True  # the ticket is made, the answer is lost
        now = utcnow()
        assert jobs(booking_app, now) == outbox.DeliveryReport(retrying=1)
        assert len(zammad.tickets) == 1
        now += dt.timedelta(seconds=outbox.BACKOFF_SECONDS[0])
        assert deliver(booking_app, now) == outbox.DeliveryReport(delivered=1)
        assert len(zammad.tickets) == 1  # found by its title, not created twice

        [(ticket_id, ticket)] = zammad.tickets.items()
        [submission] = outbox_rows(booking_app)
        assert submission.external_ref == str(ticket_id)
        assert ticket["title"].endswith(f"[{submission.webhook_id}]")
        assert booking.code in ticket["title"]
        article = ticket["article"]
        assert article["internal"] is True and article["type"] == "note"
        assert f"Vorab-Angaben zum Termin {booking.code}" in article["body"]
        assert "&lt;script&gt;" in article["body"] and "<script>" not in article["body"]

        withdraw_sharing(booking_app, booking)
        assert deliver(booking_app) == outbox.DeliveryReport(delivered=1)
    assert len(zammad.tickets) == 1
    [note] = zammad.articles
    assert note["ticket_id"] == ticket_id and note["internal"] is True
    assert note["subject"] == f"Lotse: Widerruf – Vorab-Angaben zum Termin {booking.code} löschen"
    assert "widerrufen" in note["body"] and "أحتاج" not in note["body"]
    withdrawal = outbox_rows(booking_app)[1]
    assert withdrawal.event == "intake.withdrawn" and withdrawal.external_ref == str(ticket_id)
    search, create, post = "/api/v1/tickets/search", "/api/v1/tickets", "/api/v1/ticket_articles"
    assert zammad.requests == [("GET", search), ("POST", create), ("GET", search), ("POST", post)]
    assert zammad.violations == [] and zammad.unauthorized == 0


# --- special categories -------------------------------------------------------------------


@pytest.mark.parametrize("special", [False, True], ids=["share-only", "share-and-special"])
def test_special_categories_reach_no_receiver_without_their_consent(
    booking_app: Flask, smtp: Any, tmp_path: Path, special: bool
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    with webhook_receiver() as receiver, zammad_server() as zammad:
        handover_to(
            booking_app,
            case=webhook(receiver.url, receiver.secret),
            mailbox={"system": "email", "to": MAILBOX},
            share={"system": "file_drop", "directory": str(drop)},
            helpdesk=zammad_target(zammad.url, zammad.contract),
        )
        purposes = (SHARE, SPECIAL) if special else (SHARE,)
        # Stored either way, as if answered before that consent was withdrawn.
        answers = {**FULL_ANSWERS, "vulnerability": VULNERABLE}
        booking = submitted(booking_app, "en", purposes, answers)
        assert jobs(booking_app, utcnow()) == outbox.DeliveryReport(delivered=4)

    [arrival] = receiver.received.values()
    [ticket] = zammad.tickets.values()
    [mail] = smtp.to(MAILBOX)
    received = {
        "webhook": arrival.raw.decode("utf-8"),
        "file_drop": " ".join(p.read_text(encoding="utf-8") for p in drop.iterdir()),
        "zammad": json.dumps(ticket, ensure_ascii=False),
        "email": str(mail["Subject"]) + mail.get_content(),
    }
    assert zammad.violations == []
    summary = arrival.body["data"]
    assert_valid_event(arrival.body)
    assert_valid_summary(summary)
    assert summary["appointment"]["code"] == booking.code
    markers = special_markers(booking_app)

    def traces(name: str) -> list[str]:
        return [marker for marker in markers if marker in received[name]]

    assert traces("email") == []  # never by e-mail, consent or not
    if special:
        assert summary["special_categories"] == VULNERABLE
        assert summary["flags"]["vulnerability_indicated"] is True
        for name in ("webhook", "file_drop", "zammad"):
            assert traces(name), name
    else:
        assert "special_categories" not in summary
        assert summary["flags"]["vulnerability_indicated"] is None
        assert {name: traces(name) for name in received} == {name: [] for name in received}
        # The schema itself refuses such data without the consent.
        assert not SUMMARY_VALIDATOR.is_valid({**summary, "special_categories": VULNERABLE})


# --- two job runners ----------------------------------------------------------------------


def test_two_job_runners_send_each_event_once(booking_app: Flask, database_url: str) -> None:
    """`lotse jobs run` on two hosts at once: row locks (PostgreSQL) keep sends apart."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite ignores row locks; production with two runners uses PostgreSQL")
    with webhook_receiver() as receiver:
        receiver.delay = 0.01  # a receiver that takes a moment per event
        handover_to(booking_app, case=webhook(receiver.url, receiver.secret))
        for lang in ("ar", "en", "uk", "fa", "de", "ar", "en", "uk", "fa", "de", "ar", "en"):
            submitted(booking_app, lang)
        now = utcnow()
        with booking_app.app_context():
            assert service.prepare_submitted(now) == 12
        start = threading.Barrier(2)
        pending = HandoverDelivery.status == HandoverStatus.PENDING
        delivered: dict[str, int] = {}

        def runner(name: str) -> None:
            # Each keeps polling until nothing is pending (as `lotse jobs run --loop` does).
            start.wait()
            delivered[name] = 0
            with booking_app.app_context():
                for _poll in range(1000):
                    if db.session.scalar(select(HandoverDelivery.id).where(pending)) is None:
                        break
                    db.session.rollback()
                    delivered[name] += outbox.deliver_due(now).delivered
                db.session.remove()

        threads = [threading.Thread(target=runner, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert delivered["a"] > 0 and delivered["b"] > 0  # both runners did part of the work
    assert delivered["a"] + delivered["b"] == 12
    assert len(receiver.received) == 12 and receiver.repeats == []
