"""Live chat actions: queueing a handed-off conversation, handing it to an agent, what the
agent writes (messages, notes, tags) and agents' presence. Transfers and the wrap-up are in
``handover``.

Each change of a chat's state goes through one named function, which records the audit entry
and queues the real-time events (published after commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.deps import Staff
from lifeline.accounts.models import Agent
from lifeline.assistant.replies import say
from lifeline.context import AppContext
from lifeline.conversations import repository as conversations_repository
from lifeline.conversations import service as conversations
from lifeline.conversations.models import Conversation, ConversationStatus, Message, SenderType
from lifeline.db import utcnow
from lifeline.errors import Conflict, Forbidden
from lifeline.livechat import events, repository
from lifeline.livechat.models import AgentPresence, PresenceStatus
from lifeline.livechat.queue import dispatch_plan, fresh_since
from lifeline.livechat.schemas import PresenceRead
from lifeline.security.audit import Actor, record_audit
from lifeline.security.permissions import Permission

S = ConversationStatus


class CapacityFull(Conflict):
    code = "capacity_full"
    message = "You already have as many chats as your capacity allows."


class AlreadyAssigned(Conflict):
    code = "already_assigned"
    message = "Another agent already has this chat."


class NotQueued(Conflict):
    code = "not_queued"
    message = "This chat is not waiting for an agent."


class NotWithAgent(Conflict):
    code = "not_with_agent"
    message = "This chat is not with an agent."


class NotYourChat(Forbidden):
    code = "not_your_chat"
    message = "This chat is assigned to another agent."


def signed_in_agent(staff: Staff) -> Agent:
    if staff.agent is None:
        raise Forbidden("This needs a signed-in agent.")
    return staff.agent


def may_supervise(staff: Staff) -> bool:
    return Permission.TICKETS_SUPERVISE in staff.permissions


def require_handling(staff: Staff, conversation: Conversation) -> Agent:
    """The agent who has the chat, or a supervisor; the chat must be with an agent."""
    agent = signed_in_agent(staff)
    if conversation.status != S.ASSIGNED:
        raise NotWithAgent(status=conversation.status.value)
    if conversation.assigned_agent_id != agent.id and not may_supervise(staff):
        raise NotYourChat()
    return agent


def agent_ref(agent: Agent) -> dict[str, Any]:
    return {"id": agent.id, "name": agent.name}


async def audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    conversation: Conversation,
    details: dict[str, Any] | None = None,
) -> None:
    await record_audit(
        session,
        actor,
        f"conversation.{action}",
        object_type="conversation",
        object_id=conversation.public_id,
        details=details or {},
    )


async def system_message(
    session: AsyncSession,
    context: AppContext,
    conversation: Conversation,
    text: str,
    meta: dict[str, Any],
) -> Message:
    message = await conversations.add_message(
        session, conversation, SenderType.SYSTEM, text, meta=meta
    )
    events.emit_message(session, context, conversation.public_id, message)
    return message


def status_event(
    session: AsyncSession, context: AppContext, conversation: Conversation, agent: Agent | None
) -> None:
    events.emit_to_conversation(
        session,
        context,
        conversation.public_id,
        {
            "type": "status",
            "status": conversation.status.value,
            "agent": agent_ref(agent) if agent is not None else None,
        },
    )


# --- the queue ---------------------------------------------------------------------------


def _vip_tier(handoff: dict[str, Any]) -> int:
    customer = handoff.get("customer")
    tier = customer.get("vip_tier") if isinstance(customer, dict) else None
    try:
        return max(0, int(tier or 0))
    except (TypeError, ValueError):
        return 0


async def enqueue(
    session: AsyncSession,
    context: AppContext,
    conversation: Conversation,
    now: datetime | None = None,
) -> None:
    """The assistant handed the chat over: wait for the team named in the hand-off."""
    now = now or utcnow()
    handoff = conversation.handoff or {}
    team_slug = handoff.get("team")
    team = (
        await accounts_repository.team_by_slug(session, team_slug)
        if isinstance(team_slug, str)
        else None
    )
    conversation.status = S.QUEUED
    conversation.queued_at = now
    conversation.vip_tier = _vip_tier(handoff)
    conversation.team_id = team.id if team is not None else None
    conversation.assigned_agent_id = None
    conversation.accepted_at = None
    conversation.agent_read_message_id = None
    conversation.wrapped_up_at = None
    conversation.required_agent_id = None
    conversation.required_language = None
    conversation.supervisor_required = False
    status_event(session, context, conversation, None)
    events.queue_moved(session, context)
    await session.flush()
    await dispatch(session, context, now=now)


async def dispatch(
    session: AsyncSession,
    context: AppContext,
    *,
    now: datetime | None = None,
    exclude: dict[int, int] | None = None,
) -> list[Conversation]:
    """Hand every waiting chat that someone online can take to the best agent for it."""
    now = now or utcnow()
    placements = await dispatch_plan(session, now, exclude=exclude)
    if not placements:
        return []
    agents = await repository.agents_by_ids(session, [p.agent_id for p in placements])
    for placement in placements:
        await assign(
            session,
            context,
            placement.conversation,
            agents[placement.agent_id],
            Actor.system(),
            action="routed",
            now=now,
        )
    return [placement.conversation for placement in placements]


async def assign(
    session: AsyncSession,
    context: AppContext,
    conversation: Conversation,
    agent: Agent,
    actor: Actor,
    *,
    action: str,
    now: datetime,
) -> None:
    previous = conversation.assigned_agent_id
    conversation.status = S.ASSIGNED
    conversation.assigned_agent_id = agent.id
    conversation.accepted_at = now
    if previous != agent.id:
        conversation.agent_read_message_id = None  # new to this agent: all of it is unread
    conversation.required_agent_id = None
    conversation.supervisor_required = False
    lang = conversation.language
    await system_message(
        session,
        context,
        conversation,
        say(
            lang,
            f"{agent.name} from our support team has joined the chat.",
            f"客服 {agent.name} 已加入对话。",
        ),
        {"event": "agent_joined", "agent": agent_ref(agent)},
    )
    status_event(session, context, conversation, agent)
    events.emit(
        session,
        context,
        events.agent_channel(agent.id),
        {"type": "conversation.assigned", "conversation_id": conversation.public_id},
    )
    events.queue_moved(session, context)
    await audit(
        session, actor, action, conversation, {"agent_id": agent.id, "from_agent_id": previous}
    )


async def accept(
    session: AsyncSession, context: AppContext, staff: Staff, conversation: Conversation
) -> None:
    agent = signed_in_agent(staff)
    now = utcnow()
    # Taking the agent's presence row first serialises this with routing (same lock order).
    await presence_row(session, agent.id, lock=True, now=now)
    await session.refresh(conversation, with_for_update=True)
    if conversation.status == S.ASSIGNED:
        if conversation.assigned_agent_id == agent.id:
            return
        raise AlreadyAssigned()
    if conversation.status != S.QUEUED:
        raise NotQueued(status=conversation.status.value)
    if conversation.required_agent_id not in (None, agent.id) and not may_supervise(staff):
        raise NotYourChat("This chat was transferred to another agent.")
    active = (await repository.active_chat_counts(session, [agent.id])).get(agent.id, 0)
    if active >= agent.capacity:
        raise CapacityFull(active_chats=active, capacity=agent.capacity)
    await assign(session, context, conversation, agent, staff.actor, action="accept", now=now)


# --- what agents write ----------------------------------------------------------------------


async def agent_message(
    session: AsyncSession,
    context: AppContext,
    staff: Staff,
    conversation: Conversation,
    text: str,
    *,
    client_message_id: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Message:
    """An agent's message to the customer (already passed the outbound guard)."""
    agent = require_handling(staff, conversation)
    if client_message_id:
        existing = await conversations_repository.message_by_client_id(
            session, conversation.id, client_message_id
        )
        if existing is not None:
            return existing
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.AGENT,
        sender_id=str(agent.id),
        body=text.strip(),
        masked_kinds=[],
        internal=False,
        client_message_id=client_message_id,
        meta={"agent": agent_ref(agent), **(meta or {})},
    )
    session.add(message)
    conversation.last_message_at = utcnow()
    await session.flush()
    if conversation.assigned_agent_id == agent.id:
        conversation.agent_read_message_id = message.id  # who answers has read what came before
    events.emit_message(session, context, conversation.public_id, message)
    await audit(session, staff.actor, "reply", conversation, {"message_id": message.id})
    return message


