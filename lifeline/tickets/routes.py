"""HTTP API of tickets: the customers' side, the agents' desk, and the survey link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, JSONResponse

from lifeline.accounts.deps import CurrentCustomer, CustomerIdentity, Staff, require_permission
from lifeline.attachments import service as attachments
from lifeline.attachments.routes import download_response
from lifeline.db import utcnow
from lifeline.deps import Context, Session
from lifeline.errors import InvalidRequest
from lifeline.security.audit import Actor
from lifeline.security.outbound import blocked_outbound
from lifeline.security.permissions import Permission
from lifeline.tickets import actions, assignment, desk, lifecycle, presenters, service
from lifeline.tickets.models import (
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
)
from lifeline.tickets.repository import QueueFilter
from lifeline.tickets.schemas import (
    AgentReplyCreate,
    AssignRequest,
    BulkAction,
    BulkResult,
    CustomerTicketDetail,
    CustomerTicketRead,
    EscalateRequest,
    MacroCreate,
    MacroRead,
    MergeRequest,
    NotificationRead,
    RatingCreate,
    ReplyCreate,
    ResolveRequest,
    SatisfactionRead,
    SlaPolicyRead,
    StaffTicketDetail,
    StatusChange,
    SupervisorRequest,
    SurveyRead,
    TicketCreate,
    TicketCreated,
    TicketPage,
    TicketUpdate,
    TransferRequest,
)
from lifeline.tickets.texts import render

router = APIRouter(prefix="/api/v1", tags=["tickets"])
Handler = Annotated[Staff, require_permission(Permission.TICKETS_HANDLE)]


def _customer(identity: CustomerIdentity) -> CustomerIdentity:
    if identity.customer is None:
        raise InvalidRequest("Sign in to your exchange account to open or follow tickets.")
    return identity


# --- customers -------------------------------------------------------------------------


@router.post("/customer/tickets", response_model=TicketCreated, status_code=201)
async def create_ticket(
    body: TicketCreate,
    identity: CurrentCustomer,
    session: Session,
    context: Context,
    response: Response,
) -> TicketCreated:
    customer = _customer(identity).customer
    assert customer is not None
    files = await attachments.owned_attachments(session, body.attachment_ids, identity.actor)
    created = await service.create_ticket(
        session,
        context.settings,
        customer,
        service.NewTicket(
            subject=body.subject,
            description=body.description,
            category=body.category,
            requested_priority=body.priority,
            ticket_type=body.type,
            channel=TicketChannel(body.channel),
            language=body.language,
            fields=body.fields.stored(),
            funds_at_risk=body.funds_at_risk,
            related_ticket=await service.related_ticket_for(
                session, identity, body.related_ticket_number
            ),
            attachments=files,
        ),
        identity.actor,
    )
    if created.duplicate:
        response.status_code = 200
    return TicketCreated(
        ticket=presenters.customer_ticket(created.ticket),
        duplicate=created.duplicate,
        notice=created.notice,
    )


@router.get("/customer/tickets", response_model=list[CustomerTicketRead])
async def list_my_tickets(
    identity: CurrentCustomer,
    session: Session,
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CustomerTicketRead]:
    customer = _customer(identity).customer
    assert customer is not None
    tickets = await service.customer_tickets(session, customer, before_number=before, limit=limit)
    return [presenters.customer_ticket(ticket) for ticket in tickets]


@router.get("/customer/tickets/{number}", response_model=CustomerTicketDetail)
async def read_my_ticket(
    number: int, identity: CurrentCustomer, session: Session
) -> CustomerTicketDetail:
    ticket = await service.access_ticket(session, identity, number)
    detail = await service.ticket_detail(session, ticket, include_internal=False)
    return presenters.customer_detail(detail, await service.merged_into_number(session, ticket))


@router.post("/customer/tickets/{number}/replies", response_model=CustomerTicketRead)
async def customer_reply(
    number: int, body: ReplyCreate, identity: CurrentCustomer, session: Session
) -> CustomerTicketRead:
    ticket = await service.access_ticket(session, identity, number, for_update=True)
    files = await attachments.owned_attachments(session, body.attachment_ids, identity.actor)
    await actions.reply(session, ticket, identity.actor, body.body, attachments=files)
    return presenters.customer_ticket(ticket)


@router.post("/customer/tickets/{number}/supervisor", response_model=CustomerTicketRead)
async def ask_for_supervisor(
    number: int, body: SupervisorRequest, identity: CurrentCustomer, session: Session
) -> CustomerTicketRead:
    ticket = await service.access_ticket(session, identity, number, for_update=True)
    await lifecycle.request_supervisor(
        session, ticket, identity.actor, reason=body.reason, now=utcnow()
    )
    return presenters.customer_ticket(ticket)


@router.get("/customer/tickets/{number}/attachments/{public_id}")
async def customer_download(
    number: int, public_id: str, identity: CurrentCustomer, session: Session, context: Context
) -> FileResponse:
    ticket = await service.access_ticket(session, identity, number)
    found = await service.visible_attachment(session, ticket, public_id, include_internal=False)
    return download_response(attachments.file_path(context.settings, found), found)


# --- satisfaction link (the signed token is the credential) --------------------------------


@router.get("/csat/{token}", response_model=SurveyRead)
async def read_survey(token: str, session: Session, context: Context) -> SurveyRead:
    survey, ticket = await lifecycle.survey_for_token(session, context.settings, token)
    return SurveyRead(
        ticket_number=ticket.number,
        subject=ticket.subject,
        used=survey.used_at is not None,
        prompt=render("csat_prompt", ticket.language, number=ticket.number, link="").rstrip(": ："),
    )


@router.post("/csat/{token}", response_model=CustomerTicketRead)
async def rate(
    token: str, body: RatingCreate, session: Session, context: Context
) -> CustomerTicketRead:
    ticket = await lifecycle.rate(
        session,
        context.settings,
        token,
        rating=body.rating,
        comment=body.comment,
        actor=Actor(type="survey_link"),
    )
    return presenters.customer_ticket(ticket)


# --- the agents' desk ---------------------------------------------------------------------


@router.get("/tickets", response_model=TicketPage)
async def queue(
    staff: Handler,
    session: Session,
    view: Literal["mine", "team", "unassigned", "breaching", "all"] = "mine",
    team: str | None = None,
    status: Annotated[list[TicketStatus] | None, Query()] = None,
    category: TicketCategory | None = None,
    priority: TicketPriority | None = None,
    tag: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    within_minutes: Annotated[int, Query(ge=0, le=7 * 24 * 60)] = 60,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TicketPage:
    from datetime import timedelta

    now = utcnow()
    team_ids = (
        [(await desk.team_by_slug(session, team)).id]
        if team
        else await desk.team_ids_of(session, staff)
    )
    where = QueueFilter(
        view=view,
        agent_id=staff.agent.id if staff.agent else None,
        team_ids=team_ids if view in {"team", "unassigned"} else (),
        statuses=status or (),
        category=category,
        priority=priority,
        tag=tag,
        query=q,
        breaching_before=now + timedelta(minutes=within_minutes),
    )
    tickets = await service.queue_view(
        session, staff, where, after=presenters.decode_cursor(cursor), limit=limit
    )
    items = [presenters.list_item(ticket, now) for ticket in tickets]
    next_cursor = presenters.encode_cursor(tickets[-1], view) if len(tickets) == limit else None
    return TicketPage(items=items, next_cursor=next_cursor)


@router.get("/tickets/{number}", response_model=StaffTicketDetail)
async def read_ticket(number: int, staff: Handler, session: Session) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number)
    detail = await service.ticket_detail(session, ticket, include_internal=True)
    return presenters.staff_detail(detail, utcnow())


@router.patch("/tickets/{number}", response_model=StaffTicketDetail)
async def update_ticket(
    number: int, body: TicketUpdate, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    changes = body.model_dump(exclude_unset=True)
    priority = changes.pop("priority", None)
    if "fields" in changes and body.fields is not None:
        changes["fields"] = body.fields.stored()
    if "tags" in changes and changes["tags"] is not None:
        changes["tags"] = sorted(set(changes["tags"]))
    await actions.update_fields(
        session, ticket, staff.actor, {k: v for k, v in changes.items() if v is not None}
    )
    if priority is not None:
        await actions.set_priority(session, ticket, staff.actor, TicketPriority(priority))
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/replies", response_model=StaffTicketDetail)
async def agent_reply(
    number: int, body: AgentReplyCreate, staff: Handler, session: Session
) -> StaffTicketDetail | JSONResponse:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    if (blocked := await _guard_reply(session, staff, ticket, body.body)) is not None:
        return blocked
    files = await attachments.owned_attachments(session, body.attachment_ids, staff.actor)
    await actions.reply(
        session, ticket, staff.actor, body.body, attachments=files, then_status=body.then_status
    )
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/notes", response_model=StaffTicketDetail)
async def add_note(
    number: int, body: ReplyCreate, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    files = await attachments.owned_attachments(session, body.attachment_ids, staff.actor)
    await actions.add_note(session, ticket, staff.actor, body.body, attachments=files)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/status", response_model=StaffTicketDetail)
async def change_status(
    number: int, body: StatusChange, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    await actions.set_status(session, ticket, staff.actor, body.status, reason=body.reason)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/assign", response_model=StaffTicketDetail)
async def assign(
    number: int, body: AssignRequest, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    agent = await desk.agent_by_id(session, body.agent_id) if body.agent_id else None
    await assignment.assign(session, ticket, staff.actor, agent)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/transfer", response_model=StaffTicketDetail)
async def transfer(
    number: int, body: TransferRequest, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    team = await desk.team_by_slug(session, body.team)
    agent = await desk.agent_by_id(session, body.agent_id) if body.agent_id else None
    await assignment.transfer(session, ticket, staff.actor, team, agent=agent, reason=body.reason)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/escalate", response_model=StaffTicketDetail)
async def escalate(
    number: int, body: EscalateRequest, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    team = await desk.team_by_slug(session, body.team) if body.team else None
    await assignment.escalate(
        session,
        ticket,
        staff.actor,
        reason=body.reason,
        team=team,
        to_supervisor=body.to_supervisor,
    )
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/merge", response_model=StaffTicketDetail)
async def merge(
    number: int, body: MergeRequest, staff: Handler, session: Session
) -> StaffTicketDetail:
    source = await service.access_ticket(session, staff, number, for_update=True)
    target = await service.access_ticket(session, staff, body.into, for_update=True)
    await lifecycle.merge(session, source, target, staff.actor)
    return await read_ticket(body.into, staff, session)


@router.post("/tickets/{number}/resolve", response_model=StaffTicketDetail)
async def resolve(
    number: int, body: ResolveRequest, staff: Handler, session: Session, context: Context
) -> StaffTicketDetail | JSONResponse:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    # The final reply reaches the customer like any other: the same guard applies.
    if body.reply and (blocked := await _guard_reply(session, staff, ticket, body.reply)):
        return blocked
    await lifecycle.resolve(session, context.settings, ticket, staff.actor, reply_body=body.reply)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/reopen", response_model=StaffTicketDetail)
async def reopen(
    number: int, body: SupervisorRequest, staff: Handler, session: Session
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    await actions.reopen(session, ticket, staff.actor, reason=body.reason)
    return await read_ticket(number, staff, session)


@router.post("/tickets/{number}/macros/{macro_id}", response_model=StaffTicketDetail)
async def apply_macro(
    number: int, macro_id: int, staff: Handler, session: Session, context: Context
) -> StaffTicketDetail:
    ticket = await service.access_ticket(session, staff, number, for_update=True)
    macro = await desk.macro(session, macro_id)
    await lifecycle.apply_macro(session, context.settings, ticket, staff.actor, macro, staff.agent)
    return await read_ticket(number, staff, session)


@router.post("/tickets/bulk", response_model=BulkResult)
async def bulk(body: BulkAction, staff: Handler, session: Session) -> BulkResult:
    return await desk.bulk(session, staff, body)


@router.get("/tickets/{number}/attachments/{public_id}")
async def staff_download(
    number: int, public_id: str, staff: Handler, session: Session, context: Context
) -> FileResponse:
    ticket = await service.access_ticket(session, staff, number)
    found = await service.visible_attachment(session, ticket, public_id, include_internal=True)
    return download_response(attachments.file_path(context.settings, found), found)


@router.get("/macros", response_model=list[MacroRead])
async def list_macros(staff: Handler, session: Session) -> list[MacroRead]:
    return [MacroRead.model_validate(macro) for macro in await desk.list_macros(session)]


@router.post("/macros", response_model=MacroRead, status_code=201)
async def create_macro(
    body: MacroCreate, staff: Handler, session: Session
) -> MacroRead | JSONResponse:
    blocked = await blocked_outbound(
        session,
        list(body.bodies.values()),
        staff.actor,
        lang=staff.language("en"),
        object_type="macro",
        object_id=body.name[:64],
    )
    if blocked is not None:
        return blocked
    return MacroRead.model_validate(await desk.create_macro(session, staff, body))


async def _guard_reply(
    session: Session, staff: Staff, ticket: Ticket, text: str
) -> JSONResponse | None:
    """The outbound guard's 422 (logged) when an agent's reply asks for a secret."""
    return await blocked_outbound(
        session,
        [text],
        staff.actor,
        lang=staff.language(ticket.language),
        object_type="ticket",
        object_id=ticket.number,
    )


@router.get("/notifications", response_model=list[NotificationRead])
async def inbox(staff: Handler, session: Session, unread: bool = False) -> list[NotificationRead]:
    return [
        NotificationRead.model_validate(item)
        for item in await desk.inbox(session, staff, unread_only=unread)
    ]


@router.post("/notifications/{notification_id}/read", response_model=NotificationRead)
async def mark_read(notification_id: int, staff: Handler, session: Session) -> NotificationRead:
    return NotificationRead.model_validate(await desk.mark_read(session, staff, notification_id))


@router.get("/sla-policies", response_model=list[SlaPolicyRead])
async def sla_policies(staff: Handler, session: Session) -> list[SlaPolicyRead]:
    return [SlaPolicyRead.model_validate(policy) for policy in await desk.sla_policies(session)]


@router.get("/satisfaction", response_model=SatisfactionRead)
async def satisfaction(
    session: Session,
    staff: Staff = require_permission(Permission.TICKETS_SUPERVISE),
    agent_id: int | None = None,
    team: str | None = None,
) -> SatisfactionRead:
    ratings, average = await desk.satisfaction(session, agent_id=agent_id, team_slug=team)
    return SatisfactionRead(ratings=ratings, average=average)
