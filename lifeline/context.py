"""Process-wide dependencies of the application, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.conversations.hub import Hub, LocalHub
from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.kb.index import KnowledgeIndex
from lifeline.outbox.worker import OutboxWorker
from lifeline.security.ratelimit import MemoryRateLimiter, RateLimiter


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    exchange: ExchangeAdapter
    outbox: OutboxWorker
    knowledge: KnowledgeIndex
    limiter: RateLimiter = field(default_factory=MemoryRateLimiter)
    hub: Hub = field(default_factory=LocalHub)
    extras: dict[str, Any] = field(default_factory=dict)
