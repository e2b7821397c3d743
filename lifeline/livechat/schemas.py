"""Request and response shapes of live chat (agents' inbox and actions, customers' queue)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifeline.conversations.models import Channel, ConversationStatus
from lifeline.conversations.schemas import MessageRead


class AgentRef(BaseModel):
    id: int
    name: str


class CustomerRef(BaseModel):
    public_id: str
    user_id: str | None = None
    name: str | None = None


class AgentMessageRead(MessageRead):
    """A message as agents see it: internal notes included and marked, with the sender."""

    internal: bool
    sender_id: str | None


class ChatListItem(BaseModel):
    id: str
    status: ConversationStatus
    language: str
    channel: Channel
    intent: str | None
    vip_tier: int
    customer: CustomerRef | None
    assigned_agent: AgentRef | None
    team: str | None
    queued_at: datetime | None
    waiting_seconds: int | None
    last_message_at: datetime
    last_message_preview: str | None
    required_language: str | None = None
    unread: int | None = None


class ChatDetail(ChatListItem):
    handoff: dict[str, Any]
    messages: list[AgentMessageRead]
    tags: list[str]
    accepted_at: datetime | None = None
    wrapped_up_at: datetime | None = None
    rating: int | None = None
    rating_comment: str | None = None
    ticket_number: int | None = None


_TEXT = Field(min_length=1, max_length=8000)


class AgentMessageCreate(BaseModel):
    text: str = _TEXT
    client_message_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_\-:.]+$"
    )

    @model_validator(mode="after")
    def _not_blank(self) -> AgentMessageCreate:
        if not self.text.strip():
            raise ValueError("the text is empty")
        return self


class ReadMarker(BaseModel):
    message_id: int = Field(ge=1)


class NoteCreate(BaseModel):
    text: str = _TEXT

    @model_validator(mode="after")
    def _not_blank(self) -> NoteCreate:
        if not self.text.strip():
            raise ValueError("the note is empty")
        return self


class TagsUpdate(BaseModel):
    tags: list[str] = Field(
        max_length=20,
        json_schema_extra={"items": {"pattern": r"^[\w\-:.]{1,40}$"}},
    )

    @model_validator(mode="after")
    def _clean(self) -> TagsUpdate:
        import re

        cleaned = []
        for tag in self.tags:
            tag = tag.strip().lower()
            if not re.fullmatch(r"[\w\-:.]{1,40}", tag):
                raise ValueError("tags are 1-40 letters, digits, '-', '_', ':' or '.'")
            cleaned.append(tag)
        self.tags = sorted(set(cleaned))
        return self


class TransferRequest(BaseModel):
    agent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    team: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9\-]+$")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")
    supervisor: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _exactly_one_target(self) -> TransferRequest:
        targets = [
            self.agent_id is not None,
            self.team is not None,
            self.language is not None,
            bool(self.supervisor),
        ]
        if sum(targets) != 1:
            raise ValueError("give exactly one of agent_id, team, language or supervisor")
        return self


class WrapUpRequest(BaseModel):
    outcome: Literal["resolved", "ticket"]
    note: str | None = Field(default=None, max_length=2000)


class PresenceUpdate(BaseModel):
    status: Literal["online", "away", "offline"]


class PresenceRead(BaseModel):
    status: Literal["online", "away", "offline"]
    capacity: int
    active_chats: int


class QueueRow(BaseModel):
    team: str | None
    language: str
    waiting: int
    longest_wait_seconds: int


class AgentLoadRow(BaseModel):
    id: int
    name: str
    role: str
    status: Literal["online", "away", "offline"]
    active_chats: int
    capacity: int
    open_tickets: int


class Breaches(BaseModel):
    tickets_breached: int
    tickets_breaching_soon: int


class Overview(BaseModel):
    queues: list[QueueRow]
    agents: list[AgentLoadRow]
    breaches: Breaches
    conversations_waiting: int


class QueueStatus(BaseModel):
    status: ConversationStatus
    position: int | None
    estimated_wait_seconds: int | None
    agent: dict[str, str] | None


class RatingCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class RatingRead(BaseModel):
    score: int
    comment: str | None
