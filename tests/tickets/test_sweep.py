"""The SLA sweep: warnings before, escalation at the breach, once each, with two sweepers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Customer
from lifeline.config import Settings
from lifeline.db import create_engine, create_sessionmaker, transaction, utcnow
from lifeline.security.audit import Actor
from lifeline.security.models import AuditEntry
from lifeline.tickets import repository
from lifeline.tickets.models import Ticket, TicketCategory
from lifeline.tickets.service import NewTicket, create_ticket
from lifeline.tickets.sweep import sweep_sla
from tests.tickets.conftest import Desk, outbox_payloads


async def _tickets(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, count: int
) -> list[int]:
    numbers = []
    async with transaction(sessionmaker) as session:
        for index in range(count):
            customer = Customer(external_id=f"S{index}", preferred_language="en")
            session.add(customer)
            await session.flush()
            created = await create_ticket(
                session,
                settings,
                customer,
                NewTicket(
                    subject="Deposit missing",
                    description="My deposit has not arrived yet",
                    category=TicketCategory.DEPOSITS_WITHDRAWALS,
                    fields={"txid": f"{index:064x}"},
                ),
                Actor("customer", str(customer.id)),
            )
            numbers.append(created.ticket.number)
    return numbers


async def _breach_actions(sessionmaker: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(AuditEntry.object_id, AuditEntry.details).where(
                AuditEntry.action == "ticket.sla_breach"
            )
        )
        return Counter(f"{number}:{details['clock']}" for number, details in rows.all())


async def test_warning_then_breach_escalates_once(
    desk: Desk, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    [number] = await _tickets(sessionmaker, settings, 1)
    start = utcnow()
    # Deposits: first response in 2 h (warning at 96 min), resolution in 24 h.
    early = await sweep_sla(sessionmaker, now=start + timedelta(minutes=30))
    assert (early.warnings, early.breaches) == (0, 0)
    warned = await sweep_sla(sessionmaker, now=start + timedelta(minutes=100))
    assert (warned.warnings, warned.breaches) == (1, 0)
    assert (await sweep_sla(sessionmaker, now=start + timedelta(minutes=110))).warnings == 0
    breached = await sweep_sla(sessionmaker, now=start + timedelta(minutes=125))
    assert (breached.warnings, breached.breaches) == (0, 1)
    again = await sweep_sla(sessionmaker, now=start + timedelta(minutes=126))
    assert (again.warnings, again.breaches) == (0, 0)
    async with sessionmaker() as session:
        ticket = await repository.ticket_by_number(session, number)
        assert ticket is not None
        assert ticket.priority.value == "high"  # raised one step at the breach
        assert ticket.first_response_breached_at is not None
        assert ticket.escalation_level == 1
        # Next: the resolution clock's warning.
        assert ticket.sla_next_check_at == ticket.resolution_warn_at
    notified = await outbox_payloads(sessionmaker, "sla_breached")
    assert str(desk.sam.id) in {p["recipient_id"] for p in notified}  # the funds supervisor


async def test_a_paused_ticket_is_not_breached(
    desk: Desk,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    make_client: Any,
) -> None:
    [number] = await _tickets(sessionmaker, settings, 1)
    emma = await make_client(agent="emma@example.com")
    await emma.post(
        f"/api/v1/tickets/{number}/replies",
        json={"body": "Please send a screenshot", "then_status": "pending_customer"},
    )
    result = await sweep_sla(sessionmaker, now=utcnow() + timedelta(days=5))
    assert result.breaches == 0
    queue = (await emma.get("/api/v1/tickets", params={"view": "mine"})).json()["items"]
    assert queue[0]["sla"]["state"] == "paused"


async def _two_sweepers_at_once(settings: Settings, now: Any) -> list[Any]:
    # Separate engines: two workers with their own connections, as two processes would be.
    engines = [create_engine(settings), create_engine(settings)]
    try:
        makers = [create_sessionmaker(engine) for engine in engines]
        return list(
            await asyncio.gather(*(sweep_sla(maker, now=now, batch_size=7) for maker in makers))
        )
    finally:
        for engine in engines:
            await engine.dispose()


async def test_two_sweepers_escalate_each_breach_once(
    desk: Desk, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    numbers = await _tickets(sessionmaker, settings, 20)
    results = await _two_sweepers_at_once(settings, utcnow() + timedelta(days=3))
    assert sum(result.breaches for result in results) == 40  # two clocks per ticket
    breaches = await _breach_actions(sessionmaker)
    assert set(breaches) == {
        f"{n}:{clock}" for n in numbers for clock in ("first_response", "resolution")
    }
    assert set(breaches.values()) == {1}
    async with sessionmaker() as session:
        priorities = (await session.scalars(select(Ticket.priority))).all()
    # Two breaches each: normal -> high -> urgent, never further and never twice per breach.
    assert {p.value for p in priorities} == {"urgent"}


async def test_the_conditional_update_guards_even_without_the_lock(
    desk: Desk,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def always(_session: AsyncSession, _key: int) -> bool:
        return True

    monkeypatch.setattr(repository, "try_sweep_lock", always)
    await _tickets(sessionmaker, settings, 12)
    results = await _two_sweepers_at_once(settings, utcnow() + timedelta(days=3))
    assert sum(result.breaches for result in results) == 24
    assert set((await _breach_actions(sessionmaker)).values()) == {1}
