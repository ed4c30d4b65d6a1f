"""The annual report's figures: counts per month from what survives the purge.

Only rows without personal data are read: appointments (service, office, status, times,
languages, origin, way of meeting), topic counts, the status times of pre-intakes, the
delivery times of hand-overs and the chat counts. No name, contact detail, topic of a single
appointment or message text is ever read, and no figure is given per counsellor.

Months are calendar months in German time (Europe/Berlin). Appointments count as *booked*
in the month they were booked in; *attended*, *did not come* and *cancelled* in the month
the appointment was (to take place) in. Bookings by language, interpreter, topic, origin
and way of meeting count in the month of booking.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import Select, and_, func, or_, select

from ..booking.slots import BERLIN
from ..constants import (
    INTERPRETER_LANGUAGES,
    LANGUAGES,
    TOPIC_SLUGS,
    AppointmentMode,
    AppointmentStatus,
    ChatCountKind,
    HandoverEvent,
    HandoverStatus,
    Origin,
    YesNo,
)
from ..extensions import db
from ..models import (
    Appointment,
    ChatCount,
    HandoverDelivery,
    Intake,
    Office,
    Service,
    TopicCount,
)
from .suppression import Axis, Coord, Cube, Hidden, shown_text, suppress

TOTAL = "*"  # all categories, or all services
SERVICE_PREFIX = "service:"
NO_INTENT = "(none)"
PERIOD_TOTAL = "total"  # the total row of a period that is not made of whole years
MAX_MONTHS = 60


class Measure(StrEnum):
    APPOINTMENTS = "appointments"
    CLIENT_LANGUAGE = "client_language"
    INTERPRETER = "interpreter"
    INTERPRETER_LANGUAGE = "interpreter_language"
    TOPIC = "topic"
    ORIGIN = "origin"
    MODE = "mode"
    PRE_INTAKE = "pre_intake"
    CHAT_CONVERSATIONS = "chat_conversations"
    CHAT_MESSAGES = "chat_messages"


# The chat belongs to no office: its figures are for the whole district.
CHAT_MEASURES = frozenset({Measure.CHAT_CONVERSATIONS, Measure.CHAT_MESSAGES})


class Outcome(StrEnum):
    BOOKED = "booked"  # in the month of booking
    ATTENDED = AppointmentStatus.ATTENDED.value  # the rest in the appointment's month
    NO_SHOW = AppointmentStatus.NO_SHOW.value
    CANCELLED = AppointmentStatus.CANCELLED.value


class IntakeStage(StrEnum):
    SUBMITTED = "submitted"  # sent by the client
    PREPARED = "prepared"  # summary ready for the office (counsellor inbox)
    HANDED_OVER = "handed_over"  # delivered to at least one case system


@dataclass(frozen=True)
class Layout:
    """The columns a measure starts with, and whether they add up to a row total."""

    fixed: tuple[str, ...]
    adds_up: bool
    # Only categories that occur are shown (long lists such as topics); else all fixed ones.
    only_seen: bool = False


LAYOUTS: dict[Measure, Layout] = {
    Measure.APPOINTMENTS: Layout(tuple(Outcome), adds_up=False),
    Measure.CLIENT_LANGUAGE: Layout(LANGUAGES, adds_up=True),
    Measure.INTERPRETER: Layout((YesNo.YES, YesNo.NO), adds_up=True),
    Measure.INTERPRETER_LANGUAGE: Layout(INTERPRETER_LANGUAGES, adds_up=True, only_seen=True),
    Measure.TOPIC: Layout(TOPIC_SLUGS, adds_up=False, only_seen=True),
    Measure.ORIGIN: Layout(tuple(Origin), adds_up=True),
    Measure.MODE: Layout(tuple(AppointmentMode), adds_up=True),
    Measure.PRE_INTAKE: Layout(tuple(IntakeStage), adds_up=False),
    Measure.CHAT_CONVERSATIONS: Layout(LANGUAGES, adds_up=True),
    Measure.CHAT_MESSAGES: Layout((), adds_up=True, only_seen=True),
}


# A breakdown whose total is a column of another table: every booking has one client
# language, one interpreter answer, one origin and one way of meeting, so their totals are
# the "booked" numbers; the interpreter languages add up to the "yes" answers. Such a total
# is hidden exactly as in its source table and never hidden on its own, or one table would
# show what another hides (and give a small count away).
SHARED_TOTALS: dict[Measure, tuple[Measure, str]] = {
    Measure.CLIENT_LANGUAGE: (Measure.APPOINTMENTS, Outcome.BOOKED),
    Measure.INTERPRETER: (Measure.APPOINTMENTS, Outcome.BOOKED),
    Measure.ORIGIN: (Measure.APPOINTMENTS, Outcome.BOOKED),
    Measure.MODE: (Measure.APPOINTMENTS, Outcome.BOOKED),
    Measure.INTERPRETER_LANGUAGE: (Measure.INTERPRETER, YesNo.YES),
}


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# No counselling service has figures from before Lotse; later than next year is a typo.
FIRST_YEAR = 2000


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month; ValueError otherwise."""
    year, _, month = text.strip().partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdecimal():
        raise ValueError(text)
    if not FIRST_YEAR <= int(year) <= dt.date.today().year + 1:
        raise ValueError(text)  # also keeps month arithmetic and UTC conversion in range
    return dt.date(int(year), int(month), 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    first: dt.date  # first day of the first month
    last: dt.date  # first day of the last month

    def months(self) -> list[dt.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = _next_month(month)
        return months

    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    @property
    def whole_years(self) -> bool:
        return self.first.month == 1 and self.last.month == 12

    def describe(self) -> str:
        return f"{month_key(self.first)}..{month_key(self.last)}"


@dataclass(frozen=True)
class FigureQuery:
    period: Period
    unit: str = TOTAL  # TOTAL, SERVICE_PREFIX + slug, or an office slug
    include_demo: bool = False

    def describe(self) -> str:
        demo = "with demo" if self.include_demo else "without demo"
        return f"{self.period.describe()} {self.unit} {demo}"


@dataclass(frozen=True)
class Shown:
    text: str  # what the page and the CSV show: "12", "0", "<5" or "x"
    value: int | None  # None when hidden


@dataclass(frozen=True)
class Row:
    key: str  # "2025-03", a year ("2025") or "total" (the period)
    month: dt.date | None  # None for total rows
    cells: tuple[Shown, ...]

    @property
    def is_total(self) -> bool:
        return self.month is None


@dataclass(frozen=True)
class Table:
    measure: Measure
    unit: str
    columns: tuple[str, ...]  # categories, then TOTAL when they add up
    rows: tuple[Row, ...]

    @property
    def total_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.is_total)

    @property
    def month_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.is_total)


