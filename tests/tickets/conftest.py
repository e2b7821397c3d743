"""Fixtures for the tickets tests: a staffed desk, customers, and their own HTTP clients."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts import service as accounts_service
from lifeline.accounts.models import Agent, Role
from lifeline.accounts.passwords import hash_password
from lifeline.accounts.service import ensure_default_teams
from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.db import utcnow
from lifeline.outbox.models import OutboxItem
from lifeline.tickets.policies import ensure_default_policies
from tests.support.factories import make_agent, sign_in


@dataclass
class Desk:
    emma: Agent  # en; funds, trading, futures, general
    lina: Agent  # zh, en; funds, identity-verification
    sam: Agent  # supervisor; en, zh; general, funds
    omar: Agent  # security; en; account-security
    sophie: Agent  # en, zh; vip


async def build_desk(sessionmaker: async_sessionmaker[AsyncSession]) -> Desk:
    desk = Desk(
        emma=await make_agent(
            sessionmaker,
            "emma@example.com",
            languages=("en",),
            teams=("funds", "trading", "futures", "general"),
        ),
        lina=await make_agent(
            sessionmaker,
            "lina@example.com",
            languages=("zh", "en"),
            teams=("funds", "identity-verification"),
        ),
        sam=await make_agent(
            sessionmaker,
            "sam@example.com",
            role=Role.SUPERVISOR,
            languages=("en", "zh"),
            teams=("general", "funds"),
        ),
        omar=await make_agent(
            sessionmaker,
            "omar@example.com",
            role=Role.SECURITY,
            languages=("en",),
            teams=("account-security",),
        ),
        sophie=await make_agent(
            sessionmaker, "sophie@example.com", languages=("en", "zh"), teams=("vip",)
        ),
    )
    async with sessionmaker() as session:
        await ensure_default_policies(session, await ensure_default_teams(session))
        await session.commit()
    return desk


@functools.cache
def _cached_hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture
async def desk(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> Desk:
    # Five agents per test: hash the shared test password once per run, not five times.
    monkeypatch.setattr(accounts_service, "hash_password", _cached_hash)
    return await build_desk(sessionmaker)


def token_for(
    settings: Settings,
    user_id: str,
    *,
    lang: str = "en",
    vip_tier: int | None = None,
    name: str | None = None,
) -> str:
    return encode_customer_token(
        CustomerClaims(
            sub=user_id,
            email=f"{user_id.lower()}@example.com",
            lang=lang,
            vip_tier=vip_tier,
            name=name,
        ),
        settings.customer_token_secret,
        settings.customer_token_issuer,
        utcnow() + timedelta(hours=1),
    )


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(
    client: httpx.AsyncClient, settings: Settings
) -> AsyncIterator[Callable[..., Any]]:
    """New clients on the same app: ``await make_client(customer="U1")`` or ``agent=email``."""
    opened: list[httpx.AsyncClient] = []

    async def factory(
        *, customer: str | None = None, agent: str | None = None, **claims: Any
    ) -> httpx.AsyncClient:
        other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
        opened.append(other)
        if customer is not None:
            other.headers["Authorization"] = f"Bearer {token_for(settings, customer, **claims)}"
        if agent is not None:
            await sign_in(other, agent)
        return other

    yield factory
    for other in opened:
        await other.aclose()


async def outbox_payloads(
    sessionmaker: async_sessionmaker[AsyncSession], template: str | None = None
) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        items = (
            await session.scalars(
                select(OutboxItem)
                .where(OutboxItem.topic == "notification.send")
                .order_by(OutboxItem.id)
            )
        ).all()
    payloads = [item.payload for item in items]
    return [p for p in payloads if template is None or p["template"] == template]


async def drain(context: AppContext) -> None:
    await context.outbox.drain()


def new_ticket(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Deposit not credited",
        "description": "I sent 0.5 BTC two hours ago and it still is not in my account.",
        "category": "deposits_withdrawals",
        "fields": {"txid": "a" * 64, "asset": "BTC", "network": "BTC", "amount": "0.5"},
    }
    body.update(overrides)
    return body
