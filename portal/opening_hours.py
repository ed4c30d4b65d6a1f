"""Open-now and next-opening, computed in Europe/Berlin local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .constants import TIMEZONE
from .models import OpeningHours

BERLIN = ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class OpeningState:
    open_now: bool
    # While open: when it closes. While closed: when it next opens (None if never).
    closes_at: dt.datetime | None = None
    next_opening: dt.datetime | None = None
    appointment_only: bool = False


def _local(at: dt.datetime | None) -> dt.datetime:
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise ValueError("a time zone-aware datetime is required")
    return at.astimezone(BERLIN)


def _on_day(day: dt.date, clock: dt.time) -> dt.datetime:
    # Local wall-clock time; zoneinfo resolves daylight-saving transitions.
    return dt.datetime.combine(day, clock, tzinfo=BERLIN)


def opening_state(hours: Sequence[OpeningHours], at: dt.datetime | None = None) -> OpeningState:
    now = _local(at)
    for entry in hours:
        if entry.weekday == now.weekday():
            start, end = _on_day(now.date(), entry.opens), _on_day(now.date(), entry.closes)
            if start <= now < end:
                return OpeningState(True, closes_at=end, appointment_only=entry.appointment_only)
    for offset in range(0, 8):
        day = now.date() + dt.timedelta(days=offset)
        candidates = sorted(
            (_on_day(day, entry.opens), entry.appointment_only)
            for entry in hours
            if entry.weekday == day.weekday()
        )
        for start, appointment_only in candidates:
            if start > now:
                return OpeningState(False, next_opening=start, appointment_only=appointment_only)
    return OpeningState(False)


def weekly_table(hours: Sequence[OpeningHours]) -> list[tuple[int, list[OpeningHours]]]:
    """Opening hours grouped by weekday (0 = Monday), days without hours left out."""
    by_day: dict[int, list[OpeningHours]] = {}
    for entry in sorted(hours, key=lambda h: (h.weekday, h.opens)):
        by_day.setdefault(entry.weekday, []).append(entry)
    return sorted(by_day.items())