@dataclass(frozen=True)
class Report:
    query: FigureQuery
    min_count: int
    tables: tuple[Table, ...]
    # Appointments per office of the chosen service (or of all), same suppression.
    office_tables: tuple[Table, ...]
    includes_demo: bool


# --- the unit axis: offices, their services, all ------------------------------------------


@dataclass(frozen=True)
class Units:
    slugs: dict[int, str]  # office id → slug
    axis: Axis
    offices_of: dict[str, tuple[str, ...]]  # unit → the offices it adds up


def load_units() -> Units:
    offices = db.session.execute(
        select(Office.id, Office.slug, Service.slug)
        .join(Service, Office.service_id == Service.id)
        .order_by(Service.position, Service.slug, Office.position, Office.slug)
    ).all()
    by_service: dict[str, list[str]] = {}
    for _id, office_slug, service_slug in offices:
        by_service.setdefault(SERVICE_PREFIX + service_slug, []).append(office_slug)
    groups = [(unit, tuple(members)) for unit, members in by_service.items()]
    groups.append((TOTAL, tuple(by_service)))
    offices_of = {unit: members for unit, members in groups[:-1]}
    offices_of[TOTAL] = tuple(office_slug for _id, office_slug, _service in offices)
    offices_of |= {office_slug: (office_slug,) for _id, office_slug, _service in offices}
    axis = Axis(tuple(office_slug for _id, office_slug, _s in offices), tuple(groups))
    return Units({office_id: slug for office_id, slug, _s in offices}, axis, offices_of)


# --- counting ----------------------------------------------------------------------------

# (office slug or "" for the chat, month key, category) → count
Counts = Counter[tuple[str, str, str]]


@dataclass
class YearCounts:
    by_measure: dict[Measure, Counts] = field(
        default_factory=lambda: {measure: Counter() for measure in Measure}
    )

    def add(
        self, measure: Measure, office: str, when: dt.datetime | dt.date, category: str
    ) -> None:
        self.by_measure[measure][(office, _month_of(when), category)] += 1


def _month_of(when: dt.datetime | dt.date) -> str:
    if isinstance(when, dt.datetime):
        when = when.astimezone(BERLIN).date()
    return month_key(when)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=BERLIN)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=BERLIN)


