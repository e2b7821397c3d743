"""The customer's own pages: sign-in holder, tickets (list, new, thread) and the survey link.

The exchange hands the customer's token to ``/help/{lang}/account?token=``; the page keeps it
in sessionStorage (for API calls) and in a session cookie (SameSite=Lax), so these pages can be
rendered on the server, escaped by Jinja. Every change still goes through the JSON API with
the token as a Bearer header: the cookie only ever reads.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from lifeline.accounts.deps import CustomerIdentity, identify_customer
from lifeline.deps import Context, Session, client_ip
from lifeline.errors import LifelineError
from lifeline.security.audit import Actor
from lifeline.tickets import lifecycle, presenters, service
from lifeline.tickets.csat import SurveyLinkExpired, SurveyLinkInvalid, SurveyLinkUsed
from lifeline.tickets.models import TicketCategory
from lifeline.web.demo_routes import demo_customers
from lifeline.web.pages import not_found_page, page_language, render_page

router = APIRouter(include_in_schema=False)

CUSTOMER_COOKIE = "lifeline_customer"
TICKET_CATEGORIES = [category.value for category in TicketCategory]
MAX_TICKET_NUMBER = 2**31 - 1


async def _signed_in(
    request: Request, session: Session, context: Context
) -> CustomerIdentity | None:
    token = request.cookies.get(CUSTOMER_COOKIE, "")
    if not token:
        return None
    try:
        identity = await identify_customer(
            session, context.settings, bearer=token, visitor_token=None, ip=client_ip(request)
        )
    except LifelineError:
        return None
    return identity if identity.customer is not None else None


def _to_account(lang: str, request: Request) -> RedirectResponse:
    back = quote(request.url.path, safe="/")
    return RedirectResponse(f"/help/{lang}/account?next={back}", status_code=303)


@router.get("/help/{lang}/account")
async def account_page(lang: str, request: Request, context: Context) -> Response:
    lang = page_language(context, lang)
    customers = [
        {"user_id": c.user_id, "name": c.name, "email": c.email, "language": c.language}
        for c in demo_customers(context.settings)
    ]
    return render_page(
        request,
        context,
        lang,
        "customer_account.html",
        request.url.path,
        demo_customers=customers,
        demo=context.settings.demo_sign_in,
        telegram=bool(context.settings.telegram_bot_token),
    )


@router.get("/help/{lang}/tickets")
async def my_tickets(lang: str, request: Request, session: Session, context: Context) -> Response:
    lang = page_language(context, lang)
    identity = await _signed_in(request, session, context)
    if identity is None or identity.customer is None:
        return _to_account(lang, request)
    tickets = await service.customer_tickets(
        session, identity.customer, before_number=None, limit=100
    )
    return render_page(
        request,
        context,
        lang,
        "customer_tickets.html",
        request.url.path,
        tickets=[presenters.customer_ticket(ticket) for ticket in tickets],
        customer_name=identity.customer.name or identity.customer.external_id,
    )


@router.get("/help/{lang}/tickets/new")
async def new_ticket(lang: str, request: Request, session: Session, context: Context) -> Response:
    lang = page_language(context, lang)
    identity = await _signed_in(request, session, context)
    if identity is None:
        return _to_account(lang, request)
    return render_page(
        request,
        context,
        lang,
        "customer_ticket_new.html",
        request.url.path,
        categories=TICKET_CATEGORIES,
        contact_email=identity.customer.email if identity.customer else "",
    )


@router.get("/help/{lang}/tickets/{number}")
async def ticket_thread(
    lang: str,
    number: Annotated[int, Path(ge=1, le=MAX_TICKET_NUMBER)],
    request: Request,
    session: Session,
    context: Context,
) -> Response:
    lang = page_language(context, lang)
    identity = await _signed_in(request, session, context)
    if identity is None:
        return _to_account(lang, request)
    try:
        ticket = await service.access_ticket(session, identity, number)
    except LifelineError:
        return not_found_page(request, context, lang)
    detail = await service.ticket_detail(session, ticket, include_internal=False)
    shown = presenters.customer_detail(detail, await service.merged_into_number(session, ticket))
    files: dict[int, list[Any]] = {}
    for attachment in shown.attachments:
        files.setdefault(attachment.entry_id, []).append(attachment)
    return render_page(
        request,
        context,
        lang,
        "customer_ticket.html",
        request.url.path,
        ticket=shown,
        entries=[entry for entry in shown.entries if entry.body.strip()],
        files=files,
    )


@router.get("/help/{lang}/csat/{token}")
async def survey_page(
    lang: str,
    token: Annotated[str, Path(max_length=500)],
    request: Request,
    session: Session,
    context: Context,
) -> Response:
    lang = page_language(context, lang)
    try:
        survey, ticket = await lifecycle.survey_for_token(session, context.settings, token)
    except LifelineError:
        return _survey_response(request, context, lang, invalid=True)
    return _survey_response(
        request,
        context,
        lang,
        token=token,
        ticket_number=ticket.number,
        subject=ticket.subject,
        used=survey.used_at is not None,
    )


@router.post("/help/{lang}/csat/{token}")
async def survey_submit(
    lang: str,
    token: Annotated[str, Path(max_length=500)],
    request: Request,
    session: Session,
    context: Context,
    rating: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    lang = page_language(context, lang)
    try:
        ticket = await lifecycle.rate(
            session,
            context.settings,
            token,
            rating=rating,
            comment=comment.strip() or None,
            actor=Actor(type="survey_link", ip=client_ip(request)),
        )
    except LifelineError as error:
        outcome: dict[str, Any]
        if isinstance(error, SurveyLinkUsed):
            outcome = {"used": True}
        elif isinstance(error, SurveyLinkInvalid | SurveyLinkExpired):
            outcome = {"invalid": True}
        else:
            outcome = {"failed": True, "token": token}
        response = _survey_response(request, context, lang, **outcome)
        response.status_code = error.status_code
        return response
    return _survey_response(request, context, lang, thanked=True, ticket_number=ticket.number)


def _survey_response(request: Request, context: Context, lang: str, **values: Any) -> Response:
    return render_page(request, context, lang, "customer_csat.html", request.url.path, **values)
