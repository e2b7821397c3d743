"""Database engine, sessions and the declarative base.

SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL (asyncpg) is the scaled one.
One session per request or task: the dependency commits on success and rolls back on error;
services only flush. Work registered with ``after_commit`` runs once the transaction is durable.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from lifeline.config import Settings

# Alembic's batch mode on SQLite needs named constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Largest id a path or query parameter may carry (PostgreSQL INTEGER).
MAX_ID = 2**31 - 1


def new_public_id() -> str:
    return uuid.uuid4().hex


_READ_ONLY = "lifeline_read_only"  # the execution option marking a reader


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin, so that
        # SAVEPOINTs and rollbacks behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once with SQLITE_BUSY when another writer got in between, whatever
        # the busy timeout. Transactions are short, so queueing writers is the better trade.
        # Declared readers (``reading``) need no lock: under WAL they run beside the writer.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(settings: Settings, *, pooled: bool = True, **kwargs: Any) -> AsyncEngine:
    """``pooled=False`` for engines used from another event loop or thread (connections are
    bound to the loop that opened them)."""
    url = settings.async_database_url
    if not pooled and not settings.is_sqlite:
        return create_async_engine(url, poolclass=NullPool, **kwargs)
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, poolclass=NullPool, **kwargs)
        _configure_sqlite(engine.sync_engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` after the session's transaction commits; drop it on rollback."""
    pending: list[AfterCommit] = session.info.setdefault("after_commit", [])
    pending.append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    pending: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in pending:
        await callback()


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)


# The unit of work in progress in this task, so that code reached from it which would otherwise
# open a transaction of its own (the demo exchange backend) joins it instead: on SQLite a second
# writer inside a request would wait for the request's own write lock forever.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


@asynccontextmanager
async def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work that only reads (it is rolled back): on SQLite it takes no write lock, so
    many readers, such as live connections catching up, never queue behind the writers."""
    async with sessionmaker() as session:
        await session.connection(execution_options={"lifeline_read_only": True})
        # Closing the session rolls the transaction back and detaches what was loaded, which
        # stays readable (an explicit rollback would expire it).
        yield session


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error, then run after-commit work."""
    async with sessionmaker() as session:
        token = current_session.set(session)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_after_commit(session)
            raise
        finally:
            current_session.reset(token)
        await run_after_commit(session)