def _not_demo(statement: Select, include_demo: bool) -> Select:
    return statement if include_demo else statement.where(Appointment.demo.is_(False))


def count_year(year: int, units: Units, include_demo: bool) -> YearCounts:
    counts = YearCounts()
    start, end = _year_bounds(year)
    _count_bookings(counts, units, start, end, include_demo)
    _count_outcomes(counts, units, start, end, include_demo)
    _count_topics(counts, units, year, include_demo)
    _count_intakes(counts, units, start, end, include_demo)
    _count_chat(counts, year)
    return counts


def _count_bookings(
    counts: YearCounts, units: Units, start: dt.datetime, end: dt.datetime, include_demo: bool
) -> None:
    rows = db.session.execute(
        _not_demo(
            select(
                Appointment.office_id,
                Appointment.created_at,
                Appointment.client_language,
                Appointment.interpreter_language,
                Appointment.origin,
                Appointment.mode,
            ).where(Appointment.created_at >= start, Appointment.created_at < end),
            include_demo,
        )
    )
    for office_id, created, language, interpreter, origin, mode in rows:
        office = units.slugs[office_id]
        counts.add(Measure.APPOINTMENTS, office, created, Outcome.BOOKED)
        counts.add(Measure.CLIENT_LANGUAGE, office, created, language)
        counts.add(Measure.INTERPRETER, office, created, YesNo.YES if interpreter else YesNo.NO)
        if interpreter:
            counts.add(Measure.INTERPRETER_LANGUAGE, office, created, interpreter)
        counts.add(Measure.ORIGIN, office, created, origin)
        counts.add(Measure.MODE, office, created, mode)


def _count_outcomes(
    counts: YearCounts, units: Units, start: dt.datetime, end: dt.datetime, include_demo: bool
) -> None:
    finished = (Outcome.ATTENDED, Outcome.NO_SHOW, Outcome.CANCELLED)
    rows = db.session.execute(
        _not_demo(
            select(Appointment.office_id, Appointment.starts_at, Appointment.status).where(
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
                Appointment.status.in_([outcome.value for outcome in finished]),
            ),
            include_demo,
        )
    )
    for office_id, starts_at, status in rows:
        counts.add(Measure.APPOINTMENTS, units.slugs[office_id], starts_at, status)


def _count_topics(counts: YearCounts, units: Units, year: int, include_demo: bool) -> None:
    statement = (
        select(TopicCount.office_id, TopicCount.day, TopicCount.topic, func.sum(TopicCount.count))
        .where(TopicCount.day >= dt.date(year, 1, 1), TopicCount.day <= dt.date(year, 12, 31))
        .group_by(TopicCount.office_id, TopicCount.day, TopicCount.topic)
    )
    if not include_demo:
        statement = statement.where(TopicCount.demo.is_(False))
    topic_counts = counts.by_measure[Measure.TOPIC]
    for office_id, day, topic, total in db.session.execute(statement):
        topic_counts[(units.slugs[office_id], _month_of(day), topic)] += int(total)


def _count_intakes(
    counts: YearCounts, units: Units, start: dt.datetime, end: dt.datetime, include_demo: bool
) -> None:
    for stage, column in (
        (IntakeStage.SUBMITTED, Intake.submitted_at),
        (IntakeStage.PREPARED, Intake.prepared_at),
    ):
        rows = db.session.execute(
            _not_demo(
                select(Appointment.office_id, column)
                .join(Appointment, Intake.appointment_id == Appointment.id)
                .where(column >= start, column < end),
                include_demo,
            )
        )
        for office_id, when in rows:
            counts.add(Measure.PRE_INTAKE, units.slugs[office_id], when, stage)
    first_delivery = func.min(HandoverDelivery.delivered_at)
    handed_over = db.session.execute(
        _not_demo(
            select(Appointment.office_id, first_delivery)
            .join(Intake, HandoverDelivery.intake_id == Intake.id)
            .join(Appointment, Intake.appointment_id == Appointment.id)
            .where(
                HandoverDelivery.event == HandoverEvent.INTAKE_SUBMITTED,
                HandoverDelivery.status == HandoverStatus.DELIVERED,
            )
            .group_by(Intake.id, Appointment.office_id)
            .having(and_(first_delivery >= start, first_delivery < end)),
            include_demo,
        )
    )
    for office_id, when in handed_over:
        counts.add(Measure.PRE_INTAKE, units.slugs[office_id], when, IntakeStage.HANDED_OVER)


