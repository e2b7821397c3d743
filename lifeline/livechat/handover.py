"""Moving and ending a chat: transfers (to an agent, a team, speakers of a language, or a
supervisor) and the wrap-up (resolved, or converted to a ticket with the transcript)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.deps import Staff
from lifeline.accounts.models import Agent
from lifeline.assistant.replies import say
from lifeline.context import AppContext
from lifeline.conversations import repository as conversations_repository
from lifeline.conversations.models import Conversation, ConversationStatus, Message
from lifeline.db import utcnow
from lifeline.errors import Conflict, InvalidRequest
from lifeline.livechat import events, repository
from lifeline.livechat.routing import base_language
from lifeline.livechat.schemas import TransferRequest
from lifeline.livechat.service import (
    NotWithAgent,
    add_note,
    assign,
    audit,
    dispatch,
    may_supervise,
    require_handling,
    signed_in_agent,
    status_event,
    system_message,
)
from lifeline.security.permissions import Permission, role_allows

S = ConversationStatus


class TicketNeedsCustomer(Conflict):
    code = "ticket_needs_customer"
    message = "An anonymous visitor's chat cannot become a ticket; resolve it instead."


def _requeue(session: AsyncSession, context: AppContext, conversation: Conversation) -> None:
    conversation.status = S.QUEUED
    conversation.assigned_agent_id = None
    conversation.accepted_at = None
    conversation.agent_read_message_id = None
    # A transferred customer keeps their place: they have waited already.
    conversation.queued_at = conversation.queued_at or utcnow()
    status_event(session, context, conversation, None)
    events.queue_moved(session, context)


async def transfer(
    session: AsyncSession,
    context: AppContext,
    staff: Staff,
    conversation: Conversation,
    request: TransferRequest,
) -> None:
    """To one agent, a team, speakers of a language, or a supervisor (exactly one)."""
    signed_in_agent(staff)
    if conversation.status == S.QUEUED:
        if not may_supervise(staff):
            raise NotWithAgent("Accept the chat before transferring it.")
    else:
        require_handling(staff, conversation)
    now = utcnow()
    previous_agent_id = conversation.assigned_agent_id
    details: dict[str, Any] = {"from_agent_id": previous_agent_id}
    target_agent: Agent | None = None
    if request.agent_id is not None:
        target_agent = await accounts_repository.agent_by_id(session, request.agent_id)
        if (
            target_agent is None
            or not target_agent.is_active
            or not role_allows(target_agent.role, Permission.CONVERSATIONS_HANDLE)
        ):
            raise InvalidRequest("No such agent who can take chats.", agent_id=request.agent_id)
        if target_agent.id == previous_agent_id:
            raise Conflict("The chat is already with this agent.")
        details["to_agent_id"] = target_agent.id
    elif request.team is not None:
        team = await accounts_repository.team_by_slug(session, request.team)
        if team is None:
            raise InvalidRequest("No such team.", team=request.team)
        conversation.team_id = team.id
        conversation.required_agent_id = None
        details["to_team"] = team.slug
    elif request.language is not None:
        language = base_language(request.language)
        if language not in context.settings.languages:
            raise InvalidRequest(
                "Unsupported language.",
                language=request.language,
                supported=list(context.settings.languages),
            )
        conversation.required_language = language
        conversation.required_agent_id = None
        details["to_language"] = language
    else:
        conversation.supervisor_required = True
        conversation.required_agent_id = None
        details["to_supervisor"] = True
    if request.note and request.note.strip():
        await add_note(
            session, context, staff, conversation, request.note, meta={"transfer": details}
        )
    await audit(session, staff.actor, "transfer", conversation, details)
    lang = conversation.language
    await system_message(
        session,
        context,
        conversation,
        say(
            lang,
            "I'm transferring you to a colleague who can help further. Please stay in this "
            "chat; you will not need to repeat yourself.",
            "正在为您转接能进一步协助的同事，请留在本对话中，您无需重复描述问题。",
        ),
        {"event": "transfer"},
    )
    if target_agent is not None:
        active = (await repository.active_chat_counts(session, [target_agent.id])).get(
            target_agent.id, 0
        )
        if active < target_agent.capacity:
            await assign(
                session,
                context,
                conversation,
                target_agent,
                staff.actor,
                action="assigned",
                now=now,
            )
            await session.flush()
            await dispatch(session, context, now=now)
            return
        # The colleague is full: the chat waits for them alone.
        conversation.required_agent_id = target_agent.id
    _requeue(session, context, conversation)
    await session.flush()
    # Whoever gave the chat away does not get it straight back.
    exclude = (
        {conversation.id: previous_agent_id}
        if previous_agent_id is not None and target_agent is None
        else None
    )
    await dispatch(session, context, now=now, exclude=exclude)


async def wrap_up(
    session: AsyncSession,
    context: AppContext,
    staff: Staff,
    conversation: Conversation,
    outcome: str,
    note: str | None,
) -> int | None:
    """End the chat: resolved (the customer is asked to rate it) or converted to a ticket
    with the hand-off summary and the transcript. Returns the ticket number if any."""
    require_handling(staff, conversation)
    now = utcnow()
    agent = (await repository.agents_by_ids(session, [conversation.assigned_agent_id or 0])).get(
        conversation.assigned_agent_id or 0
    )
    if note and note.strip():
        await add_note(session, context, staff, conversation, note, meta={"wrap_up": outcome})
    lang = conversation.language
    ticket_number: int | None = None
    if outcome == "ticket":
        ticket_number = await _convert_to_ticket(session, context, staff, conversation, now)
        conversation.status = S.CLOSED
        await system_message(
            session,
            context,
            conversation,
            say(
                lang,
                f"We have turned this chat into ticket #{ticket_number}. Our team will follow "
                "up there, with everything you told us, so you will not need to repeat yourself.",
                f"我们已将本次对话转为工单 #{ticket_number}，团队会在工单中继续跟进，"
                "并已附上您提供的全部信息，您无需重复描述问题。",
            ),
            {"event": "ticket_created", "ticket_number": ticket_number},
        )
    else:
        conversation.status = S.RESOLVED
        await system_message(
            session,
            context,
            conversation,
            say(
                lang,
                "This chat has been marked as resolved. If anything else comes up, just write "
                "here. How did we do? Please rate this chat.",
                "本次对话已标记为已解决。如有其他问题，可随时在此留言。请为本次服务评分。",
            ),
            {"event": "resolved"},
        )
        events.emit_to_conversation(
            session,
            context,
            conversation.public_id,
            {"type": "csat.requested", "conversation_id": conversation.public_id},
        )
    conversation.wrapped_up_at = now
    status_event(session, context, conversation, agent)
    events.queue_moved(session, context)
    await audit(
        session,
        staff.actor,
        "wrap_up",
        conversation,
        {"outcome": outcome, "ticket_number": ticket_number},
    )
    await session.flush()
    await dispatch(session, context, now=now)
    return ticket_number


_TRANSCRIPT_CHARS = 6000


def transcript(messages: Sequence[Message]) -> str:
    """What the customer and the team said (never internal notes), newest kept if long."""
    lines = [
        f"[{m.created_at:%Y-%m-%d %H:%M} {m.sender_type.value}] {m.body}"
        for m in messages
        if not m.internal and m.body
    ]
    text = "\n".join(lines)
    return text[-_TRANSCRIPT_CHARS:]


async def _convert_to_ticket(
    session: AsyncSession,
    context: AppContext,
    staff: Staff,
    conversation: Conversation,
    now: datetime,
) -> int:
    from lifeline.assistant.handoff import summary_text
    from lifeline.assistant.tickets_bridge import category_for
    from lifeline.tickets.models import TicketChannel
    from lifeline.tickets.service import NewTicket, create_ticket

    if conversation.customer_id is None:
        raise TicketNeedsCustomer()
    customer = await accounts_repository.customer_by_id(session, conversation.customer_id)
    if customer is None:
        raise TicketNeedsCustomer()
    messages = await conversations_repository.messages(
        session, conversation.id, include_internal=False
    )
    handoff = conversation.handoff or {}
    intent = conversation.intent or handoff.get("intent")
    parts = [
        summary_text(handoff) if handoff else "",
        "--- Live chat transcript ---",
        transcript(messages),
    ]
    created = await create_ticket(
        session,
        context.settings,
        customer,
        NewTicket(
            subject=f"Live chat: {intent or 'general'}",
            description="\n\n".join(part for part in parts if part),
            category=category_for(intent),
            channel=TicketChannel.CHAT,
            language=conversation.language,
            conversation_id=conversation.id,
        ),
        staff.actor,
        now=now,
    )
    conversation.ticket_id = created.ticket.id
    return created.ticket.number
