"""``lifeline tickets sweep`` as an operator runs it: a separate process on the same database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Customer
from lifeline.config import Settings
from lifeline.db import transaction, utcnow
from lifeline.security.audit import Actor
from lifeline.tickets import repository
from lifeline.tickets.models import TicketCategory
from lifeline.tickets.service import NewTicket, create_ticket
from tests.tickets.conftest import Desk


async def test_sweep_command_escalates_overdue_tickets(
    desk: Desk, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with transaction(sessionmaker) as session:
        customer = Customer(external_id="CLI1", preferred_language="en")
        session.add(customer)
        await session.flush()
        created = await create_ticket(
            session,
            settings,
            customer,
            NewTicket(
                subject="Old deposit",
                description="Opened three days ago and never answered",
                category=TicketCategory.DEPOSITS_WITHDRAWALS,
            ),
            Actor("customer", str(customer.id)),
            now=utcnow() - timedelta(days=3),
        )
        number = created.ticket.number
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIFELINE_") or k == "LIFELINE_MODEL_DIR"
    }
    env["LIFELINE_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["LIFELINE_DATABASE_URL"] = settings.database_url
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "lifeline.cli", "tickets", "sweep"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 breaches" in result.stdout
    async with sessionmaker() as session:
        ticket = await repository.ticket_by_number(session, number)
        assert ticket is not None
        assert ticket.resolution_breached_at is not None
        assert ticket.priority.value == "urgent"
