"""Process-wide dependencies of the application, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.outbox.worker import OutboxWorker


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    exchange: ExchangeAdapter
    outbox: OutboxWorker
    extras: dict[str, Any] = field(default_factory=dict)
