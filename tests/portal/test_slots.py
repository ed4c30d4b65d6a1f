"""Slot computation without a database: rules, absences, buffers, notice, horizon, DST."""

from __future__ import annotations

import datetime as dt

from portal.booking.slots import (
    BERLIN,
    Calendar,
    TypeRules,
    WeeklyRule,
    cell_of,
    cells_between,
    compute_slots,
)

RULES = TypeRules(
    duration=dt.timedelta(minutes=45),
    buffer_before=dt.timedelta(0),
    buffer_after=dt.timedelta(minutes=15),
    min_notice=dt.timedelta(hours=24),
    horizon_days=42,
    interval=dt.timedelta(minutes=15),
)
# A Wednesday without a public holiday.
WEDNESDAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)  # 42 days later is not a holiday


def local(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=BERLIN)


def rule(
    weekday: int, starts: str = "09:00", ends: str = "11:00", counsellor: int = 1
) -> WeeklyRule:
    return WeeklyRule(
        counsellor, weekday, dt.time.fromisoformat(starts), dt.time.fromisoformat(ends)
    )


def slots(rules, calendar=None, day=WEDNESDAY, now=NOW, kind=RULES, speakers=frozenset()):
    return compute_slots(
        rules, calendar or Calendar(), kind, day, day, now, frozenset(speakers), "BB"
    )


def starts(found) -> list[str]:
    return [slot.local_start.strftime("%H:%M") for slot in found]


def test_weekly_rule_gives_slots_at_the_interval_that_fit_the_window() -> None:
    assert starts(slots([rule(2)])) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]


def test_no_rule_for_the_weekday_gives_no_slots() -> None:
    assert slots([rule(3)]) == []


def test_booked_time_blocks_overlapping_starts_including_the_buffer() -> None:
    calendar = Calendar()
    booked_start = local(WEDNESDAY, "10:00")
    calendar.block(1, *RULES.occupied(booked_start))  # 10:00–11:00 with the 15-minute buffer
    # A 09:15 start would run 09:15–10:00 plus buffer until 10:15: it overlaps and is gone.
    assert starts(slots([rule(2, ends="12:00")], calendar)) == ["09:00", "11:00", "11:15"]


def test_absence_removes_slots_of_that_counsellor_only() -> None:
    calendar = Calendar()
    calendar.block(1, local(WEDNESDAY, "00:00"), local(WEDNESDAY, "23:59"))
    found = slots([rule(2, counsellor=1), rule(2, counsellor=2)], calendar)
    assert found and all(slot.counsellor_ids == (2,) for slot in found)


def test_public_holiday_in_brandenburg_has_no_slots() -> None:
    christmas = dt.date(2026, 12, 25)  # a Friday
    assert slots([rule(4)], day=christmas) == []
    reformation_day = dt.date(2026, 10, 31)  # a holiday in Brandenburg, not everywhere
    assert slots([rule(5)], day=reformation_day, now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC)) == []


def test_minimum_notice_hides_slots_too_soon() -> None:
    now = local(WEDNESDAY, "09:20").astimezone(dt.UTC) - dt.timedelta(hours=24)
    assert starts(slots([rule(2)], now=now)) == ["09:30", "09:45", "10:00", "10:15"]


def test_booking_horizon_hides_slots_too_far_ahead() -> None:
    far = NOW.date() + dt.timedelta(days=RULES.horizon_days + 1)
    weekday_rules = [rule(day) for day in range(7)]
    assert slots(weekday_rules, day=far) == []
    assert slots(weekday_rules, day=NOW.date() + dt.timedelta(days=RULES.horizon_days))


def test_counsellors_who_speak_the_language_come_first() -> None:
    found = slots([rule(2, counsellor=1), rule(2, counsellor=2)], speakers={2})
    assert found[0].counsellor_ids == (2, 1)
    assert found[0].speaks_language
    assert not slots([rule(2, counsellor=1)], speakers={2})[0].speaks_language


def test_spring_forward_keeps_local_times_and_moves_utc() -> None:
    # Clocks go forward on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
    now = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    saturday = slots([rule(5, ends="10:00")], day=dt.date(2026, 3, 28), now=now)
    sunday = slots([rule(6, ends="10:00")], day=dt.date(2026, 3, 29), now=now)
    assert starts(saturday) == starts(sunday) == ["09:00", "09:15"]
    assert saturday[0].start.hour == 8 and sunday[0].start.hour == 7
    assert sunday[0].end - sunday[0].start == dt.timedelta(minutes=45)


def test_fall_back_keeps_local_times_and_durations() -> None:
    # Clocks go back on Sunday 25 October 2026.
    now = dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
    saturday = slots([rule(5, ends="10:00")], day=dt.date(2026, 10, 24), now=now)
    sunday = slots([rule(6, ends="10:00")], day=dt.date(2026, 10, 25), now=now)
    assert starts(saturday) == starts(sunday) == ["09:00", "09:15"]
    assert saturday[0].start.hour == 7 and sunday[0].start.hour == 8


def test_window_across_the_skipped_hour_is_measured_in_real_time() -> None:
    # 01:00–04:00 local on the spring-forward night is only two real hours long.
    now = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    found = slots([rule(6, "01:00", "04:00")], day=dt.date(2026, 3, 29), now=now)
    assert all(slot.end <= local(dt.date(2026, 3, 29), "04:00") for slot in found)
    # 00:00–02:00 UTC: starts every 15 minutes while 45 minutes still fit.
    assert len(found) == 6


def test_cells_cover_exactly_the_occupied_time() -> None:
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    cells = cells_between(start, start + dt.timedelta(minutes=60))
    assert len(cells) == 12
    assert cells[0] == cell_of(start)
    assert cell_of(start + dt.timedelta(minutes=60)) not in cells  # end is exclusive