async def add_note(
    session: AsyncSession,
    context: AppContext,
    staff: Staff,
    conversation: Conversation,
    text: str,
    *,
    meta: dict[str, Any] | None = None,
) -> Message:
    """An internal note: for agents only, never sent to the customer."""
    agent = signed_in_agent(staff)
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.AGENT,
        sender_id=str(agent.id),
        body=text.strip(),
        masked_kinds=[],
        internal=True,
        meta={"agent": agent_ref(agent), "note": True, **(meta or {})},
    )
    session.add(message)
    await session.flush()
    events.emit_message(session, context, conversation.public_id, message)
    await audit(session, staff.actor, "note", conversation, {"message_id": message.id})
    return message


async def set_tags(
    session: AsyncSession, staff: Staff, conversation: Conversation, tags: Sequence[str]
) -> None:
    previous = list(conversation.tags or [])
    conversation.tags = list(tags)
    await audit(session, staff.actor, "tags", conversation, {"from": previous, "to": list(tags)})


# --- presence ---------------------------------------------------------------------------------


def effective_status(presence: AgentPresence | None, now: datetime) -> str:
    if presence is None:
        return PresenceStatus.OFFLINE.value
    if presence.status == PresenceStatus.ONLINE.value and presence.last_seen_at < fresh_since(now):
        return PresenceStatus.OFFLINE.value
    return presence.status


