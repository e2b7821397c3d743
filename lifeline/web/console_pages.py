"""The agent console: server-rendered page shells that the scripts in ``static/console/`` (one
module per page) fill from the staff API. Every page but sign-in needs a live agent session;
without one it redirects."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.deps import SESSION_COOKIE, Staff
from lifeline.accounts.models import Agent
from lifeline.accounts.service import resolve_session_token
from lifeline.deps import Context, Session, client_ip
from lifeline.errors import LifelineError, Unauthorized
from lifeline.security.audit import Actor
from lifeline.security.permissions import ROLE_PERMISSIONS, Permission
from lifeline.tickets.service import access_ticket
from lifeline.web.i18n import FALLBACK, messages, negotiate
from lifeline.web.templating import templates

router = APIRouter(prefix="/console", include_in_schema=False)

LANG_COOKIE = "lifeline_console_lang"
SIGN_IN_PATH = "/console/sign-in"
_STRING_PREFIX = "console_"
_CONSOLE_PATH = re.compile(r"/console(/[A-Za-z0-9_\-]+)*/?")


def console_language(request: Request, context: Context) -> str:
    """``?lang=`` (remembered in a cookie), else the remembered choice, else Accept-Language."""
    supported = context.settings.languages
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in supported:
            return candidate
    return negotiate(
        request.headers.get("accept-language"), supported, context.settings.default_language
    )


def console_strings(lang: str) -> dict[str, str]:
    """The interface strings the console scripts need, English where a translation is missing."""
    merged = {k: v for k, v in messages(FALLBACK).items() if k.startswith(_STRING_PREFIX)}
    merged.update({k: v for k, v in messages(lang).items() if k.startswith(_STRING_PREFIX)})
    return merged


async def signed_in_agent(request: Request, session: Session) -> Agent | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        agent, _agent_session = await resolve_session_token(session, token)
    except Unauthorized:
        return None
    return agent


def _sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    return RedirectResponse(f"{SIGN_IN_PATH}?next={target}", status_code=303)


def render_console(
    request: Request,
    context: Context,
    lang: str,
    template: str,
    page: str,
    agent: Agent | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    permissions = ROLE_PERMISSIONS[agent.role] if agent is not None else frozenset()
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "page": page,
            "agent": agent,
            "can": {permission.value: True for permission in permissions},
            "languages": context.settings.languages,
            "lang_names": {
                code: messages(code).get("lang_name", code) for code in context.settings.languages
            },
            "exchange_name": context.settings.exchange_name,
            "strings": console_strings(lang),
            "path": request.url.path,
            **values,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe_next(target: str | None) -> str:
    """Only paths inside the console: never an open redirect."""
    if target and _CONSOLE_PATH.fullmatch(target):
        return target
    return "/console"


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request,
    context: Context,
    session: Session,
    next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None,
) -> Response:
    lang = console_language(request, context)
    agent = await signed_in_agent(request, session)
    if agent is not None:
        return RedirectResponse(_safe_next(next_path), status_code=303)
    return render_console(
        request,
        context,
        lang,
        "console_sign_in.html",
        "sign-in",
        None,
        next_path=_safe_next(next_path),
    )


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
async def inbox_page(request: Request, context: Context, session: Session) -> Response:
    agent = await signed_in_agent(request, session)
    if agent is None:
        return _sign_in_redirect(request)
    lang = console_language(request, context)
    refused = _desk_forbidden(request, context, lang, agent, Permission.CONVERSATIONS_HANDLE)
    if refused is not None:
        return refused
    return render_console(request, context, lang, "console_inbox.html", "inbox", agent)


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    request: Request,
    context: Context,
    session: Session,
    conversation_id: Annotated[str, Path(max_length=64)],
) -> Response:
    agent = await signed_in_agent(request, session)
    if agent is None:
        return _sign_in_redirect(request)
    lang = console_language(request, context)
    refused = _desk_forbidden(request, context, lang, agent, Permission.CONVERSATIONS_HANDLE)
    if refused is not None:
        return refused
    return render_console(
        request,
        context,
        lang,
        "console_conversation.html",
        "conversation",
        agent,
        conversation_id=conversation_id,
    )


@router.get("/tickets/{number}", response_class=HTMLResponse)
async def ticket_page(
    request: Request,
    context: Context,
    session: Session,
    number: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    agent = await signed_in_agent(request, session)
    if agent is None:
        return _sign_in_redirect(request)
    lang = console_language(request, context)
    refused = _desk_forbidden(request, context, lang, agent, Permission.TICKETS_HANDLE)
    if refused is not None:
        return refused
    return render_console(
        request,
        context,
        lang,
        "console_ticket.html",
        "ticket",
        agent,
        ticket_number=number,
        customer_public_id=await _ticket_customer(session, request, agent, number),
    )


async def _ticket_customer(
    session: Session, request: Request, agent: Agent, number: int
) -> str | None:
    """The requester's public id for the context panel (the ticket API shows only the row id).
    Loaded through the ticket access check, so a page never learns more than the API would."""
    staff = Staff(
        actor=Actor(type="agent", id=str(agent.id), ip=client_ip(request)),
        permissions=ROLE_PERMISSIONS[agent.role],
        agent=agent,
    )
    try:
        ticket = await access_ticket(session, staff, number)
    except LifelineError:
        return None
    customer = await accounts_repository.customer_by_id(session, ticket.customer_id)
    return customer.public_id if customer else None


@router.get("/supervisor", response_class=HTMLResponse)
async def supervisor_page(request: Request, context: Context, session: Session) -> Response:
    agent = await signed_in_agent(request, session)
    if agent is None:
        return _sign_in_redirect(request)
    lang = console_language(request, context)
    if Permission.TICKETS_SUPERVISE not in ROLE_PERMISSIONS[agent.role]:
        return _forbidden(request, context, lang, agent, Permission.TICKETS_SUPERVISE)
    return render_console(request, context, lang, "console_supervisor.html", "supervisor", agent)


def _forbidden(
    request: Request, context: Context, lang: str, agent: Agent, permission: Permission
) -> HTMLResponse:
    return render_console(
        request,
        context,
        lang,
        "console_forbidden.html",
        "forbidden",
        agent,
        status_code=403,
        permission=permission.value,
    )


def _desk_forbidden(
    request: Request, context: Context, lang: str, agent: Agent, permission: Permission
) -> HTMLResponse | None:
    """Roles without desk work (e.g. help-center editors) get a clear 403, not a page whose
    every API call fails."""
    if permission in ROLE_PERMISSIONS[agent.role]:
        return None
    return _forbidden(request, context, lang, agent, permission)
