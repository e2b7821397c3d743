"""Draining the outbox.

Claiming is a short transaction that leases a batch (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so several workers never take the same row). Each item then runs in its own transaction that
also marks it done, conditioned on still holding the lease: a handler's database effects and
the completion commit together, so an item is delivered exactly once even if a worker dies
half-way (its lease runs out and another worker takes the item). Failures retry with
exponential backoff and end in the ``dead`` state after ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.db import utcnow
from lifeline.outbox.models import OutboxItem, OutboxStatus
from lifeline.outbox.service import OutboxContext, handler_for

log = logging.getLogger(__name__)


@dataclass
class OutboxWorker:
    sessionmaker: async_sessionmaker[AsyncSession]
    app: Any = None
    batch_size: int = 20
    lease_seconds: float = 60.0
    max_attempts: int = 8
    base_backoff_seconds: float = 2.0
    max_backoff_seconds: float = 3600.0
    poll_seconds: float = 0.5
    worker_id: str = field(default_factory=lambda: secrets.token_hex(4))
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Called after a commit that enqueued work, so it starts without waiting a poll."""
        self._wake.set()

    async def claim(self) -> list[tuple[int, str]]:
        now = utcnow()
        token = secrets.token_hex(8)
        async with self.sessionmaker() as session, session.begin():
            query = (
                select(OutboxItem.id)
                .where(
                    OutboxItem.available_at <= now,
                    or_(
                        OutboxItem.status == OutboxStatus.PENDING,
                        (OutboxItem.status == OutboxStatus.PROCESSING)
                        & (OutboxItem.lease_expires_at < now),
                    ),
                )
                .order_by(OutboxItem.available_at, OutboxItem.id)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list((await session.scalars(query)).all())
            if not ids:
                return []
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids))
                .values(
                    status=OutboxStatus.PROCESSING,
                    claim_token=token,
                    lease_expires_at=now + timedelta(seconds=self.lease_seconds),
                    attempts=OutboxItem.attempts + 1,
                )
            )
        return [(item_id, token) for item_id in ids]

    async def process(self, item_id: int, token: str) -> OutboxStatus | None:
        """Run one claimed item; returns its new status, or None if the lease was lost."""
        try:
            async with self.sessionmaker() as session, session.begin():
                item = await session.get(OutboxItem, item_id)
                if item is None or item.claim_token != token:
                    return None
                handler = handler_for(item.topic)
                if handler is None:
                    raise LookupError(f"no outbox handler for topic {item.topic!r}")
                await handler(
                    OutboxContext(item.id, item.attempts, session, self.app), item.payload
                )
                result = await session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == item_id, OutboxItem.claim_token == token)
                    .values(
                        status=OutboxStatus.DONE,
                        completed_at=utcnow(),
                        claim_token=None,
                        lease_expires_at=None,
                        last_error=None,
                    )
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult
                    # Another worker took over after our lease ran out: undo our effects.
                    raise _LeaseLost()
            return OutboxStatus.DONE
        except _LeaseLost:
            return None
        except Exception as error:
            log.warning("outbox item %s failed: %s", item_id, error, exc_info=True)
            return await self._record_failure(item_id, token, error)

    async def _record_failure(
        self, item_id: int, token: str, error: Exception
    ) -> OutboxStatus | None:
        async with self.sessionmaker() as session, session.begin():
            item = await session.get(OutboxItem, item_id)
            if item is None or item.claim_token != token:
                return None
            item.last_error = f"{type(error).__name__}: {error}"[:2000]
            item.claim_token = None
            item.lease_expires_at = None
            if item.attempts >= self.max_attempts:
                item.status = OutboxStatus.DEAD
            else:
                delay = min(
                    self.base_backoff_seconds * 2 ** (item.attempts - 1), self.max_backoff_seconds
                )
                item.status = OutboxStatus.PENDING
                item.available_at = utcnow() + timedelta(seconds=delay)
            return item.status

    async def run_once(self) -> int:
        """Claim and process one batch; returns how many items were claimed."""
        claimed = await self.claim()
        for item_id, token in claimed:
            await self.process(item_id, token)
        return len(claimed)

    async def drain(self, max_batches: int = 1000) -> int:
        total = 0
        for _ in range(max_batches):
            count = await self.run_once()
            total += count
            if count == 0:
                break
        return total

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                count = await self.run_once()
            except Exception:
                log.exception("outbox worker iteration failed")
                count = 0
            if count:
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _done, pending = await asyncio.wait(
                waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()


class _LeaseLost(Exception):
    pass