async def presence_row(
    session: AsyncSession, agent_id: int, *, lock: bool = False, now: datetime | None = None
) -> AgentPresence:
    found = await repository.presence_of(session, agent_id, for_update=lock)
    if found is not None:
        return found
    now = now or utcnow()
    created = AgentPresence(
        agent_id=agent_id,
        status=PresenceStatus.OFFLINE.value,
        last_seen_at=now,
        changed_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(created)
    except IntegrityError:
        found = await repository.presence_of(session, agent_id, for_update=lock)
        assert found is not None
        return found
    return created


async def presence_read(session: AsyncSession, agent: Agent) -> PresenceRead:
    now = utcnow()
    presence = await repository.presence_of(session, agent.id)
    active = (await repository.active_chat_counts(session, [agent.id])).get(agent.id, 0)
    status = effective_status(presence, now)
    return PresenceRead(
        status=status,
        capacity=agent.capacity,
        active_chats=active,
    )


async def set_presence(
    session: AsyncSession, context: AppContext, staff: Staff, status: str
) -> PresenceRead:
    agent = signed_in_agent(staff)
    now = utcnow()
    presence = await presence_row(session, agent.id, lock=True, now=now)
    before = effective_status(presence, now)
    if presence.status != status:
        presence.changed_at = now
    presence.status = status
    presence.last_seen_at = now
    await session.flush()
    if before != status:
        await _presence_changed(session, context, agent, status)
    if status == PresenceStatus.ONLINE.value:
        await dispatch(session, context, now=now)
    return await presence_read(session, agent)


async def _presence_changed(
    session: AsyncSession, context: AppContext, agent: Agent, status: str
) -> None:
    for conversation in await repository.assigned_to(session, agent.id):
        events.emit_to_conversation(
            session,
            context,
            conversation.public_id,
            {"type": "presence", "agent": agent_ref(agent), "status": status},
        )
    # Estimated waits depend on who is online.
    events.queue_moved(session, context)


async def heartbeat(session: AsyncSession, context: AppContext, agent: Agent) -> None:
    """A connected console keeps the agent's presence fresh; an agent online whose
    presence had lapsed is back, and may take waiting chats again."""
    now = utcnow()
    presence = await presence_row(session, agent.id, now=now)
    lapsed = effective_status(presence, now) != presence.status
    presence.last_seen_at = now
    await session.flush()
    if lapsed and presence.status == PresenceStatus.ONLINE.value:
        await _presence_changed(session, context, agent, presence.status)
        await dispatch(session, context, now=now)
