"""One named action per ticket change. Each writes the timeline entry and the audit entry,
and queues the real-time event (after commit) and any durable notification (outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.attachments.models import Attachment
from lifeline.db import utcnow
from lifeline.errors import InvalidRequest
from lifeline.security.audit import Actor, record_audit
from lifeline.security.masking import mask_secrets
from lifeline.tickets import clocks, policies, repository
from lifeline.tickets.email_updates import email_ticket_update
from lifeline.tickets.events import TicketEvent, publish_after_commit
from lifeline.tickets.models import (
    AuthorType,
    EntryKind,
    Ticket,
    TicketAttachment,
    TicketEntry,
    TicketPriority,
    TicketStatus,
)
from lifeline.tickets.notifications import notify
from lifeline.tickets.state import (
    IllegalTransition,
    check_transition,
    customer_may_reopen,
    is_active,
)

S = TicketStatus
SUPERVISOR_REQUEST_INTERVAL = timedelta(hours=24)
# Status changes the customer sees on their timeline; the rest is desk-internal.
_PUBLIC_STATUSES = {S.OPEN, S.PENDING_CUSTOMER, S.RESOLVED, S.CLOSED}


def _author(actor: Actor) -> tuple[AuthorType, str | None]:
    if actor.type == "agent":
        return AuthorType.AGENT, actor.id
    if actor.type in {"customer", "visitor"}:
        return AuthorType.CUSTOMER, actor.id
    return AuthorType.SYSTEM, actor.id


def agent_id_of(actor: Actor) -> int | None:
    return int(actor.id) if actor.type == "agent" and actor.id else None


async def record(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    action: str,
    *,
    kind: EntryKind = EntryKind.EVENT,
    body: str = "",
    internal: bool = True,
    data: dict[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    now: datetime | None = None,
) -> TicketEntry:
    """The single place a ticket change is written down: timeline, audit log, event."""
    now = now or utcnow()
    author_type, author_id = _author(actor)
    entry = TicketEntry(
        ticket_id=ticket.id,
        kind=kind,
        internal=internal,
        author_type=author_type,
        author_id=author_id,
        body=body,
        event=action,
        data=data or {},
        created_at=now,
    )
    session.add(entry)
    ticket.updated_at = now
    await session.flush()
    for attachment in attachments:
        session.add(
            TicketAttachment(
                ticket_id=ticket.id,
                entry_id=entry.id,
                attachment_id=attachment.id,
                internal=internal,
            )
        )
    await record_audit(
        session,
        actor,
        f"ticket.{action}",
        object_type="ticket",
        object_id=ticket.number,
        details={"entry_id": entry.id, **(data or {})},
    )
    event_data = {"entry_id": entry.id, "kind": kind.value, **(data or {})}
    publish_after_commit(session, _event(ticket, f"ticket.{action}", "staff", event_data))
    if not internal:
        publish_after_commit(session, _event(ticket, f"ticket.{action}", "customer", event_data))
    return entry


def _event(ticket: Ticket, event_type: str, audience: str, data: dict[str, Any]) -> TicketEvent:
    return TicketEvent(
        type=event_type,
        ticket_id=ticket.id,
        number=ticket.number,
        audience=audience,
        customer_id=ticket.customer_id,
        team_id=ticket.team_id,
        assignee_id=ticket.assignee_id,
        data=data,
    )


async def notify_customer(
    session: AsyncSession,
    ticket: Ticket,
    template: str,
    *,
    by_email: bool = True,
    reply: str | None = None,
    attachments: Sequence[Attachment] = (),
    **variables: Any,
) -> None:
    """In the customer's notifications and, for a ticket that came by email, by email too
    (unless ``by_email`` is off); ``reply`` is an agent's reply to quote in that email."""
    await notify(
        session,
        recipient_type="customer",
        recipient_id=ticket.customer_id,
        template=template,
        language=ticket.language,
        variables={"ticket_number": ticket.number, **variables},
    )
    if by_email:
        text = variables.get("text")
        await email_ticket_update(
            session,
            ticket,
            template,
            notice=text if isinstance(text, str) else None,
            reply=reply,
            attachment_ids=[attachment.id for attachment in attachments],
        )


async def notify_agent(
    session: AsyncSession, agent_id: int, ticket: Ticket, template: str, **variables: Any
) -> None:
    await notify(
        session,
        recipient_type="agent",
        recipient_id=agent_id,
        template=template,
        language="en",
        variables={"ticket_number": ticket.number, "subject": ticket.subject, **variables},
    )


async def apply_status(
    session: AsyncSession, ticket: Ticket, target: TicketStatus, now: datetime
) -> None:
    """Move the status and keep the clocks, ``active``, timestamps and load consistent."""
    previous = ticket.status
    if ticket.assignee_id is not None and is_active(previous) != is_active(target):
        await repository.adjust_load(session, ticket.assignee_id, 1 if is_active(target) else -1)
    if previous == S.PENDING_CUSTOMER and target != S.PENDING_CUSTOMER:
        clocks.resume(ticket, now)
    if previous == S.RESOLVED and is_active(target) and ticket.resolved_at is not None:
        # Time spent resolved does not count against the reopened ticket.
        ticket.sla_pauses = [
            *(ticket.sla_pauses or []),
            [ticket.resolved_at.isoformat(), now.isoformat()],
        ]
        ticket.resolved_at = None
    ticket.status = target
    ticket.active = is_active(target)
    if target == S.RESOLVED:
        ticket.resolved_at = now
    if target == S.CLOSED:
        ticket.closed_at = now
    if target == S.PENDING_CUSTOMER:
        clocks.pause(ticket, now)
    elif previous == S.RESOLVED and target == S.OPEN:
        clocks.recompute(ticket)
    else:
        clocks.refresh_schedule(ticket)


