"""Units of work: readers never queue behind a writer, and see only what was committed."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Team
from lifeline.db import reading, transaction


async def _count_teams(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with reading(sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(Team)) or 0)


async def test_a_reader_runs_while_a_writer_holds_its_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    before = await _count_teams(sessionmaker)
    async with transaction(sessionmaker) as writer:
        writer.add(Team(slug="night-shift", name="Night shift"))
        await writer.flush()  # the writer now holds the write lock (SQLite) / a row version
        # A reader that waited for the lock would wait for this very block: a deadlock that
        # the timeout turns into a failure.
        seen = await asyncio.wait_for(_count_teams(sessionmaker), timeout=5)
        assert seen == before  # nothing uncommitted is visible
    assert await _count_teams(sessionmaker) == before + 1


async def test_what_a_reader_changes_is_never_kept(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with reading(sessionmaker) as session:
        session.add(Team(slug="ghost", name="Ghost"))
        await session.flush()
    async with reading(sessionmaker) as session:
        assert await session.scalar(select(Team).where(Team.slug == "ghost")) is None
