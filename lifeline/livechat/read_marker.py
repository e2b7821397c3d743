"""How far the assigned agent has read a chat: the console's unread counts come from it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.conversations.models import Conversation
from lifeline.livechat import repository


async def mark_read(
    session: AsyncSession, conversation: Conversation, agent_id: int, message_id: int
) -> None:
    """The assigned agent has read up to ``message_id`` (others reading changes nothing; the
    marker never moves back or past the last message)."""
    if conversation.assigned_agent_id != agent_id:
        return
    latest = await repository.last_message_id(session, conversation.id)
    if latest is None:
        return
    read = min(message_id, latest)
    if read > (conversation.agent_read_message_id or 0):
        conversation.agent_read_message_id = read