def _count_chat(counts: YearCounts, year: int) -> None:
    in_year = (ChatCount.day >= dt.date(year, 1, 1), ChatCount.day <= dt.date(year, 12, 31))
    for measure, kind, column in (
        (Measure.CHAT_CONVERSATIONS, ChatCountKind.CONVERSATION, ChatCount.language),
        (Measure.CHAT_MESSAGES, ChatCountKind.MESSAGE, ChatCount.intent),
    ):
        rows = db.session.execute(
            select(ChatCount.day, column, func.sum(ChatCount.count))
            .where(ChatCount.kind == kind, *in_year)
            .group_by(ChatCount.day, column)
        )
        for day, category, total in rows:
            counts.by_measure[measure][("", _month_of(day), category or NO_INTENT)] += int(total)


# --- tables ------------------------------------------------------------------------------


def _columns(measure: Measure, years: Iterable[YearCounts]) -> tuple[str, ...]:
    layout = LAYOUTS[measure]
    totals: Counter[str] = Counter()
    for year in years:
        for (_office, _month, category), count in year.by_measure[measure].items():
            totals[category] += count
    seen = {category for category, count in totals.items() if count}
    fixed = [c for c in layout.fixed if c in seen or not layout.only_seen]
    # By name, not by size: the secondary suppression depends on the column order, and an
    # order that changed with the chosen period would hide a year differently in two views.
    extra = sorted(seen - set(fixed))
    columns = (*fixed, *extra)
    return (*columns, TOTAL) if layout.adds_up and columns else columns


@dataclass(frozen=True)
class YearCube:
    """One calendar year of one measure over all offices, with its hidden cells."""

    year: int
    cube: Cube
    hidden: dict[Coord, Hidden]
    with_units: bool


def _year_cube(
    measure: Measure,
    year: int,
    counts: Counts,
    columns: Sequence[str],
    units: Units,
    min_count: int,
    shared: SharedTotal | None = None,
) -> YearCube:
    months = tuple(month_key(dt.date(year, month, 1)) for month in range(1, 13))
    categories = tuple(column for column in columns if column != TOTAL)
    category_axis = Axis(categories, ((TOTAL, categories),) if TOTAL in columns else ())
    month_axis = Axis(months, ((str(year), months),))
    with_units = measure not in CHAT_MEASURES
    leaves: dict[Coord, int]
    if with_units:
        axes = [units.axis, month_axis, category_axis]
        leaves = {coord: count for coord, count in counts.items()}
    else:
        axes = [month_axis, category_axis]
        leaves = {(month, category): count for (_o, month, category), count in counts.items()}
    cube = Cube(axes, leaves)
    if shared is None:
        return YearCube(year, cube, suppress(cube, min_count), with_units)
    fixed = shared.hidden_totals(shared.year_cube(year))
    hidden = suppress(cube, min_count, fixed=fixed, may_hide=_not_a_total)
    return YearCube(year, cube, hidden, with_units)


def _not_a_total(coord: Coord) -> bool:
    return coord[-1] != TOTAL


@dataclass(frozen=True)
class SharedTotal:
    """The source table whose column a breakdown's totals repeat (see SHARED_TOTALS)."""

    cubes: Sequence[YearCube]
    column: str
    period_cube: YearCube | None = None

    def year_cube(self, year: int) -> YearCube:
        return next(cube for cube in self.cubes if cube.year == year)

    def hidden_totals(self, source: YearCube) -> dict[Coord, Hidden]:
        return {
            (*coord[:-1], TOTAL): kind
            for coord, kind in source.hidden.items()
            if coord[-1] == self.column
        }


@dataclass(frozen=True)
class _Cell:
    value: int
    hidden: Hidden | None


def _cells(year_cube: YearCube, unit: str, month: str, columns: Sequence[str]) -> list[_Cell]:
    prefix = (unit,) if year_cube.with_units else ()
    cells = []
    for column in columns:
        coord = (*prefix, month, column)
        cells.append(_Cell(year_cube.cube.values[coord], year_cube.hidden.get(coord)))
    return cells


def _shown(cells: Iterable[_Cell], min_count: int) -> tuple[Shown, ...]:
    return tuple(
        Shown(
            shown_text(cell.value, cell.hidden, min_count),
            None if cell.hidden else cell.value,
        )
        for cell in cells
    )


