"""SQL of live chat: the queue, agents' presence and load, the inbox and the overview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from lifeline.accounts.models import Agent, Customer, Team, Visitor
from lifeline.conversations.models import Conversation, ConversationStatus, Message, SenderType
from lifeline.livechat.models import AgentPresence, PresenceStatus
from lifeline.tickets.models import RoutingState, Ticket

S = ConversationStatus


async def presence_of(
    session: AsyncSession, agent_id: int, *, for_update: bool = False
) -> AgentPresence | None:
    query = select(AgentPresence).where(AgentPresence.agent_id == agent_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def online_presences(
    session: AsyncSession, fresh_since: datetime, *, for_update: bool = False
) -> Sequence[AgentPresence]:
    query = (
        select(AgentPresence)
        .where(
            AgentPresence.status == PresenceStatus.ONLINE.value,
            AgentPresence.last_seen_at >= fresh_since,
        )
        .order_by(AgentPresence.agent_id)
    )
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).all()


async def all_presences(session: AsyncSession) -> Sequence[AgentPresence]:
    return (await session.scalars(select(AgentPresence))).all()


async def agents_with_teams(session: AsyncSession, agent_ids: Sequence[int]) -> Sequence[Agent]:
    if not agent_ids:
        return []
    return (
        await session.scalars(
            select(Agent)
            .where(Agent.id.in_(list(agent_ids)))
            .options(selectinload(Agent.teams))
            .order_by(Agent.id)
        )
    ).all()


async def agents_by_ids(session: AsyncSession, agent_ids: Sequence[int]) -> dict[int, Agent]:
    if not agent_ids:
        return {}
    rows = await session.scalars(select(Agent).where(Agent.id.in_(list(set(agent_ids)))))
    return {agent.id: agent for agent in rows}


async def active_chat_counts(session: AsyncSession, agent_ids: Sequence[int]) -> dict[int, int]:
    if not agent_ids:
        return {}
    rows = await session.execute(
        select(Conversation.assigned_agent_id, func.count())
        .where(
            Conversation.assigned_agent_id.in_(list(agent_ids)),
            Conversation.status == S.ASSIGNED,
        )
        .group_by(Conversation.assigned_agent_id)
    )
    return {int(agent_id or 0): int(count) for agent_id, count in rows.all()}


async def last_accepted(session: AsyncSession, agent_ids: Sequence[int]) -> dict[int, datetime]:
    if not agent_ids:
        return {}
    rows = await session.execute(
        select(Conversation.assigned_agent_id, func.max(Conversation.accepted_at))
        .where(Conversation.assigned_agent_id.in_(list(agent_ids)))
        .group_by(Conversation.assigned_agent_id)
    )
    found: dict[int, datetime] = {}
    for agent_id, when in rows.all():
        if when is not None:
            # Aggregates bypass the column type: SQLite hands back text or a naive value.
            found[int(agent_id or 0)] = _aware(when)
    return found


def _aware(value: datetime | str) -> datetime:
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def queued(session: AsyncSession, *, for_update: bool = False) -> Sequence[Conversation]:
    query = (
        select(Conversation)
        .where(Conversation.status == S.QUEUED)
        .order_by(Conversation.vip_tier.desc(), Conversation.queued_at, Conversation.id)
    )
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).all()


async def recent_handle_times(session: AsyncSession, limit: int = 50) -> list[float]:
    rows = await session.execute(
        select(Conversation.accepted_at, Conversation.wrapped_up_at)
        .where(Conversation.wrapped_up_at.is_not(None), Conversation.accepted_at.is_not(None))
        .order_by(Conversation.wrapped_up_at.desc())
        .limit(limit)
    )
    return [
        max(0.0, (wrapped - accepted).total_seconds())
        for accepted, wrapped in rows.all()
        if accepted is not None and wrapped is not None
    ]


@dataclass(frozen=True)
class InboxFilter:
    view: str  # mine | team | unassigned | all
    agent_id: int | None
    team_ids: Sequence[int]
    statuses: Sequence[ConversationStatus]
    language: str | None
    vip: bool | None


async def inbox(session: AsyncSession, where: InboxFilter, limit: int) -> Sequence[Conversation]:
    query = select(Conversation)
    if where.statuses:
        query = query.where(Conversation.status.in_(list(where.statuses)))
    else:
        query = query.where(Conversation.status != S.BOT)
    if where.view == "mine":
        query = query.where(Conversation.assigned_agent_id == where.agent_id)
    elif where.view == "team":
        query = query.where(Conversation.team_id.in_(list(where.team_ids)))
    elif where.view == "unassigned":
        query = query.where(Conversation.status == S.QUEUED)
    if where.language:
        query = query.where(
            or_(
                Conversation.required_language == where.language,
                and_(
                    Conversation.required_language.is_(None),
                    Conversation.language == where.language,
                ),
            )
        )
    if where.vip is True:
        query = query.where(Conversation.vip_tier >= 1)
    elif where.vip is False:
        query = query.where(Conversation.vip_tier == 0)
    query = query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    return (await session.scalars(query.limit(limit))).all()


async def last_messages(
    session: AsyncSession, conversation_ids: Sequence[int]
) -> dict[int, Message]:
    if not conversation_ids:
        return {}
    latest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(list(conversation_ids)), Message.internal.is_(False))
        .group_by(Message.conversation_id)
    )
    rows = await session.scalars(select(Message).where(Message.id.in_(latest)))
    return {message.conversation_id: message for message in rows}


async def unread_counts(session: AsyncSession, conversation_ids: Sequence[int]) -> dict[int, int]:
    """Customer messages the assigned agent has not read, per conversation: those after the
    agent's read marker, or without one, everything since the customer joined the queue."""
    if not conversation_ids:
        return {}
    unread = (
        select(Message.conversation_id, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.conversation_id.in_(list(conversation_ids)),
            Message.sender_type == SenderType.CUSTOMER,
            Message.internal.is_(False),
            or_(
                Message.id > Conversation.agent_read_message_id,
                and_(
                    Conversation.agent_read_message_id.is_(None),
                    Message.created_at >= Conversation.queued_at,
                ),
            ),
        )
        .group_by(Message.conversation_id)
    )
    return {conversation_id: count for conversation_id, count in await session.execute(unread)}


