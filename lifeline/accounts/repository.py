"""SQL of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from lifeline.accounts.models import Agent, AgentSession, ApiToken, Customer, Team, Visitor


async def agent_by_email(session: AsyncSession, email: str) -> Agent | None:
    return await session.scalar(
        select(Agent).where(Agent.email == email.strip().lower()).options(selectinload(Agent.teams))
    )


async def agent_by_id(
    session: AsyncSession, agent_id: int, *, with_teams: bool = False, for_update: bool = False
) -> Agent | None:
    query = select(Agent).where(Agent.id == agent_id)
    if for_update:
        query = query.with_for_update()
    if with_teams:
        query = query.options(selectinload(Agent.teams))
    return await session.scalar(query)


async def list_agents(session: AsyncSession) -> Sequence[Agent]:
    return (
        await session.scalars(select(Agent).options(selectinload(Agent.teams)).order_by(Agent.id))
    ).all()


async def session_by_token_hash(session: AsyncSession, token_hash: str) -> AgentSession | None:
    return await session.scalar(select(AgentSession).where(AgentSession.token_hash == token_hash))


async def api_token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    return await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


async def teams_by_slugs(session: AsyncSession, slugs: Sequence[str]) -> Sequence[Team]:
    if not slugs:
        return []
    return (await session.scalars(select(Team).where(Team.slug.in_(slugs)))).all()


async def list_teams(session: AsyncSession) -> Sequence[Team]:
    return (await session.scalars(select(Team).order_by(Team.slug))).all()


async def team_by_slug(session: AsyncSession, slug: str) -> Team | None:
    return await session.scalar(select(Team).where(Team.slug == slug))


async def customer_by_external_id(session: AsyncSession, external_id: str) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.external_id == external_id))


async def customer_by_id(session: AsyncSession, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)


async def visitor_by_public_id(session: AsyncSession, public_id: str) -> Visitor | None:
    return await session.scalar(select(Visitor).where(Visitor.public_id == public_id))