async def set_status(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    target: TicketStatus,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    if target == S.ESCALATED:
        raise InvalidRequest("Use the escalate action: an escalation needs a reason and target.")
    check_transition(ticket.status, target)
    previous = ticket.status
    await apply_status(session, ticket, target, now)
    action = "reopen" if previous == S.RESOLVED and target == S.OPEN else "status_change"
    await record(
        session,
        ticket,
        actor,
        action,
        internal=target not in _PUBLIC_STATUSES,
        # The customer sees that the status changed; the agent's reason stays on the desk.
        data={"from": previous.value, "to": target.value, "reason": reason},
        now=now,
    )


async def reopen(
    session: AsyncSession, ticket: Ticket, actor: Actor, *, reason: str | None = None
) -> None:
    if ticket.status == S.CLOSED:
        check_transition(S.CLOSED, S.OPEN)  # raises, pointing to a follow-up ticket
    if ticket.status != S.RESOLVED:
        raise IllegalTransition(
            "Only a resolved ticket can be reopened.", current=ticket.status.value
        )
    await set_status(session, ticket, actor, S.OPEN, reason=reason)


async def reply(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    body: str,
    *,
    attachments: Sequence[Attachment] = (),
    then_status: TicketStatus | None = None,
    event: str = "reply",
    notify_people: bool = True,
    now: datetime | None = None,
) -> TicketEntry:
    """A public reply. From the customer it reopens what waits on them; from an agent it is
    the first response (once) and may move the ticket on (e.g. to pending customer)."""
    now = now or utcnow()
    masked = mask_secrets(body)
    by_customer = actor.type in {"customer", "visitor"}
    if by_customer:
        await _customer_reply_status(session, ticket, actor, now)
    elif ticket.status == S.CLOSED:
        check_transition(ticket.status, S.OPEN)
    entry = await record(
        session,
        ticket,
        actor,
        event,
        kind=EntryKind.REPLY,
        body=masked.masked,
        internal=False,
        data={"masked": masked.kinds} if masked.kinds else {},
        attachments=attachments,
        now=now,
    )
    if not by_customer:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            clocks.refresh_schedule(ticket)
        target = then_status or (S.OPEN if ticket.status == S.NEW else None)
        if target is not None and target != ticket.status:
            await set_status(session, ticket, actor, target, now=now)
        if notify_people:
            await notify_customer(
                session, ticket, "agent_replied", reply=masked.masked, attachments=attachments
            )
    elif notify_people and ticket.assignee_id is not None:
        await notify_agent(session, ticket.assignee_id, ticket, "customer_replied")
    return entry


async def _customer_reply_status(
    session: AsyncSession, ticket: Ticket, actor: Actor, now: datetime
) -> None:
    if ticket.status == S.CLOSED:
        raise IllegalTransition(
            "This ticket is closed; please open a new ticket.", current=ticket.status.value
        )
    if ticket.status == S.RESOLVED:
        if not customer_may_reopen(ticket.status, ticket.resolved_at, now):
            raise IllegalTransition(
                "This ticket was resolved too long ago to reopen; please open a new ticket.",
                current=ticket.status.value,
            )
        await set_status(session, ticket, actor, S.OPEN, reason="customer replied", now=now)
    elif ticket.status in {S.PENDING_CUSTOMER, S.ON_HOLD}:
        await set_status(session, ticket, actor, S.OPEN, reason="customer replied", now=now)


async def add_note(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    body: str,
    *,
    attachments: Sequence[Attachment] = (),
) -> TicketEntry:
    return await record(
        session,
        ticket,
        actor,
        "note",
        kind=EntryKind.NOTE,
        body=mask_secrets(body).masked,
        internal=True,
        attachments=attachments,
    )


async def retarget(session: AsyncSession, ticket: Ticket) -> None:
    """Pick the SLA targets again (after a priority, category or team change); the clock keeps
    its start and its pauses."""
    targets = await policies.targets_for(
        session,
        ticket_type=ticket.type.value,
        category=ticket.category.value,
        priority=ticket.priority.value,
        channel=ticket.channel.value,
        vip_tier=ticket.customer.vip_tier,
    )
    calendar = await policies.calendar_for(session, ticket.team)
    ticket.sla_policy_id = targets.policy_id
    clocks.start_clocks(
        ticket,
        calendar,
        targets.first_response_minutes,
        targets.resolution_minutes,
        ticket.sla_started_at,
    )
    if ticket.sla_paused_at is not None:
        clocks.pause(ticket, ticket.sla_paused_at)


async def set_priority(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    priority: TicketPriority,
    *,
    reason: str | None = None,
) -> None:
    if priority == ticket.priority:
        return
    previous = ticket.priority
    ticket.priority = priority
    await retarget(session, ticket)
    await record(
        session,
        ticket,
        actor,
        "priority_change",
        body=reason or "",
        data={"from": previous.value, "to": priority.value},
    )


async def update_fields(
    session: AsyncSession, ticket: Ticket, actor: Actor, changes: dict[str, Any]
) -> None:
    """Subject, category, tags, language and structured fields (not status/priority/owner)."""
    changed: dict[str, Any] = {}
    for name in ("subject", "category", "tags", "language", "fields"):
        if name in changes and changes[name] != getattr(ticket, name):
            changed[name] = changes[name]
            setattr(ticket, name, changes[name])
    if not changed:
        return
    if "category" in changed:
        await retarget(session, ticket)
    await record(
        session,
        ticket,
        actor,
        "update",
        data={name: _plain(value) for name, value in changed.items()},
    )


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value
