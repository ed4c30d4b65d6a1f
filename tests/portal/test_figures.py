"""Figures for the annual report: counts per month, small counts hidden, CSV, access."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import uuid
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.booking.service import BookingError, book, cancel, record_outcome
from portal.booking.slots import BERLIN
from portal.cli import create_user
from portal.constants import (
    AppointmentStatus,
    AuditAction,
    CancelledBy,
    ChatCountKind,
    HandoverEvent,
    HandoverStatus,
    IntakeStatus,
    Origin,
    Role,
)
from portal.extensions import db
from portal.figures.suppression import Axis, Cube, Hidden, suppress
from portal.intake.service import purge as purge_intakes
from portal.models import (
    Appointment,
    AuditEvent,
    ChatCount,
    HandoverDelivery,
    Intake,
    TopicCount,
)
from portal.notifications.delivery import purge_expired

from .booking_support import PASSWORD, add_counsellor, request_for, slots_on
from .staff_support import sign_in

MARCH, MAY = dt.date(2025, 3, 12), dt.date(2025, 5, 14)
PERIOD = {"from": "2025-03", "to": "2025-05"}
ENGLISH = {"Accept-Language": "en"}
LEAD, ADMIN = "lead@example.org", "admin@example.org"
EDITOR, COUNSELLOR = "editor@example.org", "uk-counsellor@example.org"


# --- reading what the page shows -----------------------------------------------------------


class _Tables(HTMLParser):
    """Every table of a page as {caption: {row header: [cell texts]}}, header row under ""."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self._caption = ""
        self._row: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._caption = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("caption", "th", "td"):
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td") and self._text is not None:
            text = "".join(self._text).strip()
            self._text = None
            if tag == "caption":
                self._caption = text
                self.tables[text] = {}
            elif self._row is not None:
                self._row.append(text)
        elif tag == "tr" and self._row:
            table = self.tables[self._caption]
            table["" if not table else self._row[0]] = self._row[1:] if table else self._row
            self._row = None


