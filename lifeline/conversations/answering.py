"""A customer's message on any channel (widget, app, Telegram): store it masked, let the
assistant answer while no person has the conversation, queue it for an agent when the assistant
hands over, and publish everything to live viewers after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.assistant.engine import TurnResult, respond
from lifeline.context import AppContext
from lifeline.conversations import repository, service
from lifeline.conversations.live import publish_messages
from lifeline.conversations.models import Conversation, ConversationStatus, Message, SenderType
from lifeline.db import after_commit, utcnow
from lifeline.livechat import events
from lifeline.livechat import service as livechat

# Nobody is on a wrapped-up chat (resolved, or carried on as a ticket): the assistant answers.
BOT_ANSWERS = {ConversationStatus.BOT, ConversationStatus.RESOLVED, ConversationStatus.CLOSED}

# What the channel keeps with the assistant's reply (the web keeps the shaped reply for
# redelivery); by default its language and intent.
ReplyMeta = Callable[[TurnResult], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Answered:
    message: Message
    reply: Message | None
    created: bool  # False: a redelivered message, answered the first time


async def _plain_meta(result: TurnResult) -> dict[str, Any]:
    return {"lang": result.lang, "intent": result.reply.intent}


async def answer_customer_message(
    session: AsyncSession,
    context: AppContext,
    conversation: Conversation,
    customer: Customer | None,
    text: str,
    *,
    client_message_id: str | None,
    sender_id: str | None,
    action: str | None = None,
    meta: dict[str, Any] | None = None,
    reply_meta: ReplyMeta = _plain_meta,
) -> Answered:
    """Idempotent on ``client_message_id``: a redelivered message returns the first answer."""
    stored = await service.add_customer_message(
        session,
        conversation,
        text,
        client_message_id=client_message_id,
        sender_id=sender_id,
        meta={**(meta or {}), **({"action": action} if action else {})} or None,
    )
    if not stored.created:
        previous = await repository.reply_to(session, conversation.id, stored.message.id)
        return Answered(stored.message, previous, created=False)
    published: list[Message] = [stored.message]

    async def publish() -> None:
        await publish_messages(context, conversation.public_id, published)

    after_commit(session, publish)
    events.customer_wrote(session, context, conversation)
    if conversation.status not in BOT_ANSWERS and action != "freeze_account":
        # A person has (or will have) this conversation: no automatic answer. The emergency
        # freeze works whoever has the chat.
        return Answered(stored.message, None, created=True)
    if conversation.status in BOT_ANSWERS:
        conversation.status = ConversationStatus.BOT
    status_before = conversation.status
    result = await respond(
        session,
        context,
        conversation,
        customer,
        text=stored.message.body,
        action=action,
        masked_kinds=stored.message.masked_kinds,
        now=utcnow(),
    )
    if result.reply.intent:
        conversation.intent = result.reply.intent
    reply = await service.add_message(
        session, conversation, SenderType.BOT, result.reply.text, meta=await reply_meta(result)
    )
    published.append(reply)
    if conversation.status == ConversationStatus.QUEUED and status_before != conversation.status:
        if status_before == ConversationStatus.ASSIGNED:
            conversation.status = status_before  # the agent who has it keeps it
        else:
            await livechat.enqueue(session, context, conversation)
    stored.message.meta = {
        **stored.message.meta,
        "intent": result.understanding.intent,
        "confidence": result.understanding.confidence,
        "lang": result.lang,
    }
    return Answered(stored.message, reply, created=True)
