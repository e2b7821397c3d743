"""Fixtures for the agent console pages: agents of each role and signed-in clients."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts import service as accounts_service
from lifeline.accounts.models import Agent, Role
from lifeline.accounts.passwords import hash_password
from tests.support.factories import make_agent, sign_in

HOSTILE_NAME = '<script>alert("name")</script><img src=x onerror=alert(1)>'


@functools.cache
def _cached_hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts_service, "hash_password", _cached_hash)


@pytest.fixture
async def agent(sessionmaker: async_sessionmaker[AsyncSession], fast_hashing: None) -> Agent:
    return await make_agent(sessionmaker, "emma@example.com", teams=("funds",))


@pytest.fixture
async def supervisor(sessionmaker: async_sessionmaker[AsyncSession], fast_hashing: None) -> Agent:
    return await make_agent(
        sessionmaker, "sam@example.com", role=Role.SUPERVISOR, languages=("en", "zh")
    )


SignedIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def signed_in(client: httpx.AsyncClient) -> AsyncIterator[SignedIn]:
    """``await signed_in("emma@example.com")``: a new client on the same app, signed in."""
    opened: list[httpx.AsyncClient] = []

    async def factory(email: str, **headers: str) -> httpx.AsyncClient:
        other = httpx.AsyncClient(
            transport=client._transport, base_url="http://testserver", headers=headers
        )
        opened.append(other)
        await sign_in(other, email)
        return other

    yield factory
    for other in opened:
        await other.aclose()