def tables_of(html: str) -> dict[str, dict[str, list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def cell(table: dict[str, list[str]], row: str, column: str) -> str:
    columns = table[""][1:]
    return table[row][columns.index(column)]


def figures_page(client: FlaskClient, **args: str) -> dict[str, dict[str, list[str]]]:
    response = client.get("/staff/figures/", query_string=args, headers=ENGLISH)
    assert response.status_code == 200
    return tables_of(response.get_data(as_text=True))


# --- the data: bookings in March and May 2025 at the MBE office in Finsterwalde ------------


def _book_on(
    day: dt.date, office_slug: str = "mbe-finsterwalde", service: str = "mbe", **extra: object
) -> Appointment:
    """A booking made two days before ``day`` (so in the same month), at its first free time."""
    now = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(9), tzinfo=BERLIN)
    slot = slots_on(day, office_slug, service, now=now)[0]
    request = request_for(slot.start, office_slug, service, **extra)  # type: ignore[arg-type]
    return book(request, now).appointment


def _add_intake(appointment: Appointment, when: dt.datetime, handed_over: bool) -> None:
    intake = Intake(
        public_id=str(uuid.uuid4()),
        appointment_id=appointment.id,
        status=IntakeStatus.PREPARED,
        submitted_at=when,
        prepared_at=when + dt.timedelta(minutes=5),
    )
    db.session.add(intake)
    db.session.flush()
    if handed_over:
        db.session.add(
            HandoverDelivery(
                webhook_id=f"msg_{uuid.uuid4().hex}",
                event=HandoverEvent.INTAKE_SUBMITTED,
                system="webhook",
                target="case-system",
                office_id=appointment.office_id,
                intake_id=intake.id,
                status=HandoverStatus.DELIVERED,
                next_attempt_at=when,
                delivered_at=when + dt.timedelta(minutes=6),
            )
        )


@pytest.fixture
def figures_app(booking_app: Flask) -> Flask:
    """March: 6 Ukrainian bookings (housing; 5 attended, 1 did not come) and 2 Arabic ones
    with an interpreter from the chat (health and housing; 1 attended, 1 cancelled).
    May: 6 German bookings (5 on work, attended; 1 without topic), 1 demo booking in Farsi.
    Chat: in March 7 conversations in German, 2 in Ukrainian."""
    with booking_app.app_context():
        march = [_book_on(MARCH, lang="uk", topics=["housing"]) for _ in range(6)]
        march += [
            _book_on(
                MARCH,
                lang="ar",
                interpreter_language="ar",
                origin=Origin.CHAT,
                topics=["health", "housing"],
            )
            for _ in range(2)
        ]
        may = [_book_on(MAY, lang="de", topics=["work"]) for _ in range(5)]
        may.append(_book_on(MAY, lang="de"))
        _book_on(MAY, lang="fa", topics=["return"], demo=True)
        for appointment in march[:5] + march[7:] + may[:5]:
            record_outcome(appointment, AppointmentStatus.ATTENDED)
        record_outcome(march[5], AppointmentStatus.NO_SHOW)
        cancel(march[6], CancelledBy.CLIENT, now=march[6].starts_at - dt.timedelta(days=1))
        submitted = dt.datetime(2025, 3, 11, 10, tzinfo=BERLIN)
        _add_intake(march[0], submitted, handed_over=True)
        _add_intake(march[1], submitted, handed_over=False)
        for language, count in (("de", 7), ("uk", 2)):
            db.session.add(
                ChatCount(
                    day=dt.date(2025, 3, 5),
                    kind=ChatCountKind.CONVERSATION,
                    language=language,
                    intent="",
                    count=count,
                )
            )
        db.session.commit()
        create_user(LEAD, "Lead", Role.LEAD, PASSWORD)
        create_user(ADMIN, "Admin", Role.ADMIN, PASSWORD)
        create_user(EDITOR, "Editor", Role.EDITOR, PASSWORD)
    return booking_app


@pytest.fixture
def lead(figures_app: Flask) -> FlaskClient:
    client = figures_app.test_client()
    sign_in(client, LEAD, PASSWORD)
    return client


APPOINTMENTS = "Appointments per month – All services"
LANGUAGES = "Bookings by the client's language per month – All services"


# --- what the page shows --------------------------------------------------------------------


def test_appointments_per_month_with_small_counts_hidden(lead: FlaskClient) -> None:
    table = figures_page(lead, **PERIOD)[APPOINTMENTS]
    assert table[""] == ["Month", "Booked", "Attended", "Did not come", "Cancelled"]
    assert table["March 2025"] == ["8", "6", "<5", "<5"]
    assert table["April 2025"] == ["0", "0", "0", "0"]
    assert table["May 2025"] == ["6", "5", "0", "0"]  # the demo booking is left out
    assert table["Total of the period"] == ["14", "11", "<5", "<5"]


def test_one_small_cell_in_a_row_hides_the_next_one_too(lead: FlaskClient) -> None:
    tables = figures_page(lead, **PERIOD)
    languages = tables[LANGUAGES]
    assert languages[""] == [
        "Month",
        "German",
        "English",
        "Arabic",
        "Persian",
        "Ukrainian",
        "Total",
    ]
    # 2 Arabic bookings are "<5"; the 6 Ukrainian ones would give them away (8 − 6): hidden.
    assert languages["March 2025"] == ["0", "0", "<5", "0", "x", "8"]
    assert languages["May 2025"] == ["6", "0", "0", "0", "0", "6"]
    assert languages["Total of the period"] == ["6", "0", "<5", "0", "x", "14"]
    interpreter = tables["Bookings with an interpreter per month – All services"]
    assert interpreter["March 2025"] == ["<5", "x", "8"]
    origin = tables["Bookings by where they were made per month – All services"]
    assert cell(origin, "March 2025", "Chat assistant") == "<5"
    assert cell(origin, "March 2025", "Website") == "x"
    assert cell(origin, "May 2025", "Website") == "6"
    chat = tables["Chat conversations by language per month – All services"]
    assert chat["March 2025"] == ["x", "0", "0", "0", "<5", "9"]


def test_threshold_is_configurable(figures_app: Flask, lead: FlaskClient) -> None:
    figures_app.config["FIGURES_MIN_COUNT"] = 1
    tables = figures_page(lead, **PERIOD)
    assert tables[APPOINTMENTS]["March 2025"] == ["8", "6", "1", "1"]
    assert tables[LANGUAGES]["March 2025"] == ["0", "0", "2", "0", "6", "8"]
    intakes = tables["Pre-intake summaries per month – All services"]
    assert intakes[""] == [
        "Month",
        "Sent by clients",
        "Ready for the office",
        "Handed over to a case system",
    ]
    assert intakes["March 2025"] == ["2", "2", "1"]
    figures_app.config["FIGURES_MIN_COUNT"] = 3
    page = lead.get("/staff/figures/", query_string=PERIOD, headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert tables_of(html)[APPOINTMENTS]["March 2025"] == ["8", "6", "<3", "<3"]
    assert "between 1 and 2" in html


def test_topics_are_counted_at_booking_and_survive_the_purge(
    figures_app: Flask, lead: FlaskClient
) -> None:
    topics = "Bookings by topic per month – All services"
    figures_app.config["FIGURES_MIN_COUNT"] = 1
    before = figures_page(lead, **PERIOD)[topics]
    assert before[""] == [
        "Month",
        "Housing: accommodation and your own flat",
        "Health and seeing a doctor",
        "Work and work permit",
    ]
    assert before["March 2025"] == ["8", "2", "0"]
    assert before["May 2025"] == ["0", "0", "5"]
    with figures_app.app_context():
        later = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert purge_expired(later).appointments_erased >= 14
        purge_intakes(later)
        stored = db.session.scalars(select(Appointment.topics)).all()
        assert stored and all(topics is None for topics in stored)
        statuses = set(db.session.scalars(select(Intake.status)))
        assert statuses == {IntakeStatus.PURGED}
    after = figures_page(lead, **PERIOD)
    assert after[topics] == before
    intakes = after["Pre-intake summaries per month – All services"]
    assert intakes["March 2025"] == ["2", "2", "1"]  # the rows stay, the answers are gone


def test_topic_counts_of_concurrent_bookings_add_up(booking_app: Flask) -> None:
    day = dt.date(2025, 6, 11)
    now = dt.datetime(2025, 6, 9, 9, tzinfo=BERLIN)
    with booking_app.app_context():
        starts: list[dt.datetime] = []
        for slot in slots_on(day, now=now):  # times far enough apart not to overlap
            if not starts or slot.start - starts[-1] >= dt.timedelta(hours=2):
                starts.append(slot.start)
    starts = starts[:4] * 2  # each time once per counsellor: every attempt can succeed
    attempts = len(starts)
    barrier = threading.Barrier(attempts)
    booked: list[int] = []

    def attempt(start: dt.datetime) -> None:
        with booking_app.app_context():
            barrier.wait()
            try:
                book(request_for(start, topics=["work", "housing"]), now)
                booked.append(1)
            except BookingError:
                pass
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(start,)) for start in starts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(booked) == attempts
    with booking_app.app_context():
        rows = db.session.execute(
            select(TopicCount.topic, TopicCount.day, func.sum(TopicCount.count)).group_by(
                TopicCount.topic, TopicCount.day
            )
        ).all()
        month = (day - dt.timedelta(days=2)).replace(day=1)  # counted per month of booking
        assert sorted(rows) == [("housing", month, attempts), ("work", month, attempts)]


def test_demo_bookings_only_when_asked_for_and_labelled(lead: FlaskClient) -> None:
    html = lead.get("/staff/figures/", query_string=PERIOD, headers=ENGLISH).get_data(as_text=True)
    assert "include demo data" not in html
    assert tables_of(html)[LANGUAGES]["May 2025"][3] == "0"
    shown = lead.get(
        "/staff/figures/", query_string={**PERIOD, "demo": "include"}, headers=ENGLISH
    ).get_data(as_text=True)
    assert "These figures include demo data" in shown
    tables = tables_of(shown)
    assert tables[LANGUAGES]["May 2025"][3] == "<5"
    assert tables[APPOINTMENTS]["May 2025"][0] == "7"
    topics = tables["Bookings by topic per month – All services"]
    assert cell(topics, "May 2025", "Return and onward migration") == "<5"


def test_charts_are_inline_svg_without_the_hidden_values(lead: FlaskClient) -> None:
    html = lead.get("/staff/figures/", query_string=PERIOD, headers=ENGLISH).get_data(as_text=True)
    assert html.count('<svg class="figures-chart" role="img"') >= 10
    assert 'aria-label="Booked per month. March 2025: 8; April 2025: 0; May 2025: 6"' in html
    languages = html[html.index("Bookings by the client&#39;s language: Total of the period") :]
    chart = languages[: languages.index("</svg>")]
    assert "Arabic: &lt;5" in chart and "Ukrainian: x" in chart
    assert chart.count("<rect") == 1  # only German has a bar; hidden counts get none
    assert " style=" not in html  # the CSP forbids inline styles


def test_period_and_office_filters(figures_app: Flask, lead: FlaskClient) -> None:
    may = figures_page(lead, **{"from": "2025-05", "to": "2025-05"})[APPOINTMENTS]
    assert list(may) == ["", "May 2025", "Total of the period"]
    year = figures_page(lead, **{"from": "2025-01", "to": "2025-12"})[APPOINTMENTS]
    assert len(year) == 1 + 12 + 1 and year["Total 2025"] == ["14", "11", "<5", "<5"]
    office = figures_page(lead, **PERIOD, service="mbe", office="mbe-finsterwalde")
    caption = next(caption for caption in office if caption.startswith("Appointments per month"))
    assert "Finsterwalde" in caption
    assert office[caption]["March 2025"] == ["8", "6", "<5", "<5"]
    elsewhere = figures_page(lead, **PERIOD, service="jmd")
    jmd = next(caption for caption in elsewhere if caption.startswith("Appointments per month"))
    assert elsewhere[jmd]["March 2025"] == ["0", "0", "0", "0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2025-13", "to": "2025-05"}, "for example 2025-03"),
        ({"from": "March", "to": "2025-05"}, "for example 2025-03"),
        ({"from": "2025-06", "to": "2025-05"}, "must not be after"),
        ({"from": "2015-01", "to": "2025-05"}, "at most 60 months"),
        ({**PERIOD, "office": "nowhere"}, "This office does not exist"),
        ({**PERIOD, "service": "jmd", "office": "mbe-finsterwalde"}, "does not belong"),
    ],
)
def test_bad_filters_are_explained_and_kept(
    lead: FlaskClient, args: dict[str, str], message: str
) -> None:
    response = lead.get("/staff/figures/", query_string=args, headers=ENGLISH)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{args["from"]}"' in html  # what was typed stays in the form
    assert "<table" not in html
    export = lead.get("/staff/figures/export.csv", query_string=args, headers=ENGLISH)
    assert export.status_code == 400 and message in export.get_data(as_text=True)


