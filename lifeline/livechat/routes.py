"""HTTP API of live chat: the agents' inbox and actions (/api/v1/agent), and the customer's
queue status, files and rating on their conversation (/api/v1/conversations)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from lifeline.accounts.deps import CurrentCustomer, Staff, require_permission
from lifeline.attachments import service as attachments
from lifeline.attachments.routes import download_response
from lifeline.conversations.models import Conversation, ConversationStatus
from lifeline.conversations.schemas import MessageRead
from lifeline.conversations.service import access_conversation
from lifeline.db import MAX_ID
from lifeline.deps import Context, Session
from lifeline.livechat import customers, handover, presenters, read_marker, repository, service
from lifeline.livechat.overview import overview as build_overview
from lifeline.livechat.schemas import (
    AgentMessageCreate,
    AgentMessageRead,
    ChatDetail,
    ChatListItem,
    NoteCreate,
    Overview,
    PresenceRead,
    PresenceUpdate,
    QueueStatus,
    RatingCreate,
    RatingRead,
    ReadMarker,
    TagsUpdate,
    TransferRequest,
    WrapUpRequest,
)
from lifeline.security.outbound import blocked_outbound
from lifeline.security.permissions import Permission
from lifeline.security.ratelimit import rate_limit
from lifeline.tickets import desk
from lifeline.tickets.macros import body_for, render_macro

router = APIRouter(prefix="/api/v1/agent", tags=["live chat"])
customer_router = APIRouter(prefix="/api/v1/conversations", tags=["live chat"])
Handler = Annotated[Staff, require_permission(Permission.CONVERSATIONS_HANDLE)]
MacroId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def _blocked(
    session: Session, staff: Staff, conversation: Conversation, text: str
) -> JSONResponse | None:
    """The tickets' outbound guard (logged in the guard log), answered in the agent's
    language."""
    return await blocked_outbound(
        session,
        [text],
        staff.actor,
        lang=staff.language(conversation.language),
        object_type="conversation",
        object_id=conversation.public_id,
    )


@router.get("/conversations", response_model=list[ChatListItem])
async def list_chats(
    staff: Handler,
    session: Session,
    view: Literal["mine", "team", "unassigned", "all"] = "all",
    status: ConversationStatus | None = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = None,
    vip: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[ChatListItem]:
    team_ids = await desk.team_ids_of(session, staff) if view == "team" else []
    where = repository.InboxFilter(
        view=view,
        agent_id=staff.agent.id if staff.agent else None,
        team_ids=team_ids,
        statuses=[status] if status else [],
        language=language,
        vip=vip,
    )
    if view == "mine" and staff.agent is None:
        return []
    return await presenters.chat_items(session, await repository.inbox(session, where, limit))


@router.get("/conversations/{conversation_id}", response_model=ChatDetail)
async def read_chat(conversation_id: str, staff: Handler, session: Session) -> ChatDetail:
    conversation = await access_conversation(session, staff, conversation_id)
    return await presenters.chat_detail(session, conversation)


@router.post("/conversations/{conversation_id}/accept", response_model=ChatDetail)
async def accept(
    conversation_id: str, staff: Handler, session: Session, context: Context
) -> ChatDetail:
    conversation = await access_conversation(session, staff, conversation_id)
    await service.accept(session, context, staff, conversation)
    return await presenters.chat_detail(session, conversation)


@router.post(
    "/conversations/{conversation_id}/messages", response_model=AgentMessageRead, status_code=201
)
async def send_message(
    conversation_id: str,
    body: AgentMessageCreate,
    staff: Handler,
    session: Session,
    context: Context,
) -> AgentMessageRead | JSONResponse:
    conversation = await access_conversation(session, staff, conversation_id)
    service.require_handling(staff, conversation)
    blocked = await _blocked(session, staff, conversation, body.text)
    if blocked is not None:
        return blocked
    message = await service.agent_message(
        session, context, staff, conversation, body.text, client_message_id=body.client_message_id
    )
    return AgentMessageRead.model_validate(message)


@router.post("/conversations/{conversation_id}/read", status_code=204)
async def mark_read(
    conversation_id: str, body: ReadMarker, staff: Handler, session: Session
) -> None:
    """The assigned agent has read the chat up to ``message_id`` (the console's unread count);
    the console sends the same over its live connection."""
    conversation = await access_conversation(session, staff, conversation_id)
    if staff.agent is not None:
        await read_marker.mark_read(session, conversation, staff.agent.id, body.message_id)


@router.post(
    "/conversations/{conversation_id}/notes", response_model=AgentMessageRead, status_code=201
)
async def add_note(
    conversation_id: str, body: NoteCreate, staff: Handler, session: Session, context: Context
) -> AgentMessageRead:
    conversation = await access_conversation(session, staff, conversation_id)
    message = await service.add_note(session, context, staff, conversation, body.text)
    return AgentMessageRead.model_validate(message)


@router.post(
    "/conversations/{conversation_id}/macros/{macro_id}",
    response_model=AgentMessageRead,
    status_code=201,
)
async def send_macro(
    conversation_id: str,
    macro_id: MacroId,
    staff: Handler,
    session: Session,
    context: Context,
) -> AgentMessageRead | JSONResponse:
    conversation = await access_conversation(session, staff, conversation_id)
    agent = service.require_handling(staff, conversation)
    macro = await desk.macro(session, macro_id)
    item = (await presenters.chat_items(session, [conversation]))[0]
    text = render_macro(
        body_for(macro.bodies, conversation.language),
        {
            "customer.name": (item.customer.name if item.customer else None) or "",
            "agent.name": agent.name,
            "exchange.name": context.settings.exchange_name,
        },
    ).strip()
    blocked = await _blocked(session, staff, conversation, text)
    if blocked is not None:
        return blocked
    message = await service.agent_message(
        session, context, staff, conversation, text, meta={"macro_id": macro.id}
    )
    tags = (macro.actions or {}).get("add_tags")
    if isinstance(tags, list) and tags:
        merged = sorted({*(conversation.tags or []), *(str(t)[:40] for t in tags)})
        await service.set_tags(session, staff, conversation, merged)
    return AgentMessageRead.model_validate(message)


@router.put("/conversations/{conversation_id}/tags", response_model=ChatDetail)
async def set_tags(
    conversation_id: str, body: TagsUpdate, staff: Handler, session: Session
) -> ChatDetail:
    conversation = await access_conversation(session, staff, conversation_id)
    await service.set_tags(session, staff, conversation, body.tags)
    return await presenters.chat_detail(session, conversation)


@router.post("/conversations/{conversation_id}/transfer", response_model=ChatDetail)
async def transfer(
    conversation_id: str,
    body: TransferRequest,
    staff: Handler,
    session: Session,
    context: Context,
) -> ChatDetail:
    conversation = await access_conversation(session, staff, conversation_id)
    await handover.transfer(session, context, staff, conversation, body)
    return await presenters.chat_detail(session, conversation)


@router.post("/conversations/{conversation_id}/wrap-up", response_model=ChatDetail)
async def wrap_up(
    conversation_id: str,
    body: WrapUpRequest,
    staff: Handler,
    session: Session,
    context: Context,
) -> ChatDetail:
    conversation = await access_conversation(session, staff, conversation_id)
    await handover.wrap_up(session, context, staff, conversation, body.outcome, body.note)
    return await presenters.chat_detail(session, conversation)


@router.get("/conversations/{conversation_id}/attachments/{public_id}")
async def staff_download(
    conversation_id: str, public_id: str, staff: Handler, session: Session, context: Context
) -> FileResponse:
    conversation = await access_conversation(session, staff, conversation_id)
    found = await customers.attachment_in(session, conversation, public_id)
    return download_response(attachments.file_path(context.settings, found), found)


@router.get("/presence", response_model=PresenceRead)
async def read_presence(staff: Handler, session: Session) -> PresenceRead:
    return await service.presence_read(session, service.signed_in_agent(staff))


@router.put("/presence", response_model=PresenceRead)
async def set_presence(
    body: PresenceUpdate, staff: Handler, session: Session, context: Context
) -> PresenceRead:
    return await service.set_presence(session, context, staff, body.status)


@router.get("/overview", response_model=Overview)
async def supervisor_overview(
    session: Session, staff: Staff = require_permission(Permission.TICKETS_SUPERVISE)
) -> Overview:
    staff.require(Permission.CONVERSATIONS_HANDLE)
    return await build_overview(session)


# --- the customer's side ----------------------------------------------------------------------


@customer_router.get("/{conversation_id}/queue", response_model=QueueStatus)
async def queue_status(
    conversation_id: str, identity: CurrentCustomer, session: Session, context: Context
) -> QueueStatus:
    conversation = await access_conversation(session, identity, conversation_id)
    return await customers.queue_status(session, context, conversation)


@customer_router.post(
    "/{conversation_id}/attachments",
    response_model=MessageRead,
    status_code=201,
    dependencies=[rate_limit("chat_uploads", 10, 60)],
)
async def upload(
    conversation_id: str,
    identity: CurrentCustomer,
    session: Session,
    context: Context,
    file: Annotated[UploadFile, File()],
    text: Annotated[str | None, Form(max_length=2000)] = None,
) -> MessageRead:
    conversation = await access_conversation(session, identity, conversation_id)
    message = await customers.upload(session, context, identity, conversation, file, text)
    return MessageRead.model_validate(message)


@customer_router.get("/{conversation_id}/attachments/{public_id}")
async def download(
    conversation_id: str,
    public_id: str,
    identity: CurrentCustomer,
    session: Session,
    context: Context,
) -> FileResponse:
    conversation = await access_conversation(session, identity, conversation_id)
    found = await customers.attachment_in(session, conversation, public_id)
    return download_response(attachments.file_path(context.settings, found), found)


@customer_router.post("/{conversation_id}/rating", response_model=RatingRead)
async def rate(
    conversation_id: str, body: RatingCreate, identity: CurrentCustomer, session: Session
) -> RatingRead:
    conversation = await access_conversation(session, identity, conversation_id)
    return await customers.rate(session, identity, conversation, body)
