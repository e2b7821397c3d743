"""Conversations across channels and their messages (always stored masked)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.accounts.models import enum_column
from lifeline.db import Base, TimestampMixin, new_public_id, utcnow


class Channel(enum.StrEnum):
    WEB = "web"
    APP = "app"
    EMAIL = "email"
    TELEGRAM = "telegram"
    SOCIAL = "social"
    API = "api"


class ConversationStatus(enum.StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SenderType(enum.StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Conversation(TimestampMixin, Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None, index=True
    )
    visitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("visitors.id", ondelete="SET NULL"), default=None, index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.WEB)
    language: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[ConversationStatus] = mapped_column(
        enum_column(ConversationStatus), default=ConversationStatus.BOT
    )
    assigned_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None, index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    # What the assistant collected for a human: intent, entities, checks made, what was said.
    handoff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Live chat: waiting in the queue, with whom, and how it ended.
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last message the assigned agent has read (None: nothing since the hand-off).
    agent_read_message_id: Mapped[int | None] = mapped_column(default=None)
    wrapped_up_at: Mapped[datetime | None] = mapped_column(default=None)
    vip_tier: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by a transfer: who may take it next (a language, one agent, or a supervisor).
    required_language: Mapped[str | None] = mapped_column(String(16), default=None)
    required_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    supervisor_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(default=None)
    rating_comment: Mapped[str | None] = mapped_column(Text, default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)
    # The ticket the chat was converted to (the foreign key lives in the migration, so this
    # module does not need the tickets' tables loaded).
    ticket_id: Mapped[int | None] = mapped_column(default=None)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_type: Mapped[SenderType] = mapped_column(enum_column(SenderType))
    sender_id: Mapped[str | None] = mapped_column(String(64), default=None)
    body: Mapped[str] = mapped_column(Text)
    # Which kinds of secret were masked out of the body (never the secrets themselves).
    masked_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    internal: Mapped[bool] = mapped_column(default=False)
    client_message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_messages_conversation", Message.conversation_id, Message.id)
Index("ix_conversations_queue", Conversation.status, Conversation.last_message_at)
Index("ix_conversations_waiting", Conversation.status, Conversation.queued_at)
Index("ix_conversations_agent_status", Conversation.assigned_agent_id, Conversation.status)