def test_csv_export(figures_app: Flask, lead: FlaskClient) -> None:
    response = lead.get("/staff/figures/export.csv", query_string=PERIOD, headers=ENGLISH)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="lotse-figures-2025-03_2025-05.csv"'
    )
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "month",
        "unit",
        "unit_name",
        "measure",
        "category",
        "category_name",
        "count",
    ]
    found = {(row[0], row[1], row[3], row[4]): row[6] for row in rows[1:]}
    assert found[("2025-03", "*", "client_language", "ar")] == "<5"
    assert found[("2025-03", "*", "client_language", "uk")] == "x"
    assert found[("2025-03", "*", "client_language", "*")] == "8"
    assert found[("2025-05", "*", "appointments", "booked")] == "6"
    assert found[("2025-03..2025-05", "*", "appointments", "attended")] == "11"
    assert found[("2025-03", "mbe-finsterwalde", "appointments", "booked")] == "8"
    assert found[("2025-03", "*", "topic", "housing")] == "8"
    assert found[("2025-03", "*", "chat_conversations", "uk")] == "<5"
    # One row per month (and period total) × measure × category: nothing else.
    assert all(len(row) == 7 for row in rows)
    text = body.decode("utf-8-sig")
    assert "uk-counsellor" not in text and "ar-counsellor" not in text
    with figures_app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.detail) for e in events if e.action.startswith("figures")] == [
            (AuditAction.FIGURES_EXPORTED, "2025-03..2025-05 * without demo")
        ]


