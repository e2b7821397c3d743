"""Test databases: SQLite files by default, PostgreSQL when LIFELINE_TEST_DATABASE_URL says so."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import asyncpg

import lifeline.models  # noqa: F401  (every table, for truncate_all)
from lifeline.config import Settings
from lifeline.migrations import async_upgrade_to_head

TEST_DATABASE_URL_ENV = "LIFELINE_TEST_DATABASE_URL"


def configured_test_database_url() -> str:
    return os.environ.get(TEST_DATABASE_URL_ENV, "")


def uses_postgres() -> bool:
    return configured_test_database_url().startswith("postgres")


def _admin_dsn(url: str) -> tuple[str, str]:
    """Split postgresql://user@host/db into (dsn of the maintenance db, db name prefix)."""
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name or "lifeline_test"


async def create_database(tmp_dir: Path, label: str) -> Settings:
    """A new, empty database migrated to head; returns settings pointing at it."""
    base_url = configured_test_database_url()
    if base_url.startswith("postgres"):
        admin_dsn, prefix = _admin_dsn(base_url)
        name = f"{prefix}_{label}_{secrets.token_hex(3)}"
        connection = await asyncpg.connect(admin_dsn.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = f"{base_url.rpartition('/')[0]}/{name}"
        settings = Settings(database_url=url, data_dir=tmp_dir, env="test", outbox_in_process=False)
    else:
        data_dir = tmp_dir / label
        settings = Settings(data_dir=data_dir, env="test", outbox_in_process=False)
    await async_upgrade_to_head(settings)
    return settings


async def drop_database(settings: Settings) -> None:
    if not settings.database_url.startswith("postgres"):
        return
    admin_dsn, _ = _admin_dsn(settings.database_url)
    name = settings.database_url.rpartition("/")[2]
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def truncate_all(settings: Settings) -> None:
    """Empty every table but Alembic's own, in one statement."""
    from lifeline.db import Base

    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    connection = await asyncpg.connect(settings.database_url)
    try:
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
