"""Choosing the exchange backend from the settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.exchange.demo import DemoExchange
from lifeline.exchange.http import HttpExchange


def build_exchange_adapter(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> ExchangeAdapter:
    if settings.exchange_backend == "http":
        if not settings.exchange_api_url:
            raise ValueError("LIFELINE_EXCHANGE_API_URL is required with the http backend")
        return HttpExchange(settings.exchange_api_url, settings.exchange_api_token)
    return DemoExchange(sessionmaker)
