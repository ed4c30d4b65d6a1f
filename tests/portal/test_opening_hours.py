import datetime as dt
from zoneinfo import ZoneInfo

from portal.models import OpeningHours
from portal.opening_hours import opening_state

BERLIN = ZoneInfo("Europe/Berlin")


def hours(*ranges: tuple[int, str, str]) -> list[OpeningHours]:
    return [
        OpeningHours(
            weekday=day,
            opens=dt.time.fromisoformat(o),
            closes=dt.time.fromisoformat(c),
            appointment_only=False,
        )
        for day, o, c in ranges
    ]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


WEEK = hours((0, "09:00", "12:00"), (2, "13:00", "16:00"))  # Monday morning, Wednesday afternoon


def test_open_now_and_closing_time() -> None:
    state = opening_state(WEEK, at("2026-11-23T10:30"))  # a Monday
    assert state.open_now
    assert state.closes_at == at("2026-11-23T12:00")


def test_closing_time_is_exclusive() -> None:
    assert not opening_state(WEEK, at("2026-11-23T12:00")).open_now


def test_next_opening_later_in_the_week() -> None:
    state = opening_state(WEEK, at("2026-11-23T12:30"))
    assert not state.open_now
    assert state.next_opening == at("2026-11-25T13:00")


def test_next_opening_wraps_to_next_week() -> None:
    state = opening_state(WEEK, at("2026-11-26T09:00"))  # Thursday
    assert state.next_opening == at("2026-11-30T09:00")


def test_utc_input_is_read_as_berlin_time() -> None:
    # 08:30 UTC on a winter Monday is 09:30 in Berlin: open.
    assert opening_state(WEEK, dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)).open_now
    # 08:30 UTC on a summer Monday is 10:30 in Berlin (CEST): open as well.
    assert opening_state(WEEK, dt.datetime(2026, 6, 22, 8, 30, tzinfo=dt.UTC)).open_now
    # 07:30 UTC in summer is 09:30 CEST, in winter 08:30 CET (closed).
    assert opening_state(WEEK, dt.datetime(2026, 6, 22, 7, 30, tzinfo=dt.UTC)).open_now
    assert not opening_state(WEEK, dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)).open_now


def test_next_opening_across_daylight_saving_change() -> None:
    # Clocks go forward on Sunday 29 March 2026; the Monday opening is 09:00 CEST = 07:00 UTC.
    state = opening_state(WEEK, at("2026-03-28T12:00"))
    assert state.next_opening is not None
    assert state.next_opening.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)


def test_no_hours_means_never_open() -> None:
    state = opening_state([], at("2026-11-23T10:00"))
    assert not state.open_now and state.next_opening is None
