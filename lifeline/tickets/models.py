"""Tickets, their timeline, SLA policies and calendars, surveys, macros and notifications."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import lifeline.conversations.models  # noqa: F401  (registers the target of conversation_id)
from lifeline.accounts.models import Agent, Customer, Team, enum_column
from lifeline.attachments.models import Attachment
from lifeline.db import Base, TimestampMixin, utcnow


class TicketCategory(enum.StrEnum):
    DEPOSITS_WITHDRAWALS = "deposits_withdrawals"
    TRADING = "trading"
    FUTURES = "futures"
    ACCOUNT_SECURITY = "account_security"
    IDENTITY_VERIFICATION = "identity_verification"
    API = "api"
    LARGE_TRANSACTIONS = "large_transactions"
    P2P = "p2p"
    WEB3_WALLET = "web3_wallet"
    OTHER = "other"


class TicketPriority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _PRIORITY_ORDER.index(self)

    def raised(self) -> TicketPriority:
        return _PRIORITY_ORDER[min(self.rank + 1, len(_PRIORITY_ORDER) - 1)]


_PRIORITY_ORDER = list(TicketPriority)


class TicketStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    ON_HOLD = "on_hold"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketType(enum.StrEnum):
    STANDARD = "standard"
    COMPLAINT = "complaint"


class TicketChannel(enum.StrEnum):
    WEB = "web"
    APP = "app"
    EMAIL = "email"
    CHAT = "chat"
    TELEGRAM = "telegram"
    SOCIAL = "social"
    API = "api"


class EntryKind(enum.StrEnum):
    REPLY = "reply"
    NOTE = "note"
    EVENT = "event"


class AuthorType(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Ticket(TimestampMixin, Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    type: Mapped[TicketType] = mapped_column(enum_column(TicketType), default=TicketType.STANDARD)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[TicketCategory] = mapped_column(enum_column(TicketCategory))
    priority: Mapped[TicketPriority] = mapped_column(
        enum_column(TicketPriority), default=TicketPriority.NORMAL
    )
    status: Mapped[TicketStatus] = mapped_column(
        enum_column(TicketStatus), default=TicketStatus.NEW
    )
    # Denormalised from status (not resolved/closed) so that queue indexes are plain equalities.
    active: Mapped[bool] = mapped_column(default=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(16), default="en")
    channel: Mapped[TicketChannel] = mapped_column(
        enum_column(TicketChannel), default=TicketChannel.WEB
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None
    )
    # TxID, order number, asset, network, amount, address (see schemas.StructuredFields).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    funds_at_risk: Mapped[bool] = mapped_column(default=False)
    requested_priority: Mapped[str | None] = mapped_column(String(16), default=None)
    related_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    escalation_level: Mapped[int] = mapped_column(default=0)
    supervisor_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    # SLA clocks. Targets are business durations; due times are recomputed from
    # ``sla_started_at`` and the pauses whenever a pause ends.
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), default=None
    )
    sla_calendar: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sla_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_target_minutes: Mapped[int | None] = mapped_column(default=None)
    resolution_target_minutes: Mapped[int | None] = mapped_column(default=None)
    sla_pauses: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    sla_paused_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_warn_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_due_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(default=None)
    first_responded_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_warned_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_breached_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_warned_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_breached_at: Mapped[datetime | None] = mapped_column(default=None)
    # The earliest pending due time (queue order, "breaching soon") and the next moment the
    # sweep has something to do (a warning or a breach); both NULL while paused or done.
    sla_next_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_next_check_at: Mapped[datetime | None] = mapped_column(default=None)

    customer: Mapped[Customer] = relationship(lazy="raise")
    assignee: Mapped[Agent | None] = relationship(lazy="raise")
    team: Mapped[Team | None] = relationship(lazy="raise")


class TicketEntry(Base):
    """The timeline: public replies, internal notes and recorded events."""

    __tablename__ = "ticket_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    # Internal entries never reach the customer; everything not explicitly public is internal.
    internal: Mapped[bool] = mapped_column(default=True)
    author_type: Mapped[AuthorType] = mapped_column(enum_column(AuthorType))
    author_id: Mapped[str | None] = mapped_column(String(64), default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str | None] = mapped_column(String(64), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketAttachment(Base):
    __tablename__ = "ticket_attachments"
    __table_args__ = (UniqueConstraint("ticket_id", "attachment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("ticket_entries.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    internal: Mapped[bool] = mapped_column(default=False)

    attachment: Mapped[Attachment] = relationship(lazy="raise")


class BusinessCalendar(Base):
    """Working hours of a team in its time zone; ``always_open`` means 24x7."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    always_open: Mapped[bool] = mapped_column(default=False)
    # {"0": [["09:00", "18:00"]], ...} keyed by ISO weekday - 1 (Monday is "0").
    weekly_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)


class SlaPolicy(TimestampMixin, Base):
    """Targets for the tickets it matches; NULL criteria match anything."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_type: Mapped[str | None] = mapped_column(String(16), default=None)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    priority: Mapped[str | None] = mapped_column(String(16), default=None)
    channel: Mapped[str | None] = mapped_column(String(16), default=None)
    min_vip_tier: Mapped[int | None] = mapped_column(default=None)
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)


class RoutingState(Base):
    """Each agent's load (open tickets assigned) and when they last got a ticket (the
    round-robin tie-breaker). The count is kept by the assignment and status actions, so
    routing never counts tickets; ``recount_load`` rebuilds it from the tickets."""

    __tablename__ = "ticket_routing_state"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    active_tickets: Mapped[int] = mapped_column(default=0)
    last_assigned_at: Mapped[datetime | None] = mapped_column(default=None)


class SatisfactionSurvey(Base):
    __tablename__ = "satisfaction_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    rating: Mapped[int | None] = mapped_column(default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Macro(TimestampMixin, Base):
    __tablename__ = "macros"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # {"en": "...", "zh": "..."}; the ticket's language picks one.
    bodies: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Field changes applied with the reply: status, priority, category, add_tags.
    actions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )


class Notification(Base):
    """In-app inbox (agents) and the record of customer notices, channel-neutral."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_type: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="en")
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outbox_item_id: Mapped[int | None] = mapped_column(unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


# Queue views: equality on (assignee | team, active), newest first by id (keyset pagination).
Index("ix_tickets_assignee_queue", Ticket.assignee_id, Ticket.active, Ticket.id)
Index("ix_tickets_team_queue", Ticket.team_id, Ticket.active, Ticket.id)
Index("ix_tickets_customer", Ticket.customer_id, Ticket.id)
Index("ix_tickets_customer_created", Ticket.customer_id, Ticket.created_at)
Index("ix_tickets_active_queue", Ticket.active, Ticket.id)
Index("ix_tickets_sla_next_due", Ticket.sla_next_due_at, Ticket.id)
Index("ix_tickets_sla_next_check", Ticket.sla_next_check_at)
Index("ix_ticket_entries_timeline", TicketEntry.ticket_id, TicketEntry.id)
Index("ix_ticket_attachments_entry", TicketAttachment.entry_id)
Index("ix_satisfaction_surveys_ticket", SatisfactionSurvey.ticket_id)
Index("ix_satisfaction_surveys_agent", SatisfactionSurvey.agent_id)
Index("ix_notifications_recipient", Notification.recipient_type, Notification.recipient_id)
