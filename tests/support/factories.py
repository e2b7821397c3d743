"""Plain factory functions for tests."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Agent, Role
from lifeline.accounts.service import create_agent, ensure_default_teams
from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.config import Settings
from lifeline.db import utcnow

PASSWORD = "correct horse battery staple"


async def make_agent(
    sessionmaker: async_sessionmaker[AsyncSession],
    email: str = "agent@example.com",
    role: Role = Role.AGENT,
    password: str = PASSWORD,
    languages: tuple[str, ...] = ("en",),
    teams: tuple[str, ...] = (),
) -> Agent:
    async with sessionmaker() as session:
        await ensure_default_teams(session)
        agent = await create_agent(
            session,
            name=email.split("@")[0].title(),
            email=email,
            password=password,
            role=role,
            languages=languages,
            team_slugs=teams,
        )
        await session.commit()
        return agent


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in; the client keeps the cookies. Returns the CSRF token for writes."""
    response = await client.post(
        "/api/v1/auth/sign-in", json={"email": email, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def customer_token(
    settings: Settings,
    user_id: str = "U1001",
    *,
    email: str | None = "alice@example.com",
    lang: str | None = "en",
    secret: str | None = None,
    expires_in: timedelta = timedelta(hours=1),
) -> str:
    return encode_customer_token(
        CustomerClaims(sub=user_id, email=email, lang=lang),
        secret or settings.customer_token_secret,
        settings.customer_token_issuer,
        utcnow() + expires_in,
    )
