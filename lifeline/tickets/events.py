"""Typed ticket events with an explicit audience, published only after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.db import after_commit


@dataclass(frozen=True)
class TicketEvent:
    type: str  # e.g. "ticket.created", "ticket.status_changed", "ticket.sla_breached"
    ticket_id: int
    number: int
    # "staff" (agents' consoles) or "customer" (only the requester, and only public changes).
    audience: str
    customer_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[TicketEvent], Awaitable[None]]
_LISTENERS: list[Listener] = []


def subscribe(listener: Listener) -> Callable[[], None]:
    """Register a listener (the live hub, tests); returns a function that unregisters it."""
    _LISTENERS.append(listener)
    return lambda: _LISTENERS.remove(listener) if listener in _LISTENERS else None


async def _dispatch(event: TicketEvent) -> None:
    for listener in list(_LISTENERS):
        await listener(event)


def publish_after_commit(session: AsyncSession, event: TicketEvent) -> None:
    async def deliver() -> None:
        await _dispatch(event)

    after_commit(session, deliver)
