"""Request and response shapes of conversations and the assistant's replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lifeline.conversations.models import Channel, ConversationStatus, SenderType


class ConversationCreate(BaseModel):
    channel: Channel = Channel.WEB
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description='The customer\'s IANA time zone (e.g. "Asia/Shanghai"): "yesterday at '
        '3pm" is read in it.',
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class MessageCreate(BaseModel):
    """A customer's message: free text, or a click on one of the assistant's actions."""

    text: str = Field(default="", max_length=8000)
    action: str | None = Field(default=None, max_length=100, pattern=r"^[a-z0-9_:.\-]+$")
    client_message_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\-:.]+$",
        description="Makes the post idempotent: a retry returns the first result.",
    )

    @model_validator(mode="after")
    def _text_or_action(self) -> MessageCreate:
        if not self.text.strip() and not self.action:
            raise ValueError("send a text or an action")
        return self


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sender_type: SenderType
    body: str
    masked_kinds: list[str]
    client_message_id: str | None
    created_at: datetime
    meta: dict[str, Any]


class ArticleLink(BaseModel):
    slug: str
    title: str
    url: str


class SuggestedAction(BaseModel):
    id: str
    label: str


class HandoffState(BaseModel):
    state: str = Field(description="none, queued, ticket_created or assigned")
    team: str | None = None
    ticket_number: str | None = None
    expected_response: str | None = None
    summary: dict[str, Any] = Field(default_factory=dict)


class AssistantReply(BaseModel):
    text: str
    lang: str
    intent: str | None
    confidence: float
    entities: dict[str, Any]
    articles: list[ArticleLink]
    actions: list[SuggestedAction]
    handoff: HandoffState


class PostMessageResponse(BaseModel):
    conversation_id: str
    message: MessageRead
    reply: AssistantReply | None = Field(
        description="The assistant's answer; none while a human agent has the conversation."
    )
    reply_message: MessageRead | None = None


class ConversationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    public_id: str
    channel: Channel
    language: str
    status: ConversationStatus
    intent: str | None
    created_at: datetime
    last_message_at: datetime


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]