def _period_cube(
    cubes: list[YearCube], period: Period, min_count: int, shared: SharedTotal | None = None
) -> YearCube:
    """The months of a period that is not made of whole years, with their total.

    The months keep exactly the cells their years hide; only the period's totals may be
    hidden in addition, so the total never gives a hidden month away and no view shows a
    month that another hides.
    """
    months = tuple(month_key(month) for month in period.months())
    first = cubes[0]
    month_index = 1 if first.with_units else 0
    axes = list(first.cube.axes)
    axes[month_index] = Axis(months, ((PERIOD_TOTAL, months),))
    leaves: dict[Coord, int] = {}
    fixed: dict[Coord, Hidden] = {}
    wanted = set(months)
    for year_cube in cubes:
        for coord, value in year_cube.cube.values.items():
            if coord[month_index] in wanted:
                leaves[coord] = value
                if coord in year_cube.hidden:
                    fixed[coord] = year_cube.hidden[coord]
    cube = Cube(axes, leaves)

    def is_period_total(coord: Coord) -> bool:
        return coord[month_index] == PERIOD_TOTAL

    may_hide = is_period_total
    if shared is not None and shared.period_cube is not None:
        fixed |= shared.hidden_totals(shared.period_cube)

        def may_hide(coord: Coord) -> bool:
            return is_period_total(coord) and _not_a_total(coord)

    hidden = suppress(cube, min_count, fixed=fixed, may_hide=may_hide)
    return YearCube(0, cube, hidden, first.with_units)


def _table(
    measure: Measure,
    unit: str,
    columns: tuple[str, ...],
    cubes: list[YearCube],
    period_cube: YearCube | None,
    period: Period,
    min_count: int,
) -> Table:
    rows: list[Row] = []
    wanted = {month_key(month): month for month in period.months()}
    for year_cube in cubes:
        for month in range(1, 13):
            key = month_key(dt.date(year_cube.year, month, 1))
            if key in wanted:
                cells = _cells(year_cube, unit, key, columns)
                rows.append(Row(key, wanted[key], _shown(cells, min_count)))
        if period_cube is None:
            cells = _cells(year_cube, unit, str(year_cube.year), columns)
            rows.append(Row(str(year_cube.year), None, _shown(cells, min_count)))
    if period_cube is not None:
        cells = _cells(period_cube, unit, PERIOD_TOTAL, columns)
        rows.append(Row(PERIOD_TOTAL, None, _shown(cells, min_count)))
    return Table(measure, unit, columns, tuple(rows))


def includes_demo_rows(period: Period) -> bool:
    start = dt.datetime.combine(period.first, dt.time.min, tzinfo=BERLIN)
    end = dt.datetime.combine(_next_month(period.last), dt.time.min, tzinfo=BERLIN)
    in_period = or_(
        and_(Appointment.created_at >= start, Appointment.created_at < end),
        and_(Appointment.starts_at >= start, Appointment.starts_at < end),
    )
    found = db.session.scalar(
        select(Appointment.id).where(Appointment.demo.is_(True), in_period).limit(1)
    )
    return found is not None


def has_real_appointments() -> bool:
    real = select(Appointment.id).where(Appointment.demo.is_(False)).limit(1)
    return db.session.scalar(real) is not None


def _shared_total(
    measure: Measure, done: Mapping[Measure, SharedTotal], columns: Sequence[str]
) -> SharedTotal | None:
    """The source of a breakdown's totals, if it has one and shows them."""
    if measure not in SHARED_TOTALS or TOTAL not in columns:
        return None
    source, column = SHARED_TOTALS[measure]
    return replace(done[source], column=column)


def build_report(query: FigureQuery, min_count: int) -> Report:
    units = load_units()
    years = {year: count_year(year, units, query.include_demo) for year in query.period.years()}
    tables: list[Table] = []
    office_tables: list[Table] = []
    done: dict[Measure, SharedTotal] = {}
    for measure in Measure:
        columns = _columns(measure, years.values())
        shared = _shared_total(measure, done, columns)
        cubes = [
            _year_cube(measure, year, counts.by_measure[measure], columns, units, min_count, shared)
            for year, counts in years.items()
        ]
        whole = query.period.whole_years
        period_cube = None if whole else _period_cube(cubes, query.period, min_count, shared)
        done[measure] = SharedTotal(cubes, "", period_cube)
        unit = "" if measure in CHAT_MEASURES else query.unit
        tables.append(_table(measure, unit, columns, cubes, period_cube, query.period, min_count))
        if measure == Measure.APPOINTMENTS and len(units.offices_of.get(query.unit, ())) > 1:
            office_tables = [
                _table(measure, office, columns, cubes, period_cube, query.period, min_count)
                for office in units.offices_of[query.unit]
            ]
    demo = query.include_demo and includes_demo_rows(query.period)
    return Report(query, min_count, tuple(tables), tuple(office_tables), demo)