def test_viewing_is_audited_with_the_period(figures_app: Flask, lead: FlaskClient) -> None:
    figures_page(lead, **PERIOD, service="mbe")
    with figures_app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == AuditAction.FIGURES_VIEWED)
        )
        assert event is not None and event.actor is not None
        assert event.actor.email == LEAD
        assert event.detail == "2025-03..2025-05 service:mbe without demo"


def test_no_counsellor_names_on_the_page(lead: FlaskClient) -> None:
    html = lead.get("/staff/figures/", query_string=PERIOD, headers=ENGLISH).get_data(as_text=True)
    assert "uk-counsellor" not in html and "ar-counsellor" not in html


def test_only_leads_and_administrators(figures_app: Flask) -> None:
    anonymous = figures_app.test_client()
    for path in ("/staff/figures/", "/staff/figures/export.csv"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert "/staff/login" in response.headers["Location"]
    for email in (EDITOR, COUNSELLOR):
        client = figures_app.test_client()
        sign_in(client, email, PASSWORD)
        assert client.get("/staff/figures/").status_code == 403
        assert client.get("/staff/figures/export.csv").status_code == 403
        assert "/staff/figures/" not in client.get("/staff/").get_data(as_text=True)
    for email in (LEAD, ADMIN):
        client = figures_app.test_client()
        sign_in(client, email, PASSWORD)
        assert client.get("/staff/figures/").status_code == 200
        assert client.get("/staff/figures/export.csv").status_code == 200
        assert 'href="/staff/figures/"' in client.get("/staff/").get_data(as_text=True)


# --- the suppression rule itself --------------------------------------------------------------


def _cube(rows: dict[str, dict[str, int]]) -> Cube:
    months = tuple(rows)
    categories = tuple(next(iter(rows.values())))
    leaves: dict[tuple[str, ...], int] = {
        (m, c): count for m, row in rows.items() for c, count in row.items()
    }
    return Cube([Axis(months, (("year", months),)), Axis(categories, (("*", categories),))], leaves)


def test_suppression_hides_small_counts_and_one_partner_per_line() -> None:
    cube = _cube({"jan": {"a": 2, "b": 40, "c": 6}, "feb": {"a": 10, "b": 30, "c": 12}})
    hidden = suppress(cube, 5)
    assert hidden[("jan", "a")] == Hidden.SMALL
    # The partner in January: the smallest that, with the 2, makes at least 5 + 2.
    assert hidden[("jan", "c")] == Hidden.COMPLEMENT
    # Column a then has one hidden cell: February's 10 (smaller than the year's 12) goes too;
    # then February's row needs a partner, and so does column c.
    assert hidden[("feb", "a")] == Hidden.COMPLEMENT
    for line in cube.lines():
        assert sum(coord in hidden for coord in line) != 1, line
    assert ("jan", "*") not in hidden and ("year", "*") not in hidden


def test_suppression_with_threshold_one_hides_nothing() -> None:
    assert suppress(_cube({"jan": {"a": 1, "b": 2}}), 1) == {}


def test_a_single_office_view_hides_what_the_service_view_hides(figures_app: Flask) -> None:
    """Comparing two views (one office, its whole service) must not reveal a hidden count."""
    from portal.figures.report import FigureQuery, Measure, Period, build_report

    with figures_app.app_context():
        add_counsellor("jmd@example.org", ["jmd-herzberg", "jmd-finsterwalde"], ["de"])
        for _ in range(3):
            _book_on(MARCH, "jmd-herzberg", "jmd", lang="de")
        for _ in range(9):
            _book_on(MARCH + dt.timedelta(days=1), "jmd-finsterwalde", "jmd", lang="de")
        period = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 1))

        def booked_in_march(unit: str) -> str:
            report = build_report(FigureQuery(period, unit), 5)
            table = next(t for t in report.tables if t.measure == Measure.APPOINTMENTS)
            return table.rows[0].cells[0].text

        herzberg, finsterwalde = (
            booked_in_march("jmd-herzberg"),
            booked_in_march("jmd-finsterwalde"),
        )
        service = booked_in_march("service:jmd")
        assert herzberg == "<5"
        # 12 − 9 would give the 3 away: one of the two others is hidden in every view.
        assert "x" in (finsterwalde, service)


