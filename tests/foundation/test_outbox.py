from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.db import create_engine, create_sessionmaker, transaction
from lifeline.outbox.models import OutboxItem, OutboxStatus
from lifeline.outbox.service import OutboxContext, enqueue, outbox_handler, unregister_handler
from lifeline.outbox.worker import OutboxWorker
from lifeline.security.audit import Actor, record_audit
from lifeline.security.models import AuditEntry
from tests.support.databases import create_database, drop_database


@outbox_handler("test.deliver")
async def record_delivery(context: OutboxContext, payload: dict[str, Any]) -> None:
    await record_audit(context.session, Actor.system(), "test.delivered", object_id=payload["n"])


async def _deliveries(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str | None]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEntry.object_id)
            .where(AuditEntry.action == "test.delivered")
            .order_by(AuditEntry.object_id)
        )
        return list(rows.all())


async def _status(sessionmaker: async_sessionmaker[AsyncSession], item_id: int) -> OutboxItem:
    async with sessionmaker() as session:
        item = await session.get(OutboxItem, item_id)
        assert item is not None
        return item


async def test_committed_work_is_delivered_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        item = await enqueue(session, "test.deliver", {"n": "1"})
    worker = OutboxWorker(sessionmaker)
    assert await worker.drain() == 1
    assert await worker.drain() == 0
    assert await _deliveries(sessionmaker) == ["1"]
    assert (await _status(sessionmaker, item.id)).status == OutboxStatus.DONE


async def test_rolled_back_work_is_never_delivered(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as session:
            await enqueue(session, "test.deliver", {"n": "ghost"})
            raise RuntimeError("the business change failed")
    assert await OutboxWorker(sessionmaker).drain() == 0
    assert await _deliveries(sessionmaker) == []


async def test_failures_retry_with_backoff_then_go_dead(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    calls: list[int] = []

    @outbox_handler("test.flaky")
    async def always_fails(context: OutboxContext, payload: dict[str, Any]) -> None:
        calls.append(context.attempt)
        raise ConnectionError("smtp down")

    try:
        async with transaction(sessionmaker) as session:
            item = await enqueue(session, "test.flaky", {})
        worker = OutboxWorker(sessionmaker, max_attempts=3, base_backoff_seconds=0.05)
        await worker.run_once()
        first = await _status(sessionmaker, item.id)
        assert first.status == OutboxStatus.PENDING
        assert first.attempts == 1
        assert first.last_error == "ConnectionError: smtp down"
        assert first.available_at > first.created_at
        # Not due yet: backoff holds it back.
        assert await worker.run_once() == 0
        for _ in range(40):
            await asyncio.sleep(0.05)
            await worker.run_once()
            if (await _status(sessionmaker, item.id)).status == OutboxStatus.DEAD:
                break
        final = await _status(sessionmaker, item.id)
        assert final.status == OutboxStatus.DEAD
        assert calls == [1, 2, 3]
    finally:
        unregister_handler("test.flaky")


async def test_unknown_topics_end_dead_not_lost(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        item = await enqueue(session, "test.nobody-handles-this", {})
    worker = OutboxWorker(sessionmaker, max_attempts=1)
    await worker.run_once()
    final = await _status(sessionmaker, item.id)
    assert final.status == OutboxStatus.DEAD
    assert "no outbox handler" in (final.last_error or "")


@pytest.mark.database
async def test_work_survives_a_worker_killed_mid_delivery(tmp_path: Path) -> None:
    """A worker process claims the item, starts delivering and is SIGKILLed. After its lease
    runs out a new worker delivers the item, exactly once."""
    settings = await create_database(tmp_path, "crash")
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with transaction(sessionmaker) as session:
            item = await enqueue(session, "test.deliver", {"n": "42"})
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.outbox_crash_worker",
                settings.resolved_database_url,
                str(settings.data_dir),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "claimed"
        finally:
            process.kill()
            process.wait(timeout=10)
        claimed = await _status(sessionmaker, item.id)
        assert claimed.status == OutboxStatus.PROCESSING
        assert await _deliveries(sessionmaker) == []  # the dead worker's effects never landed

        restarted = OutboxWorker(sessionmaker, lease_seconds=30)
        assert await restarted.run_once() == 0  # the lease still holds
        await asyncio.sleep(1.2)
        assert await restarted.drain() == 1
        assert await restarted.drain() == 0
        assert await _deliveries(sessionmaker) == ["42"]
        assert (await _status(sessionmaker, item.id)).status == OutboxStatus.DONE
    finally:
        await engine.dispose()
        await drop_database(settings)


@pytest.mark.database
async def test_concurrent_workers_deliver_each_item_once(tmp_path: Path) -> None:
    settings: Settings = await create_database(tmp_path, "concurrent")
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with transaction(sessionmaker) as session:
            for n in range(60):
                await enqueue(session, "test.deliver", {"n": f"{n:03d}"})
        workers = [OutboxWorker(sessionmaker, batch_size=5) for _ in range(4)]
        counts = await asyncio.gather(*(worker.drain() for worker in workers))
        assert sum(counts) == 60
        deliveries = await _deliveries(sessionmaker)
        assert deliveries == [f"{n:03d}" for n in range(60)]
        async with sessionmaker() as session:
            done = await session.scalar(
                select(func.count()).where(OutboxItem.status == OutboxStatus.DONE)
            )
        assert done == 60
    finally:
        await engine.dispose()
        await drop_database(settings)
