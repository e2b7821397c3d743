"""The SLA sweep: warns before a breach and escalates at the breach, each exactly once.

Safe with several workers: on PostgreSQL one sweeper at a time holds a transaction-scoped
advisory lock (the others return at once) and rows are taken ``FOR UPDATE SKIP LOCKED``; on
SQLite every transaction holds the write lock. Each warning or breach is also claimed with a
conditional UPDATE (``... WHERE breached_at IS NULL``), so even a sweeper that raced past the
locks could not escalate the same breach twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.db import transaction, utcnow
from lifeline.security.audit import Actor
from lifeline.tickets import actions, assignment, clocks, repository
from lifeline.tickets.models import Ticket

# pg_try_advisory_xact_lock key: "SLA sweep" (any constant shared by all nodes).
SWEEP_LOCK_KEY = 0x51A_5EE9
CLOCKS = ("first_response", "resolution")


@dataclass
class SweepResult:
    locked: bool = True
    checked: int = 0
    warnings: int = 0
    breaches: int = 0


async def sweep_sla(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime | None = None,
    batch_size: int = 200,
    max_batches: int = 50,
) -> SweepResult:
    """Process every ticket whose next SLA check is due; one transaction per batch."""
    now = now or utcnow()
    result = SweepResult()
    for _ in range(max_batches):
        async with transaction(sessionmaker) as session:
            if not await repository.try_sweep_lock(session, SWEEP_LOCK_KEY):
                result.locked = False
                return result
            tickets = await repository.due_for_sweep(session, now, batch_size)
            for ticket in tickets:
                await _check_ticket(session, ticket, now, result)
        result.checked += len(tickets)
        if len(tickets) < batch_size:
            break
    return result


async def _check_ticket(
    session: AsyncSession, ticket: Ticket, now: datetime, result: SweepResult
) -> None:
    if ticket.active and ticket.sla_paused_at is None:
        for clock in CLOCKS:
            pending = clock == "resolution" or ticket.first_responded_at is None
            if not pending:
                continue
            due_at: datetime | None = getattr(ticket, f"{clock}_due_at")
            warn_at: datetime | None = getattr(ticket, f"{clock}_warn_at")
            breached = getattr(ticket, f"{clock}_breached_at") is not None
            warned = getattr(ticket, f"{clock}_warned_at") is not None
            if due_at is not None and now >= due_at and not breached:
                if await _claim(session, ticket, f"{clock}_breached_at", now):
                    await _breach(session, ticket, clock, due_at, now)
                    result.breaches += 1
            elif (
                warn_at is not None
                and now >= warn_at
                and not warned
                and not breached
                and await _claim(session, ticket, f"{clock}_warned_at", now)
            ):
                await _warn(session, ticket, clock, due_at, now)
                result.warnings += 1
    clocks.refresh_schedule(ticket)


async def _claim(session: AsyncSession, ticket: Ticket, column: str, now: datetime) -> bool:
    if await repository.claim_sla_mark(session, ticket.id, column, now):
        setattr(ticket, column, now)
        return True
    await session.refresh(ticket)
    return False


async def _warn(
    session: AsyncSession, ticket: Ticket, clock: str, due_at: datetime | None, now: datetime
) -> None:
    await actions.record(
        session,
        ticket,
        Actor.system(),
        "sla_warning",
        data={"clock": clock, "due_at": due_at.isoformat() if due_at else None},
        now=now,
    )
    recipients = (
        [ticket.assignee_id]
        if ticket.assignee_id is not None
        else [agent.id for agent in await assignment.supervisors_for(session, ticket.team_id)]
    )
    for agent_id in recipients:
        await actions.notify_agent(
            session, agent_id, ticket, "sla_warning", clock=clock, due_at=_iso(due_at)
        )


async def _breach(
    session: AsyncSession, ticket: Ticket, clock: str, due_at: datetime, now: datetime
) -> None:
    """Escalation at breach: raise the priority a step, tell the supervisors and the owner."""
    previous = ticket.priority
    ticket.priority = previous.raised()
    ticket.escalation_level += 1
    await actions.record(
        session,
        ticket,
        Actor.system(),
        "sla_breach",
        data={
            "clock": clock,
            "due_at": due_at.isoformat(),
            "priority_from": previous.value,
            "priority_to": ticket.priority.value,
        },
        now=now,
    )
    supervisors = await assignment.supervisors_for(session, ticket.team_id)
    recipients = {agent.id for agent in supervisors}
    if ticket.assignee_id is not None:
        recipients.add(ticket.assignee_id)
    for agent_id in sorted(recipients):
        await actions.notify_agent(
            session, agent_id, ticket, "sla_breached", clock=clock, due_at=_iso(due_at)
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