@pytest.mark.parametrize(
    ("first", "last"), [((2025, 3), (2025, 5)), ((2025, 1), (2025, 12)), ((2025, 3), (2025, 3))]
)
def test_no_row_or_column_of_any_view_gives_a_hidden_number_away(
    figures_app: Flask, first: tuple[int, int], last: tuple[int, int]
) -> None:
    from portal.figures.report import TOTAL, FigureQuery, Period, build_report

    period = Period(dt.date(*first, 1), dt.date(*last, 1))
    with figures_app.app_context():
        for unit in (TOTAL, "service:mbe", "mbe-finsterwalde"):
            for include_demo in (False, True):
                report = build_report(FigureQuery(period, unit, include_demo), 5)
                hidden_somewhere = False
                for table in (*report.tables, *report.office_tables):
                    hidden = [[cell.value is None for cell in row.cells] for row in table.rows]
                    hidden_somewhere |= any(map(any, hidden))
                    (total_row,) = table.total_rows  # with its months: a column adds up
                    assert total_row is table.rows[-1]
                    for column in zip(*hidden, strict=True):
                        assert sum(column) != 1, (table.measure, table.unit)
                    if table.columns[-1:] == (TOTAL,):  # the categories add up to the row total
                        for row in hidden:
                            assert sum(row) != 1, (table.measure, table.unit)
                assert hidden_somewhere


