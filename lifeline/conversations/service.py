"""Conversations: starting them, fetch-and-authorise, and storing messages (masked first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.deps import CustomerIdentity, Staff
from lifeline.conversations import repository
from lifeline.conversations.models import Channel, Conversation, Message, SenderType
from lifeline.db import utcnow
from lifeline.errors import NotFound
from lifeline.security.masking import mask_secrets
from lifeline.security.permissions import Permission


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = "No such conversation."


def owns(identity: CustomerIdentity, conversation: Conversation) -> bool:
    if identity.customer is not None and conversation.customer_id == identity.customer.id:
        return True
    return identity.visitor is not None and conversation.visitor_id == identity.visitor.id


async def access_conversation(
    session: AsyncSession, who: CustomerIdentity | Staff, public_id: str
) -> Conversation:
    """The only way to load a conversation for someone: theirs, or any for a handling agent.
    Someone else's conversation is reported as missing, so ids reveal nothing."""
    conversation = await repository.conversation_by_public_id(session, public_id)
    if conversation is None:
        raise ConversationNotFound()
    if isinstance(who, Staff):
        who.require(Permission.CONVERSATIONS_HANDLE)
        return conversation
    if not owns(who, conversation):
        raise ConversationNotFound()
    return conversation


TIMEZONE_KEY = "timezone"


async def start_conversation(
    session: AsyncSession,
    identity: CustomerIdentity,
    channel: Channel,
    language: str,
    timezone: str | None = None,
) -> Conversation:
    conversation = Conversation(
        customer_id=identity.customer.id if identity.customer else None,
        visitor_id=identity.visitor.id if identity.visitor else None,
        channel=channel,
        language=language,
        handoff={},
        state={TIMEZONE_KEY: timezone} if timezone else {},
    )
    session.add(conversation)
    await session.flush()
    return conversation


@dataclass(frozen=True)
class StoredMessage:
    message: Message
    created: bool


async def add_customer_message(
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    *,
    client_message_id: str | None,
    sender_id: str | None,
    meta: dict[str, Any] | None = None,
) -> StoredMessage:
    """Store a customer's message, masked before anything else sees it; idempotent on the
    client's message id (a retried post returns the first message)."""
    if client_message_id:
        existing = await repository.message_by_client_id(
            session, conversation.id, client_message_id
        )
        if existing is not None:
            return StoredMessage(existing, created=False)
    masked = mask_secrets(text)
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.CUSTOMER,
        sender_id=sender_id,
        body=masked.masked,
        masked_kinds=masked.kinds,
        client_message_id=client_message_id,
        meta=meta or {},
    )
    try:
        async with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # A concurrent retry stored it first.
        assert client_message_id is not None
        existing = await repository.message_by_client_id(
            session, conversation.id, client_message_id
        )
        assert existing is not None
        return StoredMessage(existing, created=False)
    conversation.last_message_at = utcnow()
    return StoredMessage(message, created=True)


async def add_message(
    session: AsyncSession,
    conversation: Conversation,
    sender_type: SenderType,
    body: str,
    *,
    sender_id: str | None = None,
    internal: bool = False,
    meta: dict[str, Any] | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        sender_type=sender_type,
        sender_id=sender_id,
        body=body,
        masked_kinds=[],
        internal=internal,
        meta=meta or {},
    )
    session.add(message)
    conversation.last_message_at = utcnow()
    await session.flush()
    return message


def local_time(conversation: Conversation, now: datetime) -> datetime:
    """``now`` in the customer's time zone when the conversation knows it, so that the times
    they mention ("yesterday at 3pm") are read where they are."""
    zone = conversation.state.get(TIMEZONE_KEY) if conversation.state else None
    if isinstance(zone, str):
        try:
            return now.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return now
