"""Enqueueing durable work, and the registry of handlers that perform it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.db import utcnow
from lifeline.outbox.models import OutboxItem


class OutboxContext:
    """What a handler gets: the item's id (an idempotency key for the outside world),
    its attempt number, and a session in the same transaction that marks the item done."""

    def __init__(self, item_id: int, attempt: int, session: AsyncSession, app: Any) -> None:
        self.item_id = item_id
        self.attempt = attempt
        self.session = session
        self.app = app


Handler = Callable[[OutboxContext, dict[str, Any]], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {}


def outbox_handler(topic: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[topic] = handler
        return handler

    return register


def handler_for(topic: str) -> Handler | None:
    return _HANDLERS.get(topic)


def unregister_handler(topic: str) -> None:
    _HANDLERS.pop(topic, None)


async def enqueue(
    session: AsyncSession,
    topic: str,
    payload: dict[str, Any],
    *,
    available_at: datetime | None = None,
) -> OutboxItem:
    """Add work to the caller's transaction: it exists exactly when the business change does."""
    item = OutboxItem(topic=topic, payload=payload, available_at=available_at or utcnow())
    session.add(item)
    await session.flush()
    return item
