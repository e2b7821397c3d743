"""SLA arithmetic over business calendars, as pure functions.

A calendar is a set of weekly opening hours in a time zone, minus holidays (or 24x7). Time on
an SLA clock is business time: only open hours count, and pauses (while the ticket waits on
the customer) do not count either. ``add_business_time`` and ``business_time_between`` are
built on the same interval generator, so one is exactly the inverse of the other.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
WeeklyHours = Mapping[int, Sequence[tuple[time, time | None]]]

# Far enough for any real target (a 48 h review over a long holiday season), bounded so that
# a calendar with no open hours fails loudly instead of looping.
_SEARCH_HORIZON = timedelta(days=800)
_CHUNK = timedelta(days=14)
WARNING_FRACTION = 0.8


class NeverOpen(ValueError):
    """The calendar has no open hours within the search horizon."""


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    # Weekday (Monday is 0) -> opening intervals in local time; a ``None`` end means midnight.
    weekly_hours: WeeklyHours = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    @classmethod
    def twenty_four_seven(cls) -> BusinessCalendar:
        return cls(always_open=True)

    @classmethod
    def weekdays(
        cls, opens: time, closes: time | None, timezone: str = "UTC", days: int = 5
    ) -> BusinessCalendar:
        return cls(timezone=timezone, weekly_hours={day: ((opens, closes),) for day in range(days)})

    def to_dict(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "always_open": self.always_open,
            "weekly_hours": {
                str(day): [[_fmt(start), _fmt(end)] for start, end in spans]
                for day, spans in sorted(self.weekly_hours.items())
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        if not data or data.get("always_open"):
            return cls.twenty_four_seven()
        return cls(
            timezone=str(data.get("timezone") or "UTC"),
            weekly_hours={
                int(day): tuple((_parse(start), _parse_end(end)) for start, end in spans)
                for day, spans in dict(data.get("weekly_hours") or {}).items()
            },
            holidays=frozenset(date.fromisoformat(day) for day in data.get("holidays") or ()),
        )


def _fmt(value: time | None) -> str:
    return "24:00" if value is None else value.strftime("%H:%M")


def _parse(value: str) -> time:
    return time.fromisoformat(value)


def _parse_end(value: str) -> time | None:
    return None if value in {"24:00", "24:00:00"} else time.fromisoformat(value)


def open_intervals(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> Iterator[Interval]:
    """The calendar's open intervals clipped to [start, end), in UTC, sorted and disjoint."""
    if end <= start:
        return
    if calendar.always_open:
        yield start, end
        return
    zone = ZoneInfo(calendar.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date()
    pending: Interval | None = None
    while day <= last_day:
        for span in _day_spans(calendar, zone, day):
            clipped = (max(span[0], start), min(span[1], end))
            if clipped[1] <= clipped[0]:
                continue
            # DST shifts and back-to-back spans can touch or overlap: merge them.
            if pending is not None and clipped[0] <= pending[1]:
                pending = (pending[0], max(pending[1], clipped[1]))
                continue
            if pending is not None:
                yield pending
            pending = clipped
        day += timedelta(days=1)
    if pending is not None:
        yield pending


def _day_spans(calendar: BusinessCalendar, zone: ZoneInfo, day: date) -> list[Interval]:
    if day in calendar.holidays:
        return []
    spans: list[Interval] = []
    for opens, closes in calendar.weekly_hours.get(day.weekday(), ()):
        start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        if closes is None:
            finish = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        else:
            finish = datetime.combine(day, closes, tzinfo=zone)
        finish_utc = finish.astimezone(UTC)
        if finish_utc > start:
            spans.append((start, finish_utc))
    spans.sort()
    return spans


def subtract_pauses(
    intervals: Iterator[Interval], pauses: Sequence[Interval]
) -> Iterator[Interval]:
    """``intervals`` minus ``pauses`` (both sorted by start)."""
    ordered = sorted(pauses)
    for start, end in intervals:
        cursor = start
        for pause_start, pause_end in ordered:
            if pause_end <= cursor or pause_start >= end:
                continue
            if pause_start > cursor:
                yield cursor, pause_start
            cursor = max(cursor, pause_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end


def business_time_between(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[Interval] = (),
) -> timedelta:
    """Open, unpaused time between two instants (zero if ``end`` is not after ``start``)."""
    total = timedelta()
    for span_start, span_end in subtract_pauses(open_intervals(calendar, start, end), pauses):
        total += span_end - span_start
    return total


def add_business_time(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: Sequence[Interval] = (),
) -> datetime:
    """The instant at which ``duration`` of open, unpaused time has passed since ``start``."""
    if duration < timedelta():
        raise ValueError("duration must not be negative")
    remaining = duration
    chunk_start = start
    # A sparse calendar may need many weeks to use up a long duration; only a whole horizon
    # without a single open moment means it never opens.
    last_open = start
    while chunk_start - last_open < _SEARCH_HORIZON:
        chunk_end = chunk_start + max(_CHUNK, remaining * 2)
        spans = subtract_pauses(open_intervals(calendar, chunk_start, chunk_end), pauses)
        for span_start, span_end in spans:
            length = span_end - span_start
            if remaining <= length:
                # A zero duration lands on the next open moment, not on a closed one.
                return span_start + remaining
            remaining -= length
            last_open = span_end
        chunk_start = chunk_end
    raise NeverOpen("the calendar has no open hours in the search horizon")


def is_open(calendar: BusinessCalendar, moment: datetime) -> bool:
    """Whether ``moment`` is inside open hours; a closing instant counts as inside."""
    if calendar.always_open:
        return True
    window = timedelta(minutes=1)
    for span_start, span_end in open_intervals(calendar, moment - window, moment + window):
        if span_start <= moment <= span_end:
            return True
    return False


def parse_pauses(raw: Sequence[Sequence[str]]) -> list[Interval]:
    return [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in raw]


def format_pauses(pauses: Sequence[Interval]) -> list[list[str]]:
    return [[start.isoformat(), end.isoformat()] for start, end in pauses]


class ClockState(enum.StrEnum):
    NONE = "none"
    ON_TRACK = "on_track"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


@dataclass(frozen=True)
class ClockTimes:
    due_at: datetime | None
    warn_at: datetime | None


def clock_times(
    calendar: BusinessCalendar,
    started_at: datetime,
    target: timedelta | None,
    pauses: Sequence[Interval] = (),
) -> ClockTimes:
    """Due and warning times of one clock (first response or resolution)."""
    if target is None:
        return ClockTimes(None, None)
    return ClockTimes(
        due_at=add_business_time(calendar, started_at, target, pauses),
        warn_at=add_business_time(calendar, started_at, target * WARNING_FRACTION, pauses),
    )


def clock_state(
    *,
    due_at: datetime | None,
    warn_at: datetime | None,
    done_at: datetime | None,
    paused: bool,
    now: datetime,
) -> ClockState:
    if due_at is None:
        return ClockState.NONE
    if done_at is not None:
        return ClockState.MET if done_at <= due_at else ClockState.BREACHED
    if now >= due_at:
        return ClockState.BREACHED
    if paused:
        return ClockState.PAUSED
    if warn_at is not None and now >= warn_at:
        return ClockState.WARNING
    return ClockState.ON_TRACK


def worst_state(states: Sequence[ClockState]) -> ClockState:
    order = [
        ClockState.BREACHED,
        ClockState.WARNING,
        ClockState.PAUSED,
        ClockState.ON_TRACK,
        ClockState.MET,
        ClockState.NONE,
    ]
    return min(states, key=order.index) if states else ClockState.NONE
