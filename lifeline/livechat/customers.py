"""The customer's side of live chat: where they are in the queue, files they send in the
chat, and rating the chat once it is resolved."""

from __future__ import annotations

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.deps import CustomerIdentity
from lifeline.attachments import repository as attachments_repository
from lifeline.attachments import service as attachments
from lifeline.attachments.models import Attachment
from lifeline.context import AppContext
from lifeline.conversations import service as conversations
from lifeline.conversations.models import Conversation, ConversationStatus, Message
from lifeline.db import utcnow
from lifeline.errors import Conflict, NotFound
from lifeline.livechat import events, repository
from lifeline.livechat.queue import queue_snapshot
from lifeline.livechat.schemas import QueueStatus, RatingCreate, RatingRead
from lifeline.security.audit import record_audit

S = ConversationStatus


class NotRatable(Conflict):
    code = "not_resolved"
    message = "Only a resolved chat can be rated."


class AlreadyRated(Conflict):
    code = "already_rated"
    message = "This chat has already been rated."


class ChatAttachmentNotFound(NotFound):
    code = "attachment_not_found"
    message = "No such attachment."


async def queue_status(
    session: AsyncSession, context: AppContext, conversation: Conversation
) -> QueueStatus:
    position: int | None = None
    wait: int | None = None
    agent: dict[str, str] | None = None
    if conversation.status == S.QUEUED:
        place = (await queue_snapshot(session, context)).get(conversation.public_id)
        if place is not None:
            position, wait = place.position, place.estimated_wait_seconds
    elif conversation.status == S.ASSIGNED and conversation.assigned_agent_id is not None:
        found = (await repository.agents_by_ids(session, [conversation.assigned_agent_id])).get(
            conversation.assigned_agent_id
        )
        agent = {"name": found.name} if found is not None else None
    return QueueStatus(
        status=conversation.status, position=position, estimated_wait_seconds=wait, agent=agent
    )


async def rate(
    session: AsyncSession,
    identity: CustomerIdentity,
    conversation: Conversation,
    rating: RatingCreate,
) -> RatingRead:
    if conversation.status != S.RESOLVED:
        raise NotRatable(status=conversation.status.value)
    await session.refresh(conversation, with_for_update=True)
    if conversation.rating is not None:
        raise AlreadyRated()
    comment = rating.comment or None
    conversation.rating = rating.score
    conversation.rating_comment = comment
    conversation.rated_at = utcnow()
    await record_audit(
        session,
        identity.actor,
        "conversation.rated",
        object_type="conversation",
        object_id=conversation.public_id,
        details={"score": rating.score, "agent_id": conversation.assigned_agent_id},
    )
    return RatingRead(score=rating.score, comment=comment)


def attachment_meta(attachment: Attachment) -> dict[str, object]:
    return {
        "public_id": attachment.public_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }


async def upload(
    session: AsyncSession,
    context: AppContext,
    identity: CustomerIdentity,
    conversation: Conversation,
    file: UploadFile,
    text: str | None,
) -> Message:
    """Store the file (content-sniffed, size-limited, safe name) and post it as a message."""
    stored_file = await attachments.store_upload(
        session, context.settings, file, filename=file.filename, owner=identity.actor
    )
    stored = await conversations.add_customer_message(
        session,
        conversation,
        text or "",
        client_message_id=None,
        sender_id=identity.actor.id,
        meta={"attachment": attachment_meta(stored_file)},
    )
    events.emit_message(session, context, conversation.public_id, stored.message)
    events.customer_wrote(session, context, conversation)
    return stored.message


async def attachment_in(
    session: AsyncSession, conversation: Conversation, public_id: str
) -> Attachment:
    """A file sent in this conversation; any other is reported as missing."""
    if not await repository.messages_with_attachment(session, conversation.id, public_id):
        raise ChatAttachmentNotFound()
    found = await attachments_repository.by_public_ids(session, [public_id])
    if not found:
        raise ChatAttachmentNotFound()
    return found[0]