async def last_message_id(session: AsyncSession, conversation_id: int) -> int | None:
    latest: int | None = await session.scalar(
        select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
    )
    return latest


async def customers_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    rows = await session.scalars(select(Customer).where(Customer.id.in_(list(set(ids)))))
    return {customer.id: customer for customer in rows}


async def visitors_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Visitor]:
    if not ids:
        return {}
    rows = await session.scalars(select(Visitor).where(Visitor.id.in_(list(set(ids)))))
    return {visitor.id: visitor for visitor in rows}


async def teams_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Team]:
    if not ids:
        return {}
    rows = await session.scalars(select(Team).where(Team.id.in_(list(set(ids)))))
    return {team.id: team for team in rows}


async def assigned_to(session: AsyncSession, agent_id: int) -> Sequence[Conversation]:
    return (
        await session.scalars(
            select(Conversation).where(
                Conversation.assigned_agent_id == agent_id, Conversation.status == S.ASSIGNED
            )
        )
    ).all()


async def message_in(
    session: AsyncSession, conversation_id: int, message_id: int
) -> Message | None:
    return await session.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.id == message_id)
    )


async def messages_with_attachment(
    session: AsyncSession, conversation_id: int, attachment_public_id: str
) -> Sequence[Message]:
    """Messages of the conversation that carry the attachment (the JSON is read in Python
    so that the query is the same on both databases)."""
    rows = await session.scalars(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.internal.is_(False)
        )
    )
    return [
        message
        for message in rows
        if isinstance(message.meta.get("attachment"), dict)
        and message.meta["attachment"].get("public_id") == attachment_public_id
    ]


async def ticket_number(session: AsyncSession, ticket_id: int) -> int | None:
    number: int | None = await session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    return number


async def open_tickets_by_agent(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(select(RoutingState.agent_id, RoutingState.active_tickets))
    return {int(agent_id): int(count) for agent_id, count in rows.all()}


async def ticket_breaches(session: AsyncSession, now: datetime, soon: datetime) -> tuple[int, int]:
    breached = await session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.active.is_(True),
            or_(
                Ticket.first_response_breached_at.is_not(None),
                Ticket.resolution_breached_at.is_not(None),
            ),
        )
    )
    breaching = await session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.active.is_(True),
            Ticket.sla_next_due_at.is_not(None),
            Ticket.sla_next_due_at > now,
            Ticket.sla_next_due_at <= soon,
        )
    )
    return int(breached or 0), int(breaching or 0)
