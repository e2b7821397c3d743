from __future__ import annotations

from typing import Any

from tests.tickets.conftest import Desk, new_ticket


async def test_customer_creates_and_reads_a_ticket(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    created = await alice.post("/api/v1/customer/tickets", json=new_ticket())
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    assert number >= 100001
    read = await alice.get(f"/api/v1/customer/tickets/{number}")
    assert read.status_code == 200, read.text
    agent = await make_client(agent="emma@example.com")
    staff_view = await agent.get(f"/api/v1/tickets/{number}")
    assert staff_view.status_code == 200, staff_view.text
    print(staff_view.json())
