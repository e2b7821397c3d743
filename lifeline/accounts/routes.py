"""HTTP API of accounts: agent sign-in, agents, teams, API tokens, customers and visitors."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from lifeline.accounts import repository, service
from lifeline.accounts.customer_context import CustomerContext
from lifeline.accounts.customer_context import customer_context as load_customer_context
from lifeline.accounts.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentAgent,
    CurrentCustomer,
    CurrentStaff,
    Staff,
    require_permission,
)
from lifeline.accounts.schemas import (
    AgentCreate,
    AgentRead,
    AntiPhishingCode,
    ApiTokenCreate,
    ApiTokenCreated,
    CustomerRead,
    MeResponse,
    SignInRequest,
    SignInResponse,
    TeamRead,
    TelegramLinkRead,
    VisitorCreate,
    VisitorCreated,
)
from lifeline.channels.telegram_link import start_link
from lifeline.db import MAX_ID
from lifeline.deps import Context, Session, client_ip
from lifeline.errors import InvalidRequest
from lifeline.security.audit import record_audit
from lifeline.security.permissions import Permission
from lifeline.security.ratelimit import rate_limit

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post(
    "/auth/sign-in",
    response_model=SignInResponse,
    dependencies=[rate_limit("sign_in", 30, 60, per="ip")],
)
async def sign_in(
    body: SignInRequest, request: Request, response: Response, context: Context
) -> SignInResponse:
    result = await service.sign_in(
        context.sessionmaker,
        context.settings,
        email=body.email,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    secure = context.settings.public_base_url.startswith("https://")
    max_age = context.settings.session_max_age_seconds
    csrf_token = secrets.token_urlsafe(24)
    response.set_cookie(
        SESSION_COOKIE, result.token, max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf_token, max_age=max_age, httponly=False, secure=secure, samesite="lax"
    )
    return SignInResponse(
        agent=AgentRead.model_validate(result.agent),
        csrf_token=csrf_token,
        expires_at=result.agent_session.expires_at,
    )


@router.post("/auth/sign-out", status_code=204)
async def sign_out(staff: CurrentAgent, response: Response, session: Session) -> None:
    assert staff.agent_session is not None
    await service.sign_out(session, staff.agent_session, staff.actor)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/auth/me", response_model=AgentRead)
async def me(staff: CurrentAgent) -> AgentRead:
    return AgentRead.model_validate(staff.agent)


@router.get("/agents", response_model=list[AgentRead])
async def list_agents(
    session: Session, _staff: Staff = require_permission(Permission.AGENTS_MANAGE)
) -> list[AgentRead]:
    return [AgentRead.model_validate(agent) for agent in await repository.list_agents(session)]


@router.post("/agents", response_model=AgentRead, status_code=201)
async def create_agent(
    body: AgentCreate,
    session: Session,
    staff: Staff = require_permission(Permission.AGENTS_MANAGE),
) -> AgentRead:
    agent = await service.create_agent(
        session,
        name=body.name,
        email=body.email,
        password=body.password,
        role=body.role,
        languages=body.languages,
        team_slugs=body.teams,
        capacity=body.capacity,
        actor=staff.actor,
    )
    return AgentRead.model_validate(
        await repository.agent_by_id(session, agent.id, with_teams=True)
    )


@router.get("/teams", response_model=list[TeamRead])
async def list_teams(session: Session, _staff: CurrentAgent) -> list[TeamRead]:
    return [TeamRead.model_validate(team) for team in await repository.list_teams(session)]


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=201)
async def create_api_token(
    body: ApiTokenCreate,
    session: Session,
    staff: Staff = require_permission(Permission.TOKENS_MANAGE),
) -> ApiTokenCreated:
    unknown = set(body.scopes) - set(Permission._value2member_map_)
    if unknown:
        raise InvalidRequest("Unknown scopes.", scopes=sorted(unknown))
    api_token, raw = await service.create_api_token(
        session,
        name=body.name,
        scopes=body.scopes,
        actor=staff.actor,
        created_by_agent_id=staff.agent.id if staff.agent else None,
        expires_in_days=body.expires_in_days,
    )
    return ApiTokenCreated(id=api_token.id, name=api_token.name, scopes=api_token.scopes, token=raw)


@router.delete("/api-tokens/{token_id}", status_code=204)
async def revoke_api_token(
    token_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: Session,
    staff: Staff = require_permission(Permission.TOKENS_MANAGE),
) -> None:
    await service.revoke_api_token(session, token_id, staff.actor)


@router.post(
    "/visitors",
    response_model=VisitorCreated,
    status_code=201,
    dependencies=[rate_limit("visitors", 20, 60, per="ip")],
)
async def create_visitor(body: VisitorCreate, session: Session, context: Context) -> VisitorCreated:
    visitor, token = await service.create_visitor(session, context.settings, body.language)
    return VisitorCreated(visitor_id=visitor.public_id, token=token)


@router.get("/customers/me", response_model=MeResponse)
async def customer_me(identity: CurrentCustomer) -> MeResponse:
    return MeResponse(
        customer=CustomerRead.model_validate(identity.customer) if identity.customer else None,
        visitor_id=identity.visitor.public_id if identity.visitor else None,
    )


@router.post("/visitors/link", response_model=MeResponse)
async def link_visitor(identity: CurrentCustomer, session: Session) -> MeResponse:
    """Called with both a customer token and the visitor token once the visitor signs in."""
    if identity.customer is None or identity.visitor is None:
        raise InvalidRequest("Send both the customer token and the visitor token.")
    await service.link_visitor(session, identity.visitor, identity.customer)
    return MeResponse(
        customer=CustomerRead.model_validate(identity.customer),
        visitor_id=identity.visitor.public_id,
    )


@router.get("/customers/{public_id}/context", response_model=CustomerContext)
async def customer_context(
    public_id: Annotated[str, Path(max_length=32)],
    staff: CurrentStaff,
    session: Session,
    context: Context,
    reveal: bool = False,
) -> CustomerContext:
    """The customer as the exchange knows them; personal data masked unless revealed."""
    return await load_customer_context(session, context, staff, public_id, reveal)


@router.put("/customers/me/anti-phishing-code", status_code=204)
async def set_anti_phishing_code(
    body: AntiPhishingCode, identity: CurrentCustomer, session: Session
) -> None:
    if identity.customer is None:
        raise InvalidRequest("Sign in to set an anti-phishing code.")
    await service.set_anti_phishing_code(session, identity.customer, body.code, identity.actor)


@router.post(
    "/customers/me/telegram-link",
    response_model=TelegramLinkRead,
    dependencies=[rate_limit("telegram_link", 10, 3600, per="ip")],
)
async def telegram_link(
    identity: CurrentCustomer, session: Session, context: Context
) -> TelegramLinkRead:
    """A one-time link that connects the customer's Telegram chat with the bot to this account."""
    if identity.customer is None:
        raise InvalidRequest("Sign in to link Telegram to your account.")
    link = await start_link(session, context.settings, identity.customer)
    await record_audit(
        session,
        identity.actor,
        "customer.telegram_link_requested",
        object_type="customer",
        object_id=identity.customer.id,
    )
    return TelegramLinkRead(code=link.code, url=link.url, expires_at=link.expires_at)
