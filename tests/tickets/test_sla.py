"""SLA arithmetic over business calendars and pauses: pure functions, checked exhaustively."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.tickets.sla import (
    BusinessCalendar,
    ClockState,
    NeverOpen,
    add_business_time,
    business_time_between,
    clock_state,
    clock_times,
    is_open,
)

UTC_OFFICE = BusinessCalendar.weekdays(time(9), time(17))  # Mon-Fri 09-17 UTC
TWENTY_FOUR_SEVEN = BusinessCalendar.twenty_four_seven()
# Monday 2026-11-16 is a weekday.
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day_offset, hours=hour, minutes=minute)


def test_24x7_is_plain_addition() -> None:
    start = at(0, 3, 17)
    assert add_business_time(TWENTY_FOUR_SEVEN, start, timedelta(minutes=15)) == at(0, 3, 32)
    assert business_time_between(TWENTY_FOUR_SEVEN, start, at(2, 3, 17)) == timedelta(days=2)


def test_business_hours_skip_nights() -> None:
    # 2 h before closing on Monday, 4 h target: 2 h Monday, 2 h Tuesday from 09:00.
    assert add_business_time(UTC_OFFICE, at(0, 15), timedelta(hours=4)) == at(1, 11)


def test_business_hours_skip_weekends() -> None:
    friday_4pm = at(4, 16)
    assert add_business_time(UTC_OFFICE, friday_4pm, timedelta(hours=2)) == at(7, 10)
    assert business_time_between(UTC_OFFICE, friday_4pm, at(7, 10)) == timedelta(hours=2)


def test_a_ticket_opened_at_night_starts_at_opening_time() -> None:
    assert add_business_time(UTC_OFFICE, at(0, 22), timedelta(minutes=30)) == at(1, 9, 30)
    # Zero duration lands on the next open moment.
    assert add_business_time(UTC_OFFICE, at(5, 12), timedelta()) == at(7, 9)


def test_holidays_are_closed() -> None:
    calendar = BusinessCalendar(
        weekly_hours=UTC_OFFICE.weekly_hours, holidays=frozenset({date(2026, 11, 17)})
    )
    assert add_business_time(calendar, at(0, 16), timedelta(hours=2)) == at(2, 10)


def test_time_zones_follow_local_hours() -> None:
    singapore = BusinessCalendar.weekdays(time(9), time(18), timezone="Asia/Singapore")
    # 09:00 in Singapore is 01:00 UTC.
    assert add_business_time(singapore, at(0, 0), timedelta(minutes=30)) == at(0, 1, 30)


def test_daylight_saving_changes_local_hours() -> None:
    new_york = BusinessCalendar.weekdays(time(9), time(17), timezone="America/New_York")
    # Friday 2026-10-30 is EDT (UTC-4); Monday 2026-11-02 is EST (UTC-5).
    friday_close = datetime(2026, 10, 30, 20, tzinfo=UTC)  # 16:00 EDT
    due = add_business_time(new_york, friday_close, timedelta(hours=2))
    assert due == datetime(2026, 11, 2, 15, tzinfo=UTC)  # 10:00 EST


def test_pauses_do_not_count() -> None:
    pause = (at(0, 10), at(0, 12))
    assert add_business_time(TWENTY_FOUR_SEVEN, at(0, 9), timedelta(hours=2), [pause]) == at(0, 13)
    assert business_time_between(TWENTY_FOUR_SEVEN, at(0, 9), at(0, 13), [pause]) == timedelta(
        hours=2
    )


def test_a_pause_outside_business_hours_changes_nothing() -> None:
    night_pause = (at(0, 20), at(1, 8))
    plain = add_business_time(UTC_OFFICE, at(0, 16), timedelta(hours=3))
    assert add_business_time(UTC_OFFICE, at(0, 16), timedelta(hours=3), [night_pause]) == plain


def test_a_calendar_without_hours_fails_loudly() -> None:
    with pytest.raises(NeverOpen):
        add_business_time(BusinessCalendar(), at(0, 0), timedelta(minutes=1))


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(TWENTY_FOUR_SEVEN, at(0, 0), timedelta(minutes=-1))


def test_calendar_round_trips_through_its_stored_form() -> None:
    calendar = BusinessCalendar(
        timezone="Asia/Shanghai",
        weekly_hours={0: ((time(9), time(12)), (time(13), None)), 5: ((time(10), time(14)),)},
        holidays=frozenset({date(2026, 10, 1)}),
    )
    assert BusinessCalendar.from_dict(calendar.to_dict()) == calendar
    assert BusinessCalendar.from_dict({}).always_open


def test_warning_comes_at_80_percent() -> None:
    times = clock_times(TWENTY_FOUR_SEVEN, at(0, 0), timedelta(minutes=100))
    assert times.due_at == at(0, 1, 40)
    assert times.warn_at == at(0, 1, 20)


@pytest.mark.parametrize(
    ("now", "done", "paused", "expected"),
    [
        (at(0, 1), None, False, ClockState.ON_TRACK),
        (at(0, 1, 25), None, False, ClockState.WARNING),
        (at(0, 2), None, False, ClockState.BREACHED),
        (at(0, 1), None, True, ClockState.PAUSED),
        (at(0, 3), at(0, 1), False, ClockState.MET),
        (at(0, 3), at(0, 2), False, ClockState.BREACHED),
    ],
)
def test_clock_state(
    now: datetime, done: datetime | None, paused: bool, expected: ClockState
) -> None:
    state = clock_state(
        due_at=at(0, 1, 40), warn_at=at(0, 1, 20), done_at=done, paused=paused, now=now
    )
    assert state == expected


# --- properties -----------------------------------------------------------------------------

ZONES = ["UTC", "Asia/Singapore", "America/New_York", "Europe/London", "Asia/Shanghai"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    if draw(st.integers(0, 4)) == 0:
        return TWENTY_FOUR_SEVEN
    hours: dict[int, tuple[tuple[time, time | None], ...]] = {}
    for day in draw(st.sets(st.integers(0, 6), min_size=1)):
        opens = draw(st.integers(0, 22))
        closes = draw(st.integers(opens + 1, 24))
        hours[day] = ((time(opens), None if closes == 24 else time(closes)),)
    return BusinessCalendar(timezone=draw(st.sampled_from(ZONES)), weekly_hours=hours)


moments = st.integers(0, 60 * 24 * 60).map(lambda minutes: MONDAY + timedelta(minutes=minutes))
durations = st.integers(0, 5 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def pause_lists(draw: st.DrawFn) -> list[tuple[datetime, datetime]]:
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(moments)
        pauses.append((start, start + draw(durations)))
    return pauses


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, durations, pause_lists())
def test_adding_then_measuring_gives_the_same_duration(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: list[tuple[datetime, datetime]],
) -> None:
    due = add_business_time(calendar, start, duration, pauses)
    assert due >= start
    assert business_time_between(calendar, start, due, pauses) == duration


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, durations.filter(lambda d: d > timedelta()))
def test_due_times_fall_inside_business_hours(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = add_business_time(calendar, start, duration)
    assert is_open(calendar, due)


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, durations, pause_lists())
def test_pauses_only_push_due_times_later(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: list[tuple[datetime, datetime]],
) -> None:
    assert add_business_time(calendar, start, duration, pauses) >= add_business_time(
        calendar, start, duration
    )


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, durations, durations)
def test_business_time_is_additive(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle = add_business_time(calendar, start, first)
    assert (
        add_business_time(calendar, middle, second)
        == add_business_time(calendar, start, first + second)
        or second == timedelta()
    )


@settings(max_examples=100, deadline=None)
@given(moments, durations)
def test_24x7_never_differs_from_wall_clock(start: datetime, duration: timedelta) -> None:
    assert add_business_time(TWENTY_FOUR_SEVEN, start, duration) == start + duration
