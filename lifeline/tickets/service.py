"""Tickets: creation (duplicates, limits, priority rules, routing, SLA), fetch-and-authorise,
queue views and the read models. Changes to existing tickets live in ``actions``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.deps import CustomerIdentity, Staff
from lifeline.accounts.models import Customer
from lifeline.attachments.models import Attachment
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.errors import InvalidRequest, NotFound, TooManyRequests
from lifeline.security.audit import Actor
from lifeline.security.masking import mask_secrets
from lifeline.security.permissions import Permission
from lifeline.tickets import actions, clocks, policies, repository, routing
from lifeline.tickets.duplicates import TicketFacts, find_duplicate
from lifeline.tickets.models import (
    EntryKind,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketChannel,
    TicketEntry,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from lifeline.tickets.texts import describe_minutes, render

P = TicketPriority
C = TicketCategory
# Per-customer creation limits: enough for a real problem, not for a flood.
CREATION_LIMITS = ((timedelta(hours=1), 5), (timedelta(days=1), 20))


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    message = "No such ticket."


class TicketLimitReached(TooManyRequests):
    code = "ticket_limit_reached"


async def access_ticket(
    session: AsyncSession,
    who: Staff | CustomerIdentity,
    number: int,
    *,
    for_update: bool = False,
) -> Ticket:
    """The one way to load a ticket for someone: staff with the tickets permission, or the
    customer who owns it. Anyone else gets the same 404 as for a ticket that does not exist."""
    if isinstance(who, Staff):
        who.require(Permission.TICKETS_HANDLE)
    elif who.customer is None:
        raise TicketNotFound()
    ticket = await repository.ticket_by_number(session, number, for_update=for_update)
    if ticket is None:
        raise TicketNotFound()
    if isinstance(who, CustomerIdentity) and (
        who.customer is None or ticket.customer_id != who.customer.id
    ):
        raise TicketNotFound()
    return ticket


def effective_priority(
    requested: TicketPriority | None,
    *,
    category: TicketCategory,
    vip_tier: int,
    funds_at_risk: bool,
) -> TicketPriority:
    """Pure: a customer's "high" or "urgent" is honoured only when the rules say so
    (account security, funds at risk, VIP); security cases start high whatever is asked."""
    floor = P.LOW
    if category == C.ACCOUNT_SECURITY:
        floor = P.URGENT if funds_at_risk else P.HIGH
    elif funds_at_risk and category in {C.DEPOSITS_WITHDRAWALS, C.WEB3_WALLET, C.P2P}:
        floor = P.HIGH
    asked = requested or P.NORMAL
    if asked == P.URGENT:
        if vip_tier >= 2 or (funds_at_risk and category != C.OTHER):
            allowed = P.URGENT
        elif vip_tier >= 1 or funds_at_risk:
            allowed = P.HIGH
        else:
            allowed = P.NORMAL
    elif asked == P.HIGH:
        allowed = P.HIGH if vip_tier >= 1 or funds_at_risk else P.NORMAL
    else:
        allowed = asked
    return max(floor, allowed, key=lambda priority: priority.rank)


@dataclass
class NewTicket:
    subject: str
    description: str
    category: TicketCategory
    requested_priority: TicketPriority | None = None
    ticket_type: TicketType = TicketType.STANDARD
    channel: TicketChannel = TicketChannel.WEB
    language: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    funds_at_risk: bool = False
    conversation_id: int | None = None
    related_ticket: Ticket | None = None
    attachments: Sequence[Attachment] = ()
    # Off for a message an auto-responder sent: acknowledging it by email could loop.
    acknowledge_by_email: bool = True
    # Off for a message whose sender is unproven: it must not join the customer's open ticket.
    join_duplicates: bool = True


@dataclass(frozen=True)
class Created:
    ticket: Ticket
    duplicate: bool
    notice: str


async def create_ticket(
    session: AsyncSession,
    settings: Settings,
    customer: Customer,
    new: NewTicket,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Created:
    now = now or utcnow()
    language = new.language or customer.preferred_language or settings.default_language
    subject = mask_secrets(new.subject.strip()).masked
    description = mask_secrets(new.description.strip()).masked
    if not subject or not description:
        raise InvalidRequest("A ticket needs a subject and a description.")
    if new.ticket_type == TicketType.STANDARD and new.join_duplicates:
        duplicate = await find_open_duplicate(
            session, customer, new.category, new.fields, f"{subject}\n{description}", lock=True
        )
        if duplicate is not None:
            return await _link_duplicate(session, duplicate, new, description, actor, now)
    await _check_creation_limits(session, customer, now)

    priority = effective_priority(
        new.requested_priority,
        category=new.category,
        vip_tier=customer.vip_tier,
        funds_at_risk=new.funds_at_risk,
    )
    decision = await routing.route(
        session,
        category=new.category,
        ticket_type=new.ticket_type,
        language=language,
        customer=customer,
    )
    ticket = Ticket(
        number=await repository.next_ticket_number(session),
        type=new.ticket_type,
        subject=subject[:200],
        description=description,
        category=new.category,
        priority=priority,
        status=TicketStatus.NEW,
        active=True,
        escalation_level=0,
        sla_pauses=[],
        requested_priority=new.requested_priority.value if new.requested_priority else None,
        customer_id=customer.id,
        team_id=decision.team.id if decision.team else None,
        assignee_id=decision.assignee.id if decision.assignee else None,
        tags=sorted(set(new.tags)),
        language=language,
        channel=new.channel,
        conversation_id=new.conversation_id,
        fields=new.fields,
        funds_at_risk=new.funds_at_risk,
        related_ticket_id=new.related_ticket.id if new.related_ticket else None,
        sla_started_at=now,
        created_at=now,
        updated_at=now,
    )
    ticket.customer = customer
    ticket.team = decision.team
    ticket.assignee = decision.assignee
    targets = await policies.targets_for(
        session,
        ticket_type=new.ticket_type.value,
        category=new.category.value,
        priority=priority.value,
        channel=new.channel.value,
        vip_tier=customer.vip_tier,
    )
    ticket.sla_policy_id = targets.policy_id
    clocks.start_clocks(
        ticket,
        await policies.calendar_for(session, decision.team),
        targets.first_response_minutes,
        targets.resolution_minutes,
        now,
    )
    session.add(ticket)
    await session.flush()
    await actions.record(
        session,
        ticket,
        actor,
        "create",
        kind=EntryKind.REPLY,
        body=description,
        internal=False,
        attachments=new.attachments,
        data={
            "priority": priority.value,
            "requested_priority": ticket.requested_priority,
            "routing": decision.reason,
            "sla_policy": targets.policy_name,
        },
        now=now,
    )
    if new.ticket_type == TicketType.COMPLAINT:
        notice = render(
            "complaint_next_steps",
            language,
            number=ticket.number,
            first_response=describe_minutes(targets.first_response_minutes, language),
            exchange=settings.exchange_name,
        )
        await actions.record(
            session, ticket, Actor.system(), "complaint_next_steps", body=notice, internal=False
        )
        template = "complaint_next_steps"
    else:
        notice = render("ticket_created", language, number=ticket.number)
        template = "ticket_created"
    await actions.notify_customer(
        session, ticket, template, by_email=new.acknowledge_by_email, text=notice
    )
    if decision.assignee is not None:
        await actions.notify_agent(session, decision.assignee.id, ticket, "ticket_assigned")
        # Last: the upsert locks the agent's load row until commit, and concurrent tickets
        # for the same agent queue on it; the shorter that wait, the better.
        await repository.adjust_load(session, decision.assignee.id, 1, assigned_at=now)
    return Created(ticket=ticket, duplicate=False, notice=notice)


async def find_open_duplicate(
    session: AsyncSession,
    customer: Customer,
    category: TicketCategory,
    fields: dict[str, str],
    text: str,
    *,
    lock: bool = False,
) -> Ticket | None:
    """The customer's open ticket that ``text`` (masked, as stored) repeats, if any; ``lock``
    takes it for update, for a caller about to add to it."""
    candidates = await repository.active_tickets_of_customer(session, customer.id)
    facts = [
        TicketFacts(t.id, t.category.value, t.fields or {}, f"{t.subject}\n{t.description}")
        for t in candidates
        if t.type == TicketType.STANDARD
    ]
    found = find_duplicate(TicketFacts(0, category.value, fields, text), facts)
    if found is None:
        return None
    if lock:
        return await repository.ticket_by_id(session, found.ticket_id, for_update=True)
    return next(t for t in candidates if t.id == found.ticket_id)


async def _link_duplicate(
    session: AsyncSession,
    existing: Ticket,
    new: NewTicket,
    description: str,
    actor: Actor,
    now: datetime,
) -> Created:
    """Add the repeated request to the open ticket and tell the customer, instead of a second
    ticket."""
    await actions.reply(
        session,
        existing,
        actor,
        description,
        attachments=new.attachments,
        event="duplicate_submission",
        now=now,
    )
    notice = render("duplicate_notice", existing.language, number=existing.number)
    await actions.record(
        session, existing, Actor.system(), "duplicate_notice", body=notice, internal=False, now=now
    )
    await actions.notify_customer(
        session, existing, "duplicate_notice", by_email=new.acknowledge_by_email, text=notice
    )
    return Created(ticket=existing, duplicate=True, notice=notice)


async def _check_creation_limits(session: AsyncSession, customer: Customer, now: datetime) -> None:
    for window, limit in CREATION_LIMITS:
        if await repository.count_created_since(session, customer.id, now - window) >= limit:
            raise TicketLimitReached(
                f"You can open at most {limit} tickets per {_describe(window)}; "
                "please add to an open ticket instead.",
                retry_after=int(window.total_seconds()),
            )


def _describe(window: timedelta) -> str:
    return "hour" if window <= timedelta(hours=1) else "day"


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    entries: Sequence[TicketEntry]
    attachments: Sequence[TicketAttachment]


async def ticket_detail(
    session: AsyncSession, ticket: Ticket, *, include_internal: bool
) -> TicketDetail:
    """The timeline as its reader may see it: customers never get internal entries."""
    entries = await repository.timeline(session, ticket.id, include_internal=include_internal)
    attachments = await repository.ticket_attachments(
        session, ticket.id, include_internal=include_internal
    )
    return TicketDetail(ticket, entries, attachments)


async def queue_view(
    session: AsyncSession,
    staff: Staff,
    where: repository.QueueFilter,
    *,
    after: repository.Cursor | None,
    limit: int,
) -> Sequence[Ticket]:
    return await repository.queue(session, where, after=after, limit=limit)


async def merged_into_number(session: AsyncSession, ticket: Ticket) -> int | None:
    if ticket.merged_into_id is None:
        return None
    target = await repository.ticket_by_id(session, ticket.merged_into_id)
    return target.number if target else None


async def related_ticket_for(
    session: AsyncSession, identity: CustomerIdentity, number: int | None
) -> Ticket | None:
    """A complaint may point at the ticket it is about; only at the customer's own."""
    if number is None:
        return None
    return await access_ticket(session, identity, number)


async def customer_tickets(
    session: AsyncSession, customer: Customer, *, before_number: int | None, limit: int
) -> Sequence[Ticket]:
    return await repository.customer_tickets(
        session, customer.id, before_number=before_number, limit=limit
    )


async def visible_attachment(
    session: AsyncSession, ticket: Ticket, public_id: str, *, include_internal: bool
) -> Attachment:
    """An attachment of this ticket that the reader may see (404 otherwise)."""
    link = await repository.ticket_attachment(session, ticket.id, public_id)
    if link is None or (link.internal and not include_internal):
        raise NotFound("No such attachment.")
    return link.attachment
