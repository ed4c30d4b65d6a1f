"""Pre-intake as a client answers it, and what reaches the counsellor."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from portal.booking.service import cancel
from portal.booking.slots import BERLIN
from portal.constants import (
    CancelledBy,
    ConsentPurpose,
    HandoverEvent,
    HandoverStatus,
    IntakeStatus,
)
from portal.extensions import db
from portal.handover import outbox
from portal.intake import service
from portal.models import AuditEvent, ConsentRecord, HandoverDelivery, Intake, utcnow

from .booking_support import PASSWORD, add_counsellor
from .intake_support import (
    Booked,
    agree,
    answer_and_submit,
    booked,
    csrf,
    page,
    use_handover_config,
)
from .staff_support import sign_in as staff_sign_in

SHARE, SPECIAL = ConsentPurpose.SHARE_SUMMARY, ConsentPurpose.SPECIAL_CATEGORIES


@pytest.fixture
def client(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


@pytest.fixture
def drop(booking_app: Flask, tmp_path: Path) -> Path:
    """Summaries of the test office go into a file-drop directory."""
    folder = tmp_path / "drop"
    folder.mkdir()
    use_handover_config(
        booking_app,
        {
            "targets": {"share": {"system": "file_drop", "directory": str(folder)}},
            "offices": {"mbe-finsterwalde": ["share"]},
        },
    )
    return folder


def run_jobs(app: Flask) -> None:
    with app.app_context():
        service.prepare_submitted()
        outbox.deliver_due()


def versions(client: FlaskClient, url: str) -> dict[str, str]:
    consent_page = page(client.get(url))
    return dict(re.findall(r'name="(share|special)" value="([0-9a-f]{16})"', consent_page))


def post_theme(client: FlaskClient, booking: Booked, slug: str, **form: object) -> object:
    url = f"/{booking.lang}/appointments/{booking.token}/prepare/{slug}"
    token = csrf(page(client.get(url)))
    return client.post(url, data={"csrf_token": token, **form})


# --- the client's path --------------------------------------------------------------------


def test_client_answers_one_theme_per_screen_and_sends(
    client: FlaskClient, booking_app: Flask, drop: Path
) -> None:
    booking = booked(booking_app, "en")
    start = f"/en/appointments/{booking.token}/prepare"
    consent_page = page(client.get(start))
    assert "Prepare your appointment" in consent_page
    assert 'name="share"' in consent_page and " checked" not in consent_page  # unticked
    chosen = versions(client, start)
    response = client.post(
        f"{start}/consent",
        data={"csrf_token": csrf(consent_page), "share": chosen["share"]},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/prepare/concerns")

    concerns = page(client.get(f"{start}/concerns"))
    assert "Step 1 of 9" in concerns  # 8 themes without special categories, then the review
    assert "Special protection" not in concerns
    post_theme(client, booking, "concerns", topics=["housing"], urgency="very-urgent")
    post_theme(client, booking, "household", action="skip")
    # Resume later: the next unanswered theme.
    assert client.get(start).headers["Location"].endswith("/prepare/languages")
    post_theme(client, booking, "languages", spoken=["ar", "de"], interpreter="unknown")
    post_theme(client, booking, "residence", status="duldung")
    post_theme(client, booking, "accommodation", housing="communal-accommodation")
    deadline = (utcnow().astimezone(BERLIN).date() + dt.timedelta(days=5)).strftime("%d.%m.%Y")
    post_theme(client, booking, "documents", letter_1="asylum-decision", deadline_1=deadline)
    post_theme(client, booking, "previous", previous="no")
    post_theme(
        client, booking, "message", message="I need help with a letter.", message_language="en"
    )

    review = page(client.get(f"{start}/review"))
    assert "Tolerated stay (Duldung)" in review and "Skipped" in review
    response = client.post(f"{start}/submit", data={"csrf_token": csrf(review)})
    assert response.status_code == 303
    assert "Your answers were sent" in page(client.get(start))
    # A double click on "send" changes nothing.
    again = client.post(f"{start}/submit", data={"csrf_token": csrf(review)})
    assert again.status_code == 303

    run_jobs(booking_app)
    files = sorted(p.name for p in drop.iterdir())
    assert len(files) == 2 and files[0].endswith(".html") and files[1].endswith(".json")
    body = json.loads((drop / files[1]).read_text())
    assert body["type"] == "intake.submitted"
    summary = body["data"]
    assert summary["flags"] == {
        "urgent": True,
        "deadline_within_14_days": True,
        "vulnerability_indicated": None,
    }
    assert summary["answers"]["residence"] == {"status": "duldung"}
    assert "special_categories" not in summary
    assert summary["message"]["original"] == "I need help with a letter."
    german = (drop / files[0]).read_text()
    assert "Geduldet" in german or "Duldung" in german
    assert "Frist in ≤ 14 Tagen" in german and "Dringend" in german


def test_without_consent_to_share_nothing_is_asked(client: FlaskClient, booking_app: Flask) -> None:
    booking = booked(booking_app, "uk")
    start = f"/uk/appointments/{booking.token}/prepare"
    consent_page = page(client.get(start))
    response = client.post(f"{start}/consent", data={"csrf_token": csrf(consent_page)})
    assert response.status_code == 200
    assert 'href="/uk/appointments/' in page(response)
    assert client.get(f"{start}/concerns").headers["Location"].endswith("/prepare")
    with booking_app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 0
        assert db.session.scalar(select(func.count(ConsentRecord.id))) == 1  # booking only


def test_special_categories_only_with_their_own_consent(
    client: FlaskClient, booking_app: Flask, drop: Path
) -> None:
    booking = booked(booking_app, "ar")
    start = f"/ar/appointments/{booking.token}/prepare"
    chosen = versions(client, start)
    consent_page = page(client.get(start))
    client.post(f"{start}/consent", data={"csrf_token": csrf(consent_page), **chosen})
    assert client.get(f"{start}/vulnerability").status_code == 200
    post_theme(client, booking, "vulnerability", indicators=["pregnancy", "not-a-code"])
    with booking_app.app_context():
        answer_and_submit(booking)
    run_jobs(booking_app)
    body = json.loads(next(drop.glob("*.json")).read_text())
    assert body["data"]["special_categories"] == {
        "indicators": ["pregnancy"],
        "prefer_not_to_say": False,
    }
    assert body["data"]["flags"]["vulnerability_indicated"] is True


def test_bad_input_gets_a_translated_message_and_keeps_the_text(
    client: FlaskClient, booking_app: Flask
) -> None:
    booking = booked(booking_app, "fa")
    with booking_app.app_context():
        agree(booking, SHARE)
    long_text = "ب" * 20_000
    response = post_theme(client, booking, "message", message=long_text, message_language="fa")
    assert response.status_code == 422
    answer_page = page(response)
    assert long_text in answer_page  # nothing lost
    assert 'class="field__error"' in answer_page
    response = post_theme(client, booking, "documents", letter_1="court", deadline_1="31.02.2026")
    assert response.status_code == 422
    response = post_theme(client, booking, "household", adults="۲", children="x")
    assert response.status_code == 422
    assert 'value="۲"' in page(response)


def test_answers_are_escaped_everywhere(
    client: FlaskClient, booking_app: Flask, drop: Path
) -> None:
    booking = booked(booking_app, "ar")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
    run_jobs(booking_app)
    german = next(drop.glob("*.html")).read_text()
    assert "<script>alert(1)</script>" not in german
    assert "&lt;script&gt;" in german
    data_page = client.get(f"/ar/appointments/{booking.token}/data").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in data_page


def test_tampered_or_unknown_token_is_404(client: FlaskClient, booking_app: Flask) -> None:
    booking = booked(booking_app, "en")
    tampered = booking.token[:-2] + ("AA" if not booking.token.endswith("AA") else "BB")
    for path in ("prepare", "prepare/concerns", "data", "data.json"):
        assert client.get(f"/en/appointments/{tampered}/{path}").status_code == 404


def test_answers_are_encrypted_in_the_database(booking_app: Flask) -> None:
    booking = booked(booking_app, "ar")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
        service.prepare_submitted()
        rows = db.session.execute(text("SELECT answers, summary FROM intake")).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert "أحتاج" not in stored and "asylum-seeker" not in stored and "housing" not in stored
    assert stored.startswith("gAAAA")  # Fernet tokens


# --- rights and retention -----------------------------------------------------------------


def test_withdrawing_consent_erases_and_tells_the_receiver(
    client: FlaskClient, booking_app: Flask, drop: Path
) -> None:
    booking = booked(booking_app, "en")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
    run_jobs(booking_app)
    data_page = page(client.get(f"/en/appointments/{booking.token}/data"))
    assert "أحتاج مساعدة" in data_page  # the client sees their own words
    url = f"/en/appointments/{booking.token}/consents/share-summary/withdraw"
    confirm = page(client.get(url))
    response = client.post(url, data={"csrf_token": csrf(confirm)})
    assert response.status_code == 303
    run_jobs(booking_app)
    with booking_app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.WITHDRAWN and intake.answers is None
        events = [d.event for d in db.session.scalars(select(HandoverDelivery))]
    assert events == [HandoverEvent.INTAKE_SUBMITTED, HandoverEvent.INTAKE_WITHDRAWN]
    withdrawn = [json.loads(p.read_text()) for p in drop.glob("*.json")]
    assert [b["type"] for b in withdrawn] == ["intake.withdrawn"]  # the summary file removed
    assert withdrawn[0]["data"]["scope"] == "all"


def test_delete_everything_cancels_and_erases(
    client: FlaskClient, booking_app: Flask, drop: Path
) -> None:
    booking = booked(booking_app, "de", contact={"email": "klient@example.org"})
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
    run_jobs(booking_app)
    url = f"/de/appointments/{booking.token}/delete"
    client.post(url, data={"csrf_token": csrf(page(client.get(url)))})
    with booking_app.app_context():
        appointment = booking.appointment()
        assert appointment.status == "cancelled"
        assert appointment.contact is None and appointment.topics is None
        assert appointment.intake is not None and appointment.intake.answers is None
        assert all(not record.in_force for record in appointment.consents)
    exported = client.get(f"/de/appointments/{booking.token}/data.json").get_json()
    assert exported["appointment"]["contact"] == {}
    assert exported["pre_intake"]["answers"] is None


def test_export_holds_everything_stored(client: FlaskClient, booking_app: Flask) -> None:
    booking = booked(booking_app, "uk", contact={"email": "klientka@example.org"})
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
    response = client.get(f"/uk/appointments/{booking.token}/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"  # personal data, never cached
    exported = response.get_json()
    assert exported["appointment"]["contact"] == {"email": "klientka@example.org"}
    assert [c["purpose"] for c in exported["consents"]] == ["arrange-appointment", "share-summary"]
    assert exported["consents"][0]["text_version"]
    assert exported["pre_intake"]["answers"]["residence"] == {"status": "asylum-seeker"}


def test_purge_erases_answers_after_the_retention_period(booking_app: Flask) -> None:
    booking = booked(booking_app, "en")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
        service.prepare_submitted()
        ends = booking.appointment().ends_at
        days = booking_app.config["INTAKE_RETENTION_DAYS"]
        assert service.purge(ends + dt.timedelta(days=days - 1)).intakes_erased == 0
        assert service.purge(ends + dt.timedelta(days=days, minutes=1)).intakes_erased == 1
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.PURGED and intake.answers is None
        assert intake.summary is None and intake.submitted_at is not None  # counts survive


def test_cancelled_appointment_is_announced_to_receivers(booking_app: Flask, drop: Path) -> None:
    booking = booked(booking_app, "en")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
    run_jobs(booking_app)
    with booking_app.app_context():
        cancel(booking.appointment(), CancelledBy.COUNSELLOR, "illness")
    run_jobs(booking_app)
    kinds = sorted(json.loads(p.read_text())["type"] for p in drop.glob("*.json"))
    assert kinds == ["appointment.cancelled", "intake.submitted"]


def test_nothing_is_handed_over_without_consent_to_share(booking_app: Flask, drop: Path) -> None:
    booking = booked(booking_app, "en")
    with booking_app.app_context():
        agree(booking)  # no purposes: the intake exists, consent to share does not
        with pytest.raises(Exception, match="missing"):
            answer_and_submit(booking)
    run_jobs(booking_app)
    assert list(drop.iterdir()) == []


# --- the counsellor's side ----------------------------------------------------------------


def sign_in(client: FlaskClient, email: str) -> None:
    staff_sign_in(client, email, PASSWORD)


def test_inbox_shows_the_german_summary_and_audits_each_view(
    client: FlaskClient, booking_app: Flask
) -> None:
    booking = booked(booking_app, "ar")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
        service.prepare_submitted()
        add_counsellor("other@example.org", ["fbd-herzberg"], ["de"])
    sign_in(client, "ar-counsellor@example.org")
    inbox = page(client.get("/staff/intake"))
    assert booking.code in inbox
    detail_url = re.search(r'href="(/staff/intake/\d+)"', inbox)[1]
    detail = page(client.get(detail_url))
    assert "Vorab-Angaben zum Termin" in detail
    assert "Aufenthaltsgestattung" in detail or "Asylsuchend" in detail
    assert "keine maschinelle Übersetzung" in detail.lower() or "kein Sprachpaket" in detail
    urgent_only = page(client.get("/staff/intake?flag=urgent"))
    assert booking.code in urgent_only
    client.post(f"{detail_url}/imported", data={"csrf_token": csrf(detail)})
    with booking_app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "intake").order_by(AuditEvent.id)
        )
        actions = [event.action for event in events]
    assert actions == ["intake.viewed", "intake.marked_imported"]
    # A counsellor of another office sees nothing of it.
    other = booking_app.test_client()
    sign_in(other, "other@example.org")
    assert booking.code not in page(other.get("/staff/intake"))
    assert other.get(detail_url).status_code == 404


def test_dead_deliveries_can_be_retried(booking_app: Flask, tmp_path: Path) -> None:
    use_handover_config(
        booking_app,
        {
            "targets": {"share": {"system": "file_drop", "directory": str(tmp_path / "missing")}},
            "offices": {"*": ["share"]},
        },
    )
    booking = booked(booking_app, "en")
    with booking_app.app_context():
        agree(booking, SHARE)
        answer_and_submit(booking)
        service.prepare_submitted()
        later = utcnow()
        for _attempt in range(outbox.MAX_ATTEMPTS):
            outbox.deliver_due(later)
            later += dt.timedelta(days=1)
        delivery = db.session.scalars(select(HandoverDelivery)).one()
        assert delivery.status == HandoverStatus.DEAD
        assert delivery.last_error == "drop directory missing"
        (tmp_path / "missing").mkdir()
        assert outbox.retry() == 1
        assert outbox.deliver_due(later).delivered == 1
    assert len(list((tmp_path / "missing").glob("*.json"))) == 1
