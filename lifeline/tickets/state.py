"""The ticket status state machine: which status may follow which, and why not."""

from __future__ import annotations

from datetime import datetime, timedelta

from lifeline.errors import Conflict
from lifeline.tickets.models import TicketStatus

S = TicketStatus

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.ON_HOLD, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.ON_HOLD, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.ON_HOLD, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.ESCALATED, S.RESOLVED}),
    S.ESCALATED: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.ON_HOLD, S.RESOLVED}),
    # Reopening is resolved -> open; a closed ticket is final (a follow-up ticket links to it).
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}

INACTIVE_STATUSES = frozenset({S.RESOLVED, S.CLOSED})
# How long after resolution a customer's reply still reopens the ticket.
REOPEN_WINDOW = timedelta(days=7)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def is_active(status: TicketStatus) -> bool:
    return status not in INACTIVE_STATUSES


def allowed_next(status: TicketStatus) -> frozenset[TicketStatus]:
    return TRANSITIONS[status]


def check_transition(current: TicketStatus, target: TicketStatus) -> None:
    """Raise ``IllegalTransition`` (409) with the allowed statuses unless the move is legal."""
    if target in TRANSITIONS[current]:
        return
    allowed = sorted(status.value for status in TRANSITIONS[current])
    if current == S.CLOSED:
        message = "A closed ticket cannot change; open a follow-up ticket instead."
    elif current == target:
        message = f"The ticket is already {current.value}."
    else:
        message = f"A {current.value} ticket cannot become {target.value}."
    raise IllegalTransition(message, current=current.value, target=target.value, allowed=allowed)


def customer_may_reopen(status: TicketStatus, resolved_at: datetime | None, now: datetime) -> bool:
    """A customer's reply reopens a resolved ticket within the window; never a closed one."""
    if status != S.RESOLVED or resolved_at is None:
        return False
    return now - resolved_at <= REOPEN_WINDOW
