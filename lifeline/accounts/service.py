"""Accounts: agents and their sign-in, API tokens, customers and visitors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts import repository
from lifeline.accounts.models import Agent, AgentSession, ApiToken, Customer, Role, Team, Visitor
from lifeline.accounts.passwords import hash_password, needs_rehash, verify_password
from lifeline.accounts.tokens import (
    API_TOKEN_PREFIX,
    CustomerClaims,
    encode_visitor_token,
    new_secret_token,
    token_hash,
)
from lifeline.config import Settings
from lifeline.db import transaction, utcnow
from lifeline.errors import Conflict, InvalidRequest, NotFound, TooManyRequests, Unauthorized
from lifeline.security.audit import Actor, record_audit


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "The email or password is wrong."


class SignInLocked(TooManyRequests):
    code = "sign_in_locked"
    message = "Too many failed sign-ins; this account is locked for a while."


DEFAULT_TEAMS: list[tuple[str, str, bool]] = [
    ("funds", "Deposits & withdrawals", False),
    ("trading", "Spot trading", False),
    ("futures", "Futures & margin", False),
    ("account-security", "Account security", True),
    ("identity-verification", "Identity verification", False),
    ("compliance", "Compliance & large transactions", False),
    ("p2p", "P2P", False),
    ("vip", "VIP & institutional", False),
    ("general", "General support", False),
]


async def ensure_default_teams(session: AsyncSession) -> list[Team]:
    existing = {team.slug: team for team in await repository.list_teams(session)}
    for slug, name, always_open in DEFAULT_TEAMS:
        if slug not in existing:
            team = Team(slug=slug, name=name, always_open=always_open)
            session.add(team)
            existing[slug] = team
    await session.flush()
    return list(existing.values())


async def create_agent(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    role: Role = Role.AGENT,
    languages: Sequence[str] = ("en",),
    team_slugs: Sequence[str] = (),
    capacity: int = 3,
    actor: Actor | None = None,
) -> Agent:
    email = email.strip().lower()
    if await repository.agent_by_email(session, email) is not None:
        raise Conflict("An agent with this email already exists.", email=email)
    teams = list(await repository.teams_by_slugs(session, list(team_slugs)))
    unknown = set(team_slugs) - {team.slug for team in teams}
    if unknown:
        raise InvalidRequest("Unknown teams.", teams=sorted(unknown))
    agent = Agent(
        name=name,
        email=email,
        password_hash=hash_password(password),
        role=role,
        languages=list(languages),
        capacity=capacity,
        teams=teams,
    )
    session.add(agent)
    await session.flush()
    await record_audit(
        session,
        actor or Actor.system(),
        "agent.create",
        object_type="agent",
        object_id=agent.id,
        details={"email": email, "role": role.value, "teams": sorted(team_slugs)},
    )
    return agent


@dataclass(frozen=True)
class SignIn:
    agent: Agent
    token: str
    agent_session: AgentSession


async def sign_in(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
) -> SignIn:
    """Check the password; lock the account for a while after repeated failures.

    Sign-in owns its transactions: a failure must be counted durably although the request
    fails, and counted before the answer goes out, or a fast attacker outruns the lock.
    """
    try:
        async with transaction(sessionmaker) as session:
            return await _check_and_open_session(session, settings, email, password, ip, user_agent)
    except InvalidCredentials as failure:
        failed_agent_id = failure.details.pop("agent_id", None)
        if failed_agent_id is not None:
            async with transaction(sessionmaker) as session:
                await _record_failed_sign_in(session, settings, failed_agent_id, ip)
        raise


async def _check_and_open_session(
    session: AsyncSession,
    settings: Settings,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
) -> SignIn:
    now = utcnow()
    agent = await repository.agent_by_email(session, email)
    if agent is not None and agent.locked_until is not None and agent.locked_until > now:
        retry_after = math.ceil((agent.locked_until - now).total_seconds())
        raise SignInLocked(retry_after=retry_after)
    valid = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not agent.is_active or not valid:
        raise InvalidCredentials(agent_id=agent.id if agent else None)
    if needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    agent.failed_logins = 0
    agent.locked_until = None
    agent.last_login_at = now
    token = new_secret_token()
    agent_session = AgentSession(
        token_hash=token_hash(token),
        agent_id=agent.id,
        expires_at=now + timedelta(seconds=settings.session_max_age_seconds),
        ip=ip,
        user_agent=(user_agent or "")[:400] or None,
    )
    session.add(agent_session)
    await session.flush()
    await record_audit(
        session,
        Actor(type="agent", id=str(agent.id), ip=ip),
        "agent.sign_in",
        object_type="agent",
        object_id=agent.id,
    )
    return SignIn(agent=agent, token=token, agent_session=agent_session)


async def _record_failed_sign_in(
    session: AsyncSession, settings: Settings, agent_id: int, ip: str | None
) -> None:
    agent = await repository.agent_by_id(session, agent_id, for_update=True)
    if agent is None:
        return
    agent.failed_logins += 1
    actor = Actor(type="agent", id=str(agent.id), ip=ip)
    if agent.failed_logins >= settings.login_max_failures:
        agent.locked_until = utcnow() + timedelta(seconds=settings.login_lockout_seconds)
        agent.failed_logins = 0
        await record_audit(
            session, actor, "agent.sign_in_locked", object_type="agent", object_id=agent.id
        )
    else:
        await record_audit(
            session, actor, "agent.sign_in_failed", object_type="agent", object_id=agent.id
        )


async def resolve_session_token(session: AsyncSession, token: str) -> tuple[Agent, AgentSession]:
    agent_session = await repository.session_by_token_hash(session, token_hash(token))
    now = utcnow()
    if (
        agent_session is None
        or agent_session.revoked_at is not None
        or agent_session.expires_at <= now
    ):
        raise Unauthorized("Your session has ended; please sign in again.")
    agent = await repository.agent_by_id(session, agent_session.agent_id, with_teams=True)
    if agent is None or not agent.is_active:
        raise Unauthorized("Your session has ended; please sign in again.")
    if (now - agent_session.last_seen_at) > timedelta(minutes=1):
        agent_session.last_seen_at = now
    return agent, agent_session


async def sign_out(session: AsyncSession, agent_session: AgentSession, actor: Actor) -> None:
    agent_session.revoked_at = utcnow()
    await record_audit(
        session, actor, "agent.sign_out", object_type="agent", object_id=agent_session.agent_id
    )


async def create_api_token(
    session: AsyncSession,
    *,
    name: str,
    scopes: Sequence[str],
    actor: Actor,
    created_by_agent_id: int | None,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    raw = new_secret_token(API_TOKEN_PREFIX)
    api_token = ApiToken(
        name=name,
        prefix=raw[:8],
        token_hash=token_hash(raw),
        scopes=sorted(set(scopes)),
        created_by_agent_id=created_by_agent_id,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(api_token)
    await session.flush()
    await record_audit(
        session,
        actor,
        "api_token.create",
        object_type="api_token",
        object_id=api_token.id,
        details={"name": name, "scopes": api_token.scopes},
    )
    return api_token, raw


async def resolve_api_token(session: AsyncSession, raw: str) -> ApiToken:
    api_token = await repository.api_token_by_hash(session, token_hash(raw))
    now = utcnow()
    if (
        api_token is None
        or api_token.revoked_at is not None
        or (api_token.expires_at is not None and api_token.expires_at <= now)
    ):
        raise Unauthorized("The API token is invalid, expired or revoked.")
    api_token.last_used_at = now
    return api_token


async def revoke_api_token(session: AsyncSession, token_id: int, actor: Actor) -> ApiToken:
    api_token = await session.get(ApiToken, token_id)
    if api_token is None:
        raise NotFound("No such API token.")
    api_token.revoked_at = utcnow()
    await record_audit(
        session, actor, "api_token.revoke", object_type="api_token", object_id=token_id
    )
    return api_token


def _claimed(claims: CustomerClaims) -> dict[str, Any]:
    """The customer columns the exchange's token asserts (those it leaves out stay as they are)."""
    values = {
        "email": claims.email.lower() if claims.email is not None else None,
        "name": claims.name,
        "preferred_language": claims.lang,
        "vip_tier": claims.vip_tier,
    }
    return {column: value for column, value in values.items() if value is not None}


