"""Every SQL query of the tickets domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import InstrumentedAttribute

from lifeline.attachments.models import Attachment
from lifeline.tickets.models import (
    BusinessCalendar,
    Macro,
    Notification,
    RoutingState,
    SatisfactionSurvey,
    SlaPolicy,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketEntry,
    TicketPriority,
    TicketStatus,
)

TICKET_NUMBER_START = 100001
_INACTIVE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def next_ticket_number(session: AsyncSession) -> int:
    """A sequence on PostgreSQL; on SQLite the write lock (BEGIN IMMEDIATE) makes max+1 safe."""
    if _is_postgres(session):
        value = await session.scalar(text("SELECT nextval('ticket_number_seq')"))
        return int(value)
    current = await session.scalar(select(func.max(Ticket.number)))
    return max(int(current or 0) + 1, TICKET_NUMBER_START)


def _with_people(query: Select[Ticket]) -> Select[Ticket]:
    return query.options(
        joinedload(Ticket.customer), joinedload(Ticket.assignee), joinedload(Ticket.team)
    )


async def ticket_by_number(
    session: AsyncSession, number: int, *, for_update: bool = False
) -> Ticket | None:
    query = _with_people(select(Ticket).where(Ticket.number == number))
    if for_update and _is_postgres(session):
        # Lock only the ticket row: FOR UPDATE on the outer joins is not allowed.
        query = query.with_for_update(of=Ticket)
    return (await session.scalars(query)).unique().one_or_none()


async def ticket_by_id(
    session: AsyncSession, ticket_id: int, *, for_update: bool = False
) -> Ticket | None:
    query = _with_people(select(Ticket).where(Ticket.id == ticket_id))
    if for_update and _is_postgres(session):
        query = query.with_for_update(of=Ticket)
    return (await session.scalars(query)).unique().one_or_none()


async def active_tickets_of_customer(
    session: AsyncSession, customer_id: int, category: TicketCategory | None = None
) -> Sequence[Ticket]:
    query = select(Ticket).where(Ticket.customer_id == customer_id, Ticket.active.is_(True))
    if category is not None:
        query = query.where(Ticket.category == category)
    return (await session.scalars(query.order_by(Ticket.id.desc()).limit(50))).all()


async def count_created_since(session: AsyncSession, customer_id: int, since: datetime) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.customer_id == customer_id, Ticket.created_at >= since)
        )
        or 0
    )


async def timeline(
    session: AsyncSession, ticket_id: int, *, include_internal: bool
) -> Sequence[TicketEntry]:
    query = select(TicketEntry).where(TicketEntry.ticket_id == ticket_id)
    if not include_internal:
        query = query.where(TicketEntry.internal.is_(False))
    return (await session.scalars(query.order_by(TicketEntry.id))).all()


async def ticket_attachments(
    session: AsyncSession, ticket_id: int, *, include_internal: bool
) -> Sequence[TicketAttachment]:
    query = (
        select(TicketAttachment)
        .where(TicketAttachment.ticket_id == ticket_id)
        .options(selectinload(TicketAttachment.attachment))
    )
    if not include_internal:
        query = query.where(TicketAttachment.internal.is_(False))
    return (await session.scalars(query.order_by(TicketAttachment.id))).all()


async def ticket_attachment(
    session: AsyncSession, ticket_id: int, public_id: str
) -> TicketAttachment | None:
    return await session.scalar(
        select(TicketAttachment)
        .join(Attachment, Attachment.id == TicketAttachment.attachment_id)
        .where(TicketAttachment.ticket_id == ticket_id, Attachment.public_id == public_id)
        .options(selectinload(TicketAttachment.attachment))
    )


@dataclass(frozen=True)
class QueueFilter:
    view: str  # mine | team | unassigned | breaching | all
    agent_id: int | None = None
    team_ids: Sequence[int] = ()
    statuses: Sequence[TicketStatus] = ()
    category: TicketCategory | None = None
    priority: TicketPriority | None = None
    tag: str | None = None
    query: str | None = None
    breaching_before: datetime | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class Cursor:
    ticket_id: int
    due_at: datetime | None = None


async def queue(
    session: AsyncSession, where: QueueFilter, *, after: Cursor | None, limit: int
) -> Sequence[Ticket]:
    """One statement per page, whatever the page size: people are joined, not lazily loaded."""
    query = _with_people(select(Ticket))
    only_active = all(status not in _INACTIVE for status in where.statuses)
    if not where.include_inactive and only_active:
        # Also with a status filter: the equality on ``active`` keeps the queue indexes usable.
        query = query.where(Ticket.active.is_(True))
    if where.view == "mine":
        query = query.where(Ticket.assignee_id == where.agent_id)
    elif where.view == "team":
        query = query.where(Ticket.team_id.in_(list(where.team_ids)))
    elif where.view == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
        if where.team_ids:
            query = query.where(Ticket.team_id.in_(list(where.team_ids)))
    elif where.view == "breaching":
        query = query.where(Ticket.sla_next_due_at <= where.breaching_before)
    if where.statuses:
        query = query.where(Ticket.status.in_(list(where.statuses)))
    if where.category is not None:
        query = query.where(Ticket.category == where.category)
    if where.priority is not None:
        query = query.where(Ticket.priority == where.priority)
    if where.query:
        term = where.query.strip().lstrip("#")
        if term.isdigit():
            # A ticket number: the unique index answers at once.
            query = query.where(Ticket.number == int(term))
        else:
            query = query.where(Ticket.subject.ilike(f"%{_escape_like(term)}%", escape="\\"))
    if where.view == "breaching":
        order: list[InstrumentedAttribute[Any]] = [Ticket.sla_next_due_at, Ticket.id]
        if after is not None and after.due_at is not None:
            query = query.where(
                or_(
                    Ticket.sla_next_due_at > after.due_at,
                    and_(Ticket.sla_next_due_at == after.due_at, Ticket.id > after.ticket_id),
                )
            )
        query = query.order_by(*order)
    else:
        if after is not None:
            query = query.where(Ticket.id < after.ticket_id)
        query = query.order_by(Ticket.id.desc())
    tickets = (await session.scalars(query.limit(limit))).unique().all()
    if where.tag:
        # Tags are a JSON list; filter after the page is read (a tag filter narrows, it
        # never needs the database to scan more than the indexed page).
        tickets = [ticket for ticket in tickets if where.tag in (ticket.tags or [])]
    return tickets


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def customer_tickets(
    session: AsyncSession, customer_id: int, *, before_number: int | None, limit: int
) -> Sequence[Ticket]:
    query = select(Ticket).where(Ticket.customer_id == customer_id)
    if before_number is not None:
        query = query.where(Ticket.number < before_number)
    return (await session.scalars(query.order_by(Ticket.number.desc()).limit(limit))).all()


async def tickets_by_numbers(session: AsyncSession, numbers: Sequence[int]) -> Sequence[Ticket]:
    query = _with_people(select(Ticket).where(Ticket.number.in_(list(numbers))))
    return (await session.scalars(query.order_by(Ticket.id))).unique().all()


@dataclass(frozen=True)
class AgentLoad:
    active_tickets: int
    last_assigned_at: datetime | None


async def agent_loads(session: AsyncSession, agent_ids: Sequence[int]) -> dict[int, AgentLoad]:
    if not agent_ids:
        return {}
    rows = await session.scalars(
        select(RoutingState).where(RoutingState.agent_id.in_(list(agent_ids)))
    )
    return {row.agent_id: AgentLoad(row.active_tickets, row.last_assigned_at) for row in rows}


async def adjust_load(
    session: AsyncSession, agent_id: int, delta: int, *, assigned_at: datetime | None = None
) -> None:
    """Atomic (an upsert with ``active_tickets + delta``): concurrent assignments add up."""
    insert = postgresql_insert if _is_postgres(session) else sqlite_insert
    statement = insert(RoutingState).values(
        agent_id=agent_id, active_tickets=max(delta, 0), last_assigned_at=assigned_at
    )
    changes: dict[str, Any] = {"active_tickets": RoutingState.active_tickets + delta}
    if assigned_at is not None:
        changes["last_assigned_at"] = statement.excluded.last_assigned_at
    await session.execute(
        statement.on_conflict_do_update(index_elements=[RoutingState.agent_id], set_=changes)
    )


async def recount_load(session: AsyncSession) -> None:
    """Rebuild every agent's load from the tickets (after a bulk import, or to repair)."""
    rows = await session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.is_not(None), Ticket.active.is_(True))
        .group_by(Ticket.assignee_id)
    )
    counts = {int(agent_id): int(count) for agent_id, count in rows.all() if agent_id}
    await session.execute(update(RoutingState).values(active_tickets=0))
    for agent_id, count in counts.items():
        await adjust_load(session, agent_id, 0)
        await session.execute(
            update(RoutingState)
            .where(RoutingState.agent_id == agent_id)
            .values(active_tickets=count)
        )


