"""Free appointment slots, computed (never stored) from weekly availability rules
minus public holidays, absences and the calendar claims of booked appointments.

All arithmetic is on aware datetimes: rules are local wall-clock times in
Europe/Berlin, converted per day, so a slot at 09:00 stays at 09:00 across the
daylight-saving changes while its UTC instant moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from zoneinfo import ZoneInfo

import holidays

from ..constants import TIMEZONE

CELL_MINUTES = 5
BERLIN = ZoneInfo(TIMEZONE)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def cell_of(moment: dt.datetime) -> int:
    """The 5-minute cell that contains ``moment`` (cells count from the Unix epoch)."""
    return int((moment - _EPOCH).total_seconds() // (CELL_MINUTES * 60))


def cells_between(start: dt.datetime, end: dt.datetime) -> range:
    """Every cell touched by [start, end)."""
    last = cell_of(end - dt.timedelta(microseconds=1))
    return range(cell_of(start), last + 1)


@dataclass(frozen=True)
class TypeRules:
    """The parts of an appointment type that shape its slots."""

    duration: dt.timedelta
    buffer_before: dt.timedelta
    buffer_after: dt.timedelta
    min_notice: dt.timedelta
    horizon_days: int
    interval: dt.timedelta

    def occupied(self, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The time an appointment starting at ``start`` holds, buffers included."""
        return start - self.buffer_before, start + self.duration + self.buffer_after


@dataclass(frozen=True)
class WeeklyRule:
    counsellor_id: int
    weekday: int  # 0 = Monday
    starts: dt.time
    ends: dt.time


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # UTC
    end: dt.datetime
    # Free counsellors, those who speak the client's language first.
    counsellor_ids: tuple[int, ...]
    speaks_language: bool

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(BERLIN)


@dataclass
class Calendar:
    """What is already taken, per counsellor, as sets of cells."""

    busy_cells: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def block(self, counsellor_id: int, start: dt.datetime, end: dt.datetime) -> None:
        self.busy_cells[counsellor_id].update(cells_between(start, end))

    def is_free(self, counsellor_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        busy = self.busy_cells.get(counsellor_id)
        return not busy or busy.isdisjoint(cells_between(start, end))


@cache
def _holidays(subdivision: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Germany(subdiv=subdivision, years=year))


def is_public_holiday(day: dt.date, subdivision: str) -> bool:
    return day in _holidays(subdivision, day.year)


def local_instant(day: dt.date, time: dt.time) -> dt.datetime | None:
    """``day`` at wall-clock ``time`` in Berlin, or None if that time does not exist
    (the hour skipped when clocks go forward)."""
    local = dt.datetime.combine(day, time, tzinfo=BERLIN)
    instant = local.astimezone(dt.UTC)
    if instant.astimezone(BERLIN).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def bookable_range(rules: TypeRules, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Earliest and latest start allowed by the minimum notice and the booking horizon."""
    earliest = now + rules.min_notice
    today = now.astimezone(BERLIN).date()
    last_day = today + dt.timedelta(days=rules.horizon_days)
    latest = dt.datetime.combine(last_day, dt.time.max, tzinfo=BERLIN).astimezone(dt.UTC)
    return earliest, latest


def candidate_starts(
    rule: WeeklyRule, day: dt.date, rules: TypeRules
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Starts within one day's window, stepping by the interval from the window's start."""
    window_start = local_instant(day, rule.starts)
    window_end = local_instant(day, rule.ends)
    if window_start is None or window_end is None:
        return
    start = window_start
    while start + rules.duration <= window_end:
        yield start, start + rules.duration
        start += rules.interval


def compute_slots(
    weekly_rules: Iterable[WeeklyRule],
    calendar: Calendar,
    rules: TypeRules,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    speakers: frozenset[int],
    holiday_subdivision: str,
) -> list[Slot]:
    """Free slots between two local days (inclusive), earliest first."""
    earliest, latest = bookable_range(rules, now)
    free: dict[tuple[dt.datetime, dt.datetime], list[int]] = defaultdict(list)
    rules_by_weekday: dict[int, list[WeeklyRule]] = defaultdict(list)
    for rule in weekly_rules:
        rules_by_weekday[rule.weekday].append(rule)
    for day in days(first_day, last_day):
        if is_public_holiday(day, holiday_subdivision):
            continue
        for rule in rules_by_weekday.get(day.weekday(), []):
            for start, end in candidate_starts(rule, day, rules):
                if not earliest <= start <= latest:
                    continue
                if calendar.is_free(rule.counsellor_id, *rules.occupied(start)):
                    counsellors = free[(start, end)]
                    if rule.counsellor_id not in counsellors:
                        counsellors.append(rule.counsellor_id)
    return [
        _slot(start, end, counsellors, speakers)
        for (start, end), counsellors in sorted(free.items())
    ]


def by_local_day(slots: Iterable[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    """Slots grouped by their day in Berlin, in order (the input is sorted by start)."""
    return [(day, list(group)) for day, group in groupby(slots, lambda s: s.local_start.date())]


def _slot(
    start: dt.datetime, end: dt.datetime, counsellors: list[int], speakers: frozenset[int]
) -> Slot:
    ordered = sorted(counsellors, key=lambda cid: (cid not in speakers, cid))
    return Slot(
        start=start,
        end=end,
        counsellor_ids=tuple(ordered),
        speaks_language=ordered[0] in speakers,
    )