def customer_is_current(customer: Customer, claims: CustomerClaims) -> bool:
    """Whether the stored customer already says everything ``claims`` asserts."""
    return all(getattr(customer, column) == value for column, value in _claimed(claims).items())


async def upsert_customer(session: AsyncSession, claims: CustomerClaims) -> Customer:
    """The exchange is the source of truth for who a customer is; refresh what it asserts."""
    customer = await repository.customer_by_external_id(session, claims.sub)
    if customer is None:
        customer = Customer(external_id=claims.sub)
        session.add(customer)
    for column, value in _claimed(claims).items():
        setattr(customer, column, value)
    await session.flush()
    return customer


async def create_visitor(
    session: AsyncSession, settings: Settings, language: str
) -> tuple[Visitor, str]:
    visitor = Visitor(language=language)
    session.add(visitor)
    await session.flush()
    return visitor, encode_visitor_token(visitor.public_id, settings.secret_key)


async def link_visitor(session: AsyncSession, visitor: Visitor, customer: Customer) -> Visitor:
    if visitor.customer_id is not None and visitor.customer_id != customer.id:
        raise Conflict("This visitor is already linked to another customer.")
    if visitor.customer_id is None:
        visitor.customer_id = customer.id
        visitor.linked_at = utcnow()
        await session.flush()
    return visitor


async def set_anti_phishing_code(
    session: AsyncSession, customer: Customer, code: str, actor: Actor
) -> None:
    customer.attributes = {**customer.attributes, "anti_phishing_code": code}
    await session.flush()
    await record_audit(
        session,
        actor,
        "customer.anti_phishing_code_set",
        object_type="customer",
        object_id=customer.public_id,
    )
