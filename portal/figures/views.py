"""The figures page and its CSV export (leads and administrators)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import audit
from ..auth.access import FIGURE_READERS, roles_required
from ..booking.slots import BERLIN
from ..constants import AuditAction
from ..extensions import db
from ..models import Office, Service, utcnow
from . import bp
from .charts import bar_chart
from .labels import EXPLANATIONS, TITLES, Labeller, month_name
from .report import (
    MAX_MONTHS,
    PERIOD_TOTAL,
    SERVICE_PREFIX,
    TOTAL,
    FigureQuery,
    Measure,
    Outcome,
    Period,
    Report,
    Shown,
    Table,
    build_report,
    has_real_appointments,
    parse_month,
)

INCLUDE, EXCLUDE = "include", "exclude"
AUDIT_SUBJECT = "figures"
CSV_HEADER = ("month", "unit", "unit_name", "measure", "category", "category_name", "count")
# OWASP CSV injection: a cell starting with one of these runs as a formula in a spreadsheet.
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filters:
    """What the filter form shows: the values as typed, so nothing is lost on an error."""

    start: str
    end: str
    service: str
    office: str
    demo: str

    def as_args(self) -> dict[str, str]:
        args = {"from": self.start, "to": self.end, "service": self.service}
        args |= {"office": self.office, "demo": self.demo}
        return {name: value for name, value in args.items() if value}


def _filters(args: Mapping[str, str]) -> Filters:
    today = utcnow().astimezone(BERLIN).date()
    demo = args.get("demo", "")
    if demo not in (INCLUDE, EXCLUDE):
        # Demo data counts only where there is nothing else (a demo or training installation).
        demo = EXCLUDE if has_real_appointments() else INCLUDE
    return Filters(
        start=args.get("from", "").strip() or f"{today.year:04d}-01",
        end=args.get("to", "").strip() or f"{today.year:04d}-{today.month:02d}",
        service=args.get("service", "").strip(),
        office=args.get("office", "").strip(),
        demo=demo,
    )


def _period(filters: Filters, errors: list[str]) -> Period | None:
    try:
        first, last = parse_month(filters.start), parse_month(filters.end)
    except ValueError:
        errors.append(_("Please enter each month as year and month, for example 2025-03."))
        return None
    if first > last:
        errors.append(_("The first month must not be after the last month."))
        return None
    period = Period(first, last)
    if len(period.months()) > MAX_MONTHS:
        errors.append(_("Please choose at most %(count)s months.", count=MAX_MONTHS))
        return None
    return period


def _unit(filters: Filters, errors: list[str]) -> str | None:
    service = None
    if filters.service:
        service = db.session.scalar(select(Service).where(Service.slug == filters.service))
        if service is None:
            errors.append(_("This service does not exist."))
            return None
    if filters.office:
        office = db.session.scalar(select(Office).where(Office.slug == filters.office))
        if office is None:
            errors.append(_("This office does not exist."))
            return None
        if service is not None and office.service_id != service.id:
            errors.append(_("This office does not belong to the chosen service."))
            return None
        return office.slug
    return SERVICE_PREFIX + service.slug if service is not None else TOTAL


def _query(filters: Filters) -> tuple[FigureQuery | None, list[str]]:
    errors: list[str] = []
    period = _period(filters, errors)
    unit = _unit(filters, errors)
    if period is None or unit is None:
        return None, errors
    return FigureQuery(period, unit, filters.demo == INCLUDE), errors


@dataclass(frozen=True)
class TableView:
    id: str
    title: str
    caption: str
    explanation: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, bool, tuple[Shown, ...]], ...]
    charts: tuple[Markup, ...]


def _table_view(table: Table, labels: Labeller, title: str, caption: str, id_: str) -> TableView:
    columns = tuple(labels.category(table.measure, column) for column in table.columns)
    rows = tuple((labels.row(row), row.is_total, row.cells) for row in table.rows)
    return TableView(
        id=id_,
        title=title,
        caption=caption,
        explanation=str(EXPLANATIONS[table.measure]),
        columns=columns,
        rows=rows,
        charts=_charts(table, labels, title, id_),
    )


def _charts(table: Table, labels: Labeller, title: str, id_: str) -> tuple[Markup, ...]:
    charts = []
    if table.measure == Measure.APPOINTMENTS:
        booked = table.columns.index(Outcome.BOOKED)
        bars = [(month_name(row.month), row.cells[booked]) for row in table.month_rows if row.month]
        charts.append(bar_chart(f"{id_}-booked", _("Booked per month"), bars))
    for index, row in enumerate(table.total_rows):
        bars = [
            (labels.category(table.measure, column), cell)
            for column, cell in zip(table.columns, row.cells, strict=True)
            if column != TOTAL
        ]
        if bars:
            chart_title = f"{title}: {labels.row(row)}"
            charts.append(bar_chart(f"{id_}-total-{index}", chart_title, bars))
    return tuple(charts)


def _views(report: Report, labels: Labeller) -> tuple[list[TableView], list[TableView]]:
    unit_name = labels.unit(report.query.unit)
    tables = []
    for table in report.tables:
        title = str(TITLES[table.measure])
        scope = labels.unit(TOTAL) if table.unit == "" else unit_name
        caption = _("%(title)s per month – %(unit)s", title=title, unit=scope)
        tables.append(_table_view(table, labels, title, caption, f"figures-{table.measure}"))
    offices = []
    for index, table in enumerate(report.office_tables):
        office = labels.unit(table.unit)
        caption = _("Appointments per month – %(office)s", office=office)
        offices.append(_table_view(table, labels, office, caption, f"figures-office-{index}"))
    return tables, offices


def _choices() -> list[tuple[Service, list[Office]]]:
    services = db.session.scalars(select(Service).order_by(Service.position, Service.slug))
    return [(service, list(service.offices)) for service in services if service.offices]


@bp.get("/")
@roles_required(*FIGURE_READERS)
def index() -> tuple[str, int] | str:
    filters = _filters(request.args)
    query, errors = _query(filters)
    context = {"filters": filters, "errors": errors, "choices": _choices()}
    if query is None:
        return render_template("figures/index.html", report=None, **context), 400
    report = build_report(query, current_app.config["FIGURES_MIN_COUNT"])
    labels = Labeller()
    tables, offices = _views(report, labels)
    audit.record(AuditAction.FIGURES_VIEWED, AUDIT_SUBJECT, detail=query.describe())
    db.session.commit()
    return render_template(
        "figures/index.html",
        report=report,
        unit_name=labels.unit(query.unit),
        tables=tables,
        office_tables=offices,
        **context,
    )


def _safe(text: str) -> str:
    """Spreadsheets run a cell that starts like a formula; a leading apostrophe stops that."""
    return f"'{text}" if text.startswith(SPREADSHEET_FORMULA_START) else text


def _csv_rows(report: Report, labels: Labeller) -> list[tuple[str, ...]]:
    rows = []
    for table in (*report.tables, *report.office_tables):
        unit = table.unit or TOTAL
        for row in table.rows:
            month = report.query.period.describe() if row.key == PERIOD_TOTAL else row.key
            for column, cell in zip(table.columns, row.cells, strict=True):
                category = labels.category(table.measure, column)
                measure = table.measure.value
                rows.append((month, unit, labels.unit(unit), measure, column, category, cell.text))
    return [tuple(_safe(value) for value in row) for row in rows]


@bp.get("/export.csv")
@roles_required(*FIGURE_READERS)
def export() -> Response | tuple[str, int]:
    filters = _filters(request.args)
    query, errors = _query(filters)
    if query is None:
        context = {"filters": filters, "errors": errors, "choices": _choices()}
        return render_template("figures/index.html", report=None, **context), 400
    report = build_report(query, current_app.config["FIGURES_MIN_COUNT"])
    buffer = io.StringIO()
    # Semicolons and a byte order mark: what spreadsheet programs set to German expect.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_rows(report, Labeller()))
    audit.record(AuditAction.FIGURES_EXPORTED, AUDIT_SUBJECT, detail=query.describe())
    db.session.commit()
    period = query.period.describe().replace("..", "_")
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="lotse-figures-{period}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
