"""Queue views: one statement per page whatever the number of tickets, keyset pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.tickets.sweep import sweep_sla
from tests.tickets.conftest import Desk
from tests.tickets.test_sweep import _tickets


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_queue_view_query_count_does_not_grow(
    desk: Desk,
    make_client: Any,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    emma = await make_client(agent="emma@example.com")
    await _tickets(sessionmaker, settings, 3)
    counts = []
    sizes = []
    for _ in range(2):
        for view in ("team", "all", "unassigned", "breaching", "mine"):
            with count_statements(engine) as statements:
                response = await emma.get("/api/v1/tickets", params={"view": view, "limit": 100})
            assert response.status_code == 200
            counts.append((view, len(statements)))
            sizes.append(len(response.json()["items"]))
        # Add many more tickets: the number of statements must stay the same.
        await _more(sessionmaker, settings)
    assert counts[:5] == counts[5:]
    ticket_queries = [s for s in statements if "FROM tickets" in s]
    assert len(ticket_queries) == 1  # the page itself: people are joined, not lazy-loaded
    assert sizes[1] < sizes[6]


_offset = [100]


async def _more(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    from lifeline.accounts.models import Customer
    from lifeline.db import transaction
    from lifeline.security.audit import Actor
    from lifeline.tickets.models import TicketCategory
    from lifeline.tickets.service import NewTicket, create_ticket

    async with transaction(sessionmaker) as session:
        for index in range(_offset[0], _offset[0] + 25):
            customer = Customer(external_id=f"Q{index}", preferred_language="en")
            session.add(customer)
            await session.flush()
            await create_ticket(
                session,
                settings,
                customer,
                NewTicket(
                    subject=f"Trade {index}",
                    description="An order did not fill as expected",
                    category=TicketCategory.TRADING,
                    fields={"order_id": f"O{index}"},
                ),
                Actor("customer", str(customer.id)),
            )
    _offset[0] += 25


async def test_keyset_pages_cover_the_queue_once(
    desk: Desk,
    make_client: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    numbers = await _tickets(sessionmaker, settings, 12)
    sam = await make_client(agent="sam@example.com")
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"view": "all", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = (await sam.get("/api/v1/tickets", params=params)).json()
        seen.extend(item["number"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(numbers, reverse=True)


async def test_breaching_soon_is_ordered_by_due_time(
    desk: Desk,
    make_client: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    numbers = await _tickets(sessionmaker, settings, 6)
    sam = await make_client(agent="sam@example.com")
    # Deposits are due for a first response in 2 h: nothing breaches within the hour...
    soon = (await sam.get("/api/v1/tickets", params={"view": "breaching"})).json()
    assert soon["items"] == []
    # ...but all do within three hours, earliest first, each with its SLA state.
    later = await sam.get(
        "/api/v1/tickets", params={"view": "breaching", "within_minutes": 180, "limit": 4}
    )
    page = later.json()
    assert [item["number"] for item in page["items"]] == numbers[:4]
    rest = await sam.get(
        "/api/v1/tickets",
        params={"view": "breaching", "within_minutes": 180, "cursor": page["next_cursor"]},
    )
    assert [item["number"] for item in rest.json()["items"]] == numbers[4:]
    await sweep_sla(sessionmaker, now=utcnow() + timedelta(minutes=100))
    warned = (await sam.get("/api/v1/tickets", params={"view": "all"})).json()["items"]
    assert {item["sla"]["state"] for item in warned} == {"warning"}


async def test_filters_and_search(
    desk: Desk,
    make_client: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    numbers = await _tickets(sessionmaker, settings, 3)
    sam = await make_client(agent="sam@example.com")
    by_number = await sam.get("/api/v1/tickets", params={"view": "all", "q": f"#{numbers[1]}"})
    assert [item["number"] for item in by_number.json()["items"]] == [numbers[1]]
    by_text = await sam.get("/api/v1/tickets", params={"view": "all", "q": "deposit late"})
    assert by_text.json()["items"] == []
    by_subject = await sam.get("/api/v1/tickets", params={"view": "all", "q": "Deposit"})
    assert len(by_subject.json()["items"]) == 3
    by_category = await sam.get("/api/v1/tickets", params={"view": "all", "category": "futures"})
    assert by_category.json()["items"] == []
    by_status = await sam.get("/api/v1/tickets", params={"view": "all", "status": ["new", "open"]})
    assert len(by_status.json()["items"]) == 3
