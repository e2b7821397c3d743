"""SQL of conversations and messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.conversations.models import Conversation, Message


async def conversation_by_public_id(session: AsyncSession, public_id: str) -> Conversation | None:
    return await session.scalar(select(Conversation).where(Conversation.public_id == public_id))


async def conversations_of(
    session: AsyncSession, customer_id: int | None, visitor_id: int | None, limit: int = 50
) -> Sequence[Conversation]:
    owners = []
    if customer_id is not None:
        owners.append(Conversation.customer_id == customer_id)
    if visitor_id is not None:
        owners.append(Conversation.visitor_id == visitor_id)
    if not owners:
        return []
    query = (
        select(Conversation)
        .where(or_(*owners))
        .order_by(Conversation.last_message_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def messages(
    session: AsyncSession, conversation_id: int, *, include_internal: bool, after_id: int = 0
) -> Sequence[Message]:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id)
    )
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    return (await session.scalars(query)).all()


async def message_by_client_id(
    session: AsyncSession, conversation_id: int, client_message_id: str
) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.client_message_id == client_message_id,
        )
    )


async def reply_to(session: AsyncSession, conversation_id: int, message_id: int) -> Message | None:
    """The assistant's answer to a customer message (the next bot message after it)."""
    from lifeline.conversations.models import SenderType

    return await session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.id > message_id,
            Message.sender_type == SenderType.BOT,
        )
        .order_by(Message.id)
        .limit(1)
    )
