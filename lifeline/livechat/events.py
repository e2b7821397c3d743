"""Real-time events of live chat, queued during the transaction and published after it
commits, through the hub (in-process or Redis), so every node's subscribers get them.

Audiences: a conversation's channel (customer and agents watching it: ``status``, ``queue``,
``presence``, ``csat.requested``, ``message.created``), the staff channel (``queue.changed``,
every console) and one agent's channel (``conversation.assigned``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Agent
from lifeline.context import AppContext
from lifeline.conversations.live import channel_of, message_event
from lifeline.conversations.models import Conversation, Message
from lifeline.db import after_commit, transaction

log = logging.getLogger(__name__)
STAFF_CHANNEL = "agents:live"
_PENDING = "livechat_events"


def agent_channel(agent_id: int) -> str:
    return f"agent:{agent_id}"


def agent_ref(agent: Agent | None) -> dict[str, Any] | None:
    return {"id": agent.id, "name": agent.name} if agent is not None else None


@dataclass
class PendingEvents:
    context: AppContext
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    queue_changed: bool = False

    async def publish(self) -> None:
        for channel, event in self.events:
            await self.context.hub.publish(channel, event)
        if self.queue_changed:
            await self.context.hub.publish(STAFF_CHANNEL, {"type": "queue.changed"})
            await publish_queue_positions(self.context)


def _pending(session: AsyncSession, context: AppContext) -> PendingEvents:
    pending: PendingEvents | None = session.info.get(_PENDING)
    registered = session.info.get("after_commit", [])
    if pending is None or pending.publish not in registered:
        pending = PendingEvents(context)
        session.info[_PENDING] = pending
        after_commit(session, pending.publish)
    return pending


def emit(session: AsyncSession, context: AppContext, channel: str, event: dict[str, Any]) -> None:
    _pending(session, context).events.append((channel, event))


def emit_to_conversation(
    session: AsyncSession, context: AppContext, public_id: str, event: dict[str, Any]
) -> None:
    emit(session, context, channel_of(public_id), event)


def emit_message(
    session: AsyncSession, context: AppContext, public_id: str, message: Message
) -> None:
    emit(session, context, channel_of(public_id), message_event(message))


def customer_wrote(session: AsyncSession, context: AppContext, conversation: Conversation) -> None:
    """Tell the assigned agent's console there is a new message (its unread count)."""
    if conversation.assigned_agent_id is not None:
        emit(
            session,
            context,
            agent_channel(conversation.assigned_agent_id),
            {"type": "conversation.message", "conversation_id": conversation.public_id},
        )


def queue_moved(session: AsyncSession, context: AppContext) -> None:
    _pending(session, context).queue_changed = True


async def publish_queue_positions(context: AppContext) -> None:
    """Tell every waiting customer where they stand now (read after the change committed)."""
    from lifeline.livechat.queue import queue_snapshot

    try:
        async with transaction(context.sessionmaker) as session:
            snapshot = await queue_snapshot(session, context)
    except Exception:  # the change itself is committed; a missed update is not fatal
        log.exception("could not compute the live-chat queue positions")
        return
    for public_id, place in snapshot.items():
        await context.hub.publish(
            channel_of(public_id),
            {
                "type": "queue",
                "position": place.position,
                "estimated_wait_seconds": place.estimated_wait_seconds,
            },
        )
