"""Shaping chats for the agents' console: list rows and the detail, lookups batched."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.conversations import repository as conversations_repository
from lifeline.conversations.models import Conversation, ConversationStatus
from lifeline.db import utcnow
from lifeline.livechat import repository
from lifeline.livechat.schemas import (
    AgentMessageRead,
    AgentRef,
    ChatDetail,
    ChatListItem,
    CustomerRef,
)

PREVIEW_CHARS = 140
# Chats whose customer is waiting on a person: only those count unread messages.
_WITH_AGENTS = frozenset({ConversationStatus.QUEUED, ConversationStatus.ASSIGNED})


async def chat_items(
    session: AsyncSession, conversations: Sequence[Conversation], now: datetime | None = None
) -> list[ChatListItem]:
    now = now or utcnow()
    ids = [c.id for c in conversations]
    customers = await repository.customers_by_ids(
        session, [c.customer_id for c in conversations if c.customer_id is not None]
    )
    visitors = await repository.visitors_by_ids(
        session, [c.visitor_id for c in conversations if c.visitor_id is not None]
    )
    agents = await repository.agents_by_ids(
        session, [c.assigned_agent_id for c in conversations if c.assigned_agent_id is not None]
    )
    teams = await repository.teams_by_ids(
        session, [c.team_id for c in conversations if c.team_id is not None]
    )
    last = await repository.last_messages(session, ids)
    unread = await repository.unread_counts(
        session, [c.id for c in conversations if c.status in _WITH_AGENTS]
    )
    items: list[ChatListItem] = []
    for conversation in conversations:
        customer_ref: CustomerRef | None = None
        customer = customers.get(conversation.customer_id or 0)
        if customer is not None:
            customer_ref = CustomerRef(
                public_id=customer.public_id, user_id=customer.external_id, name=customer.name
            )
        else:
            visitor = visitors.get(conversation.visitor_id or 0)
            if visitor is not None:
                customer_ref = CustomerRef(public_id=visitor.public_id)
        agent = agents.get(conversation.assigned_agent_id or 0)
        team = teams.get(conversation.team_id or 0)
        message = last.get(conversation.id)
        waiting = (
            max(0, int((now - conversation.queued_at).total_seconds()))
            if conversation.status == ConversationStatus.QUEUED and conversation.queued_at
            else None
        )
        items.append(
            ChatListItem(
                id=conversation.public_id,
                status=conversation.status,
                language=conversation.language,
                channel=conversation.channel,
                intent=conversation.intent,
                vip_tier=conversation.vip_tier,
                customer=customer_ref,
                assigned_agent=AgentRef(id=agent.id, name=agent.name) if agent else None,
                team=team.slug if team else None,
                queued_at=conversation.queued_at,
                waiting_seconds=waiting,
                last_message_at=conversation.last_message_at,
                last_message_preview=message.body[:PREVIEW_CHARS] if message else None,
                required_language=conversation.required_language,
                unread=unread.get(conversation.id, 0)
                if conversation.status in _WITH_AGENTS
                else None,
            )
        )
    return items


async def chat_detail(session: AsyncSession, conversation: Conversation) -> ChatDetail:
    (item,) = await chat_items(session, [conversation])
    messages = await conversations_repository.messages(
        session, conversation.id, include_internal=True
    )
    ticket_number = (
        await repository.ticket_number(session, conversation.ticket_id)
        if conversation.ticket_id is not None
        else None
    )
    handoff = dict(conversation.handoff or {})
    return ChatDetail(
        **item.model_dump(),
        handoff=handoff,
        messages=[AgentMessageRead.model_validate(m) for m in messages],
        tags=list(conversation.tags or []),
        accepted_at=conversation.accepted_at,
        wrapped_up_at=conversation.wrapped_up_at,
        rating=conversation.rating,
        rating_comment=conversation.rating_comment,
        ticket_number=ticket_number,
    )