async def active_policies(session: AsyncSession) -> Sequence[SlaPolicy]:
    return (await session.scalars(select(SlaPolicy).where(SlaPolicy.is_active.is_(True)))).all()


async def all_policies(session: AsyncSession) -> Sequence[SlaPolicy]:
    return (await session.scalars(select(SlaPolicy).order_by(SlaPolicy.id))).all()


async def calendar_for_team(session: AsyncSession, team_id: int) -> BusinessCalendar | None:
    return await session.scalar(select(BusinessCalendar).where(BusinessCalendar.team_id == team_id))


async def all_calendars(session: AsyncSession) -> Sequence[BusinessCalendar]:
    return (await session.scalars(select(BusinessCalendar))).all()


async def due_for_sweep(session: AsyncSession, now: datetime, limit: int) -> Sequence[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.sla_next_check_at <= now)
        .order_by(Ticket.sla_next_check_at, Ticket.id)
        .limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return (await session.scalars(query)).all()


async def claim_sla_mark(session: AsyncSession, ticket_id: int, column: str, now: datetime) -> bool:
    """Set one warned/breached timestamp if it is still unset; True for the one who set it."""
    attribute = getattr(Ticket, column)
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, attribute.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult


async def try_sweep_lock(session: AsyncSession, key: int) -> bool:
    """PostgreSQL: one sweeper at a time (released at commit). SQLite: the write lock."""
    if not _is_postgres(session):
        return True
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))


