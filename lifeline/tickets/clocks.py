"""Applying the SLA arithmetic to a ticket: start, pause, resume, stop, and its visible state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.tickets.models import Ticket
from lifeline.tickets.sla import (
    BusinessCalendar,
    ClockState,
    clock_state,
    clock_times,
    format_pauses,
    parse_pauses,
    worst_state,
)


def _minutes(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def start_clocks(
    ticket: Ticket,
    calendar: BusinessCalendar,
    first_response_minutes: int,
    resolution_minutes: int,
    started_at: datetime,
) -> None:
    ticket.sla_calendar = calendar.to_dict()
    ticket.sla_started_at = started_at
    ticket.first_response_target_minutes = first_response_minutes
    ticket.resolution_target_minutes = resolution_minutes
    recompute(ticket)


def recompute(ticket: Ticket) -> None:
    """Due and warning times from the start, the targets, the calendar and the pauses."""
    calendar = BusinessCalendar.from_dict(ticket.sla_calendar)
    pauses = parse_pauses(ticket.sla_pauses or [])
    first = clock_times(
        calendar, ticket.sla_started_at, _minutes(ticket.first_response_target_minutes), pauses
    )
    resolution = clock_times(
        calendar, ticket.sla_started_at, _minutes(ticket.resolution_target_minutes), pauses
    )
    ticket.first_response_due_at = first.due_at
    ticket.first_response_warn_at = first.warn_at
    ticket.resolution_due_at = resolution.due_at
    ticket.resolution_warn_at = resolution.warn_at
    refresh_schedule(ticket)


def refresh_schedule(ticket: Ticket) -> None:
    """The earliest pending due time and the next moment the sweep must look at the ticket."""
    if not ticket.active or ticket.sla_paused_at is not None:
        ticket.sla_next_due_at = None
        ticket.sla_next_check_at = None
        return
    dues: list[datetime] = []
    checks: list[datetime] = []
    clocks = [
        (
            ticket.first_responded_at is None,
            ticket.first_response_due_at,
            ticket.first_response_warn_at,
            ticket.first_response_warned_at,
            ticket.first_response_breached_at,
        ),
        (
            True,
            ticket.resolution_due_at,
            ticket.resolution_warn_at,
            ticket.resolution_warned_at,
            ticket.resolution_breached_at,
        ),
    ]
    for pending, due_at, warn_at, warned_at, breached_at in clocks:
        if not pending or due_at is None:
            continue
        dues.append(due_at)
        if warn_at is not None and warned_at is None and breached_at is None:
            checks.append(warn_at)
        if breached_at is None:
            checks.append(due_at)
    ticket.sla_next_due_at = min(dues) if dues else None
    ticket.sla_next_check_at = min(checks) if checks else None


def pause(ticket: Ticket, now: datetime) -> None:
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
    refresh_schedule(ticket)


def resume(ticket: Ticket, now: datetime) -> None:
    """End a pause: the paused time no longer counts, so due times move later."""
    if ticket.sla_paused_at is not None:
        if now > ticket.sla_paused_at:
            ticket.sla_pauses = [
                *(ticket.sla_pauses or []),
                *format_pauses([(ticket.sla_paused_at, now)]),
            ]
        ticket.sla_paused_at = None
    recompute(ticket)


@dataclass(frozen=True)
class SlaView:
    state: ClockState
    first_response: ClockState
    resolution: ClockState
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    next_due_at: datetime | None
    paused: bool


def sla_view(ticket: Ticket, now: datetime) -> SlaView:
    paused = ticket.sla_paused_at is not None
    first = clock_state(
        due_at=ticket.first_response_due_at,
        warn_at=ticket.first_response_warn_at,
        done_at=ticket.first_responded_at,
        paused=paused,
        now=now,
    )
    resolution = clock_state(
        due_at=ticket.resolution_due_at,
        warn_at=ticket.resolution_warn_at,
        done_at=ticket.resolved_at,
        paused=paused,
        now=now,
    )
    # What the sweep recorded stands, even if this reader's clock is a little behind.
    first = _with_marks(first, ticket.first_response_warned_at, ticket.first_response_breached_at)
    resolution = _with_marks(resolution, ticket.resolution_warned_at, ticket.resolution_breached_at)
    return SlaView(
        state=worst_state([first, resolution]),
        first_response=first,
        resolution=resolution,
        first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        next_due_at=ticket.sla_next_due_at,
        paused=paused,
    )


def _with_marks(
    state: ClockState, warned_at: datetime | None, breached_at: datetime | None
) -> ClockState:
    if breached_at is not None and state in {
        ClockState.MET,
        ClockState.ON_TRACK,
        ClockState.WARNING,
        ClockState.PAUSED,
    }:
        return ClockState.BREACHED
    if warned_at is not None and state == ClockState.ON_TRACK:
        return ClockState.WARNING
    return state
