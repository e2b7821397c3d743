"""Who is calling: staff (agent session cookie or API token) or a customer/visitor."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository
from lifeline.accounts.models import Agent, AgentSession, ApiToken, Customer, Visitor
from lifeline.accounts.service import (
    customer_is_current,
    resolve_api_token,
    resolve_session_token,
    upsert_customer,
)
from lifeline.accounts.tokens import (
    API_TOKEN_PREFIX,
    decode_customer_token,
    decode_visitor_token,
)
from lifeline.config import Settings
from lifeline.deps import Context, Session, client_ip
from lifeline.errors import Forbidden, Unauthorized
from lifeline.security.audit import Actor
from lifeline.security.permissions import ROLE_PERMISSIONS, Permission, require

SESSION_COOKIE = "lifeline_session"
CSRF_COOKIE = "lifeline_csrf"
CSRF_HEADER = "X-CSRF-Token"
VISITOR_HEADER = "X-Visitor-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Staff:
    """An agent signed in through the browser, or an integration using an API token."""

    actor: Actor
    permissions: frozenset[Permission]
    agent: Agent | None = None
    agent_session: AgentSession | None = None
    api_token: ApiToken | None = None

    def require(self, permission: Permission) -> None:
        require(self.permissions, permission)

    def language(self, fallback: str) -> str:
        """The agent's first language (for messages to them), else ``fallback``."""
        languages = self.agent.languages if self.agent else []
        return languages[0] if languages else fallback


@dataclass(frozen=True)
class CustomerIdentity:
    """A customer the exchange vouched for, or an anonymous visitor (maybe linked to one)."""

    actor: Actor
    customer: Customer | None
    visitor: Visitor | None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _check_csrf(request: Request) -> None:
    """Cookie-authenticated writes must echo the CSRF cookie in a header (double submit)."""
    if request.method in _SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie, header):
        raise Forbidden("Missing or wrong CSRF token.", header=CSRF_HEADER)


async def current_staff(request: Request, session: Session) -> Staff:
    ip = client_ip(request)
    bearer = _bearer(request)
    if bearer and bearer.startswith(API_TOKEN_PREFIX):
        api_token = await resolve_api_token(session, bearer)
        permissions = frozenset(
            Permission(scope)
            for scope in api_token.scopes
            if scope in Permission._value2member_map_
        )
        return Staff(
            actor=Actor(type="api_token", id=str(api_token.id), ip=ip),
            permissions=permissions,
            api_token=api_token,
        )
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized()
    agent, agent_session = await resolve_session_token(session, cookie)
    _check_csrf(request)
    return Staff(
        actor=Actor(type="agent", id=str(agent.id), ip=ip),
        permissions=ROLE_PERMISSIONS[agent.role],
        agent=agent,
        agent_session=agent_session,
    )


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def require_permission(permission: Permission) -> Any:
    async def dependency(staff: CurrentStaff) -> Staff:
        staff.require(permission)
        return staff

    return Depends(dependency)


async def current_agent(staff: CurrentStaff) -> Staff:
    if staff.agent is None:
        raise Forbidden("This needs a signed-in agent.")
    return staff


CurrentAgent = Annotated[Staff, Depends(current_agent)]


class NeedsWrite(Exception):
    """Identifying this caller would write (a new or changed customer): retry in a write
    transaction."""


async def identify_customer(
    session: AsyncSession,
    settings: Settings,
    *,
    bearer: str | None,
    visitor_token: str | None,
    ip: str | None,
    read_only: bool = False,
) -> CustomerIdentity:
    """A customer token (the exchange's signed JWT) or a visitor token; at least one.

    With ``read_only`` nothing is written: a customer token that would create or refresh the
    customer record raises :class:`NeedsWrite` instead.
    """
    customer: Customer | None = None
    if bearer and not bearer.startswith(API_TOKEN_PREFIX):
        claims = decode_customer_token(
            bearer, settings.customer_token_secret, settings.customer_token_issuer
        )
        if read_only:
            customer = await repository.customer_by_external_id(session, claims.sub)
            if customer is None or not customer_is_current(customer, claims):
                raise NeedsWrite
        else:
            customer = await upsert_customer(session, claims)
    visitor: Visitor | None = None
    if visitor_token:
        visitor = await repository.visitor_by_public_id(
            session, decode_visitor_token(visitor_token, settings.secret_key)
        )
        if visitor is None:
            raise Unauthorized("The visitor token is invalid.")
        if customer is None and visitor.customer_id is not None:
            customer = await repository.customer_by_id(session, visitor.customer_id)
    if customer is None and visitor is None:
        raise Unauthorized("A customer or visitor token is required.")
    actor = (
        Actor(type="customer", id=str(customer.id), ip=ip)
        if customer is not None
        else Actor(type="visitor", id=str(visitor.id if visitor else ""), ip=ip)
    )
    return CustomerIdentity(actor=actor, customer=customer, visitor=visitor)


async def current_customer(
    request: Request, session: Session, context: Context
) -> CustomerIdentity:
    return await identify_customer(
        session,
        context.settings,
        bearer=_bearer(request),
        visitor_token=request.headers.get(VISITOR_HEADER),
        ip=client_ip(request),
    )


CurrentCustomer = Annotated[CustomerIdentity, Depends(current_customer)]