async def survey_by_nonce(session: AsyncSession, nonce: str) -> SatisfactionSurvey | None:
    return await session.scalar(select(SatisfactionSurvey).where(SatisfactionSurvey.nonce == nonce))


async def use_survey(
    session: AsyncSession, survey_id: int, rating: int, comment: str | None, now: datetime
) -> bool:
    result = await session.execute(
        update(SatisfactionSurvey)
        .where(SatisfactionSurvey.id == survey_id, SatisfactionSurvey.used_at.is_(None))
        .values(used_at=now, rating=rating, comment=comment)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult


async def satisfaction_summary(
    session: AsyncSession, *, agent_id: int | None = None, team_id: int | None = None
) -> tuple[int, float | None]:
    query = select(func.count(), func.avg(SatisfactionSurvey.rating)).where(
        SatisfactionSurvey.rating.is_not(None)
    )
    if agent_id is not None:
        query = query.where(SatisfactionSurvey.agent_id == agent_id)
    if team_id is not None:
        query = query.where(SatisfactionSurvey.team_id == team_id)
    row = (await session.execute(query)).one()
    count: int = row[0]
    average: Any = row[1]
    return int(count), None if average is None else float(average)


async def list_macros(session: AsyncSession) -> Sequence[Macro]:
    return (await session.scalars(select(Macro).order_by(Macro.name))).all()


async def macro_by_id(session: AsyncSession, macro_id: int) -> Macro | None:
    return await session.get(Macro, macro_id)


async def notification_for_outbox_item(
    session: AsyncSession, outbox_item_id: int
) -> Notification | None:
    return await session.scalar(
        select(Notification).where(Notification.outbox_item_id == outbox_item_id)
    )


async def notifications_for(
    session: AsyncSession, recipient_type: str, recipient_id: str, *, unread_only: bool, limit: int
) -> Sequence[Notification]:
    query = select(Notification).where(
        Notification.recipient_type == recipient_type, Notification.recipient_id == recipient_id
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return (await session.scalars(query.order_by(Notification.id.desc()).limit(limit))).all()


async def notification_by_id(session: AsyncSession, notification_id: int) -> Notification | None:
    return await session.get(Notification, notification_id)