def test_demo_data_counts_topics_apart_and_shows_when_there_is_nothing_else(
    booking_app: Flask,
) -> None:
    from portal.cli import main

    result = booking_app.test_cli_runner().invoke(main, ["demo-data"])
    assert result.exit_code == 0, result.output
    with booking_app.app_context():
        demo_bookings = db.session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.demo.is_(True))
        )
        assert demo_bookings
        counted = db.session.execute(
            select(TopicCount.demo, func.sum(TopicCount.count)).group_by(TopicCount.demo)
        ).all()
        assert counted == [(True, demo_bookings)]  # one topic each, none counted as real
        create_user(LEAD, "Lead", Role.LEAD, PASSWORD)
    client = booking_app.test_client()
    sign_in(client, LEAD, PASSWORD)
    html = client.get("/staff/figures/", headers=ENGLISH).get_data(as_text=True)
    assert '<option value="include" selected>' in html  # only demo data: shown by default
    assert "These figures include demo data" in html



@pytest.mark.parametrize("seed", range(6))
def test_a_total_shown_in_one_table_is_hidden_in_none(
    figures_app: Flask, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Every booking has one language, one origin, …: those tables' totals are the booked
    numbers. If one table hid a total that another shows, the hidden count could be worked
    out from the other table. Random small bookings at the four offices of one service."""
    import random

    from portal.figures import report as figures
    from portal.figures.report import SHARED_TOTALS, FigureQuery, Period, YearCounts

    rng = random.Random(seed)
    offices = ["unmsa-herzberg", "unmsa-doberlug-kirchhain", "unmsa-elsterwerda"]
    counts = YearCounts()
    for _ in range(rng.randint(20, 60)):
        office, when = rng.choice(offices), dt.date(2025, rng.randint(1, 4), 10)
        interpreter = rng.choice([None, None, "ar", "fa"])
        counts.add(figures.Measure.APPOINTMENTS, office, when, figures.Outcome.BOOKED)
        counts.add(figures.Measure.CLIENT_LANGUAGE, office, when, rng.choice(["de", "ar", "uk"]))
        counts.add(figures.Measure.INTERPRETER, office, when, "yes" if interpreter else "no")
        if interpreter:
            counts.add(figures.Measure.INTERPRETER_LANGUAGE, office, when, interpreter)
        counts.add(figures.Measure.ORIGIN, office, when, rng.choice(["portal", "chat"]))
        counts.add(figures.Measure.MODE, office, when, rng.choice(["in_person", "phone"]))
    monkeypatch.setattr(
        figures, "count_year", lambda year, units, demo: counts if year == 2025 else YearCounts()
    )
    compared = 0
    with figures_app.app_context():
        for first, last in ((1, 12), (2, 3)):
            period = Period(dt.date(2025, first, 1), dt.date(2025, last, 1))
            for unit in (figures.TOTAL, "service:unmsa", *offices):
                built = figures.build_report(FigureQuery(period, unit, True), 5)
                tables = {table.measure: table for table in built.tables}
                for measure, (source, column) in SHARED_TOTALS.items():
                    breakdown, origin = tables[measure], tables[source]
                    at = breakdown.columns.index(figures.TOTAL)
                    at_source = origin.columns.index(column)
                    for row, source_row in zip(breakdown.rows, origin.rows, strict=True):
                        shown = row.cells[at].text, source_row.cells[at_source].text
                        assert shown[0] == shown[1], (unit, measure, row.key, shown)
                        compared += 1
    assert compared > 100
