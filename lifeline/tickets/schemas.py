"""Ticket shapes on the wire: what customers send and see, and what agents see."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifeline.tickets.models import (
    EntryKind,
    TicketCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from lifeline.tickets.sla import ClockState


class StructuredFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    txid: str | None = Field(default=None, max_length=200)
    order_id: str | None = Field(default=None, max_length=100)
    asset: str | None = Field(default=None, max_length=20)
    network: str | None = Field(default=None, max_length=40)
    amount: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=200)

    def stored(self) -> dict[str, Any]:
        return {key: value.strip() for key, value in self.model_dump().items() if value}


class TicketCreate(BaseModel):
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    category: TicketCategory
    type: TicketType = TicketType.STANDARD
    priority: TicketPriority | None = None
    channel: Literal["web", "app"] = "web"
    language: Literal["en", "zh"] | None = None
    fields: StructuredFields = Field(default_factory=StructuredFields)
    funds_at_risk: bool = False
    related_ticket_number: int | None = None
    attachment_ids: list[str] = Field(default_factory=list, max_length=10)


class ReplyCreate(BaseModel):
    body: str = Field(min_length=1, max_length=20000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=10)


class AgentReplyCreate(ReplyCreate):
    then_status: TicketStatus | None = None


class SupervisorRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class StatusChange(BaseModel):
    status: TicketStatus
    reason: str | None = Field(default=None, max_length=2000)


class TicketUpdate(BaseModel):
    """Fields an agent may edit; only those sent are applied (exclude_unset)."""

    subject: str | None = Field(default=None, min_length=1, max_length=200)
    category: TicketCategory | None = None
    priority: TicketPriority | None = None
    tags: list[str] | None = Field(default=None, max_length=30)
    language: Literal["en", "zh"] | None = None
    fields: StructuredFields | None = None


class AssignRequest(BaseModel):
    agent_id: int | None


class TransferRequest(BaseModel):
    team: str
    agent_id: int | None = None
    reason: str = Field(min_length=1, max_length=2000)


class EscalateRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    team: str | None = None
    to_supervisor: bool = False


class MergeRequest(BaseModel):
    into: int


class ResolveRequest(BaseModel):
    reply: str | None = Field(default=None, max_length=20000)


class BulkAction(BaseModel):
    numbers: list[int] = Field(min_length=1, max_length=200)
    action: Literal["assign", "status", "priority", "add_tags"]
    agent_id: int | None = None
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    tags: list[str] = Field(default_factory=list, max_length=30)


class BulkResult(BaseModel):
    done: list[int]
    failed: dict[int, str]


class RatingCreate(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class SurveyRead(BaseModel):
    ticket_number: int
    subject: str
    used: bool
    prompt: str


class MacroCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    bodies: dict[Literal["en", "zh"], str]
    actions: dict[str, Any] = Field(default_factory=dict)

    @field_validator("actions")
    @classmethod
    def _valid_values(cls, value: dict[str, Any]) -> dict[str, Any]:
        if "status" in value:
            TicketStatus(value["status"])
        if "priority" in value:
            TicketPriority(value["priority"])
        if "category" in value:
            TicketCategory(value["category"])
        if "add_tags" in value and not isinstance(value["add_tags"], list):
            raise ValueError("add_tags must be a list")
        return value


class MacroRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    bodies: dict[str, str]
    actions: dict[str, Any]


class SlaRead(BaseModel):
    state: ClockState
    first_response: ClockState
    resolution: ClockState
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    next_due_at: datetime | None
    paused: bool


class AttachmentRef(BaseModel):
    public_id: str
    filename: str
    content_type: str
    size: int
    entry_id: int


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EntryKind
    event: str | None
    author_type: str
    body: str
    created_at: datetime


class StaffEntryRead(EntryRead):
    internal: bool
    author_id: str | None
    data: dict[str, Any]


class CustomerTicketRead(BaseModel):
    """What the requester sees: no internal notes, owners, tags or SLA internals."""

    number: int
    type: TicketType
    subject: str
    category: TicketCategory
    status: TicketStatus
    priority: TicketPriority
    language: str
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    merged_into: int | None = None


class CustomerTicketDetail(CustomerTicketRead):
    entries: list[EntryRead]
    attachments: list[AttachmentRef]


class TicketCreated(BaseModel):
    ticket: CustomerTicketRead
    duplicate: bool
    notice: str


class PersonRef(BaseModel):
    id: int
    name: str | None


class TicketListItem(BaseModel):
    number: int
    type: TicketType
    subject: str
    category: TicketCategory
    priority: TicketPriority
    status: TicketStatus
    language: str
    channel: TicketChannel
    tags: list[str]
    customer: PersonRef
    vip_tier: int
    assignee: PersonRef | None
    team: str | None
    escalation_level: int
    created_at: datetime
    updated_at: datetime
    sla: SlaRead


class TicketPage(BaseModel):
    items: list[TicketListItem]
    next_cursor: str | None


class StaffTicketDetail(TicketListItem):
    description: str
    fields: dict[str, Any]
    funds_at_risk: bool
    requested_priority: str | None
    conversation_id: int | None
    merged_into_id: int | None
    related_ticket_id: int | None
    entries: list[StaffEntryRead]
    attachments: list[AttachmentRef]


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    template: str
    language: str
    variables: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class SlaPolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    ticket_type: str | None
    category: str | None
    priority: str | None
    channel: str | None
    min_vip_tier: int | None
    first_response_minutes: int
    resolution_minutes: int
    is_active: bool


class SatisfactionRead(BaseModel):
    ratings: int
    average: float | None
