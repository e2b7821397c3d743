"""The status state machine: every pair of statuses, and the errors clients see."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from lifeline.db import utcnow
from lifeline.tickets.models import TicketStatus as S
from lifeline.tickets.state import (
    REOPEN_WINDOW,
    TRANSITIONS,
    IllegalTransition,
    check_transition,
    customer_may_reopen,
)
from tests.tickets.conftest import Desk, new_ticket

LEGAL = {
    (S.NEW, S.OPEN), (S.NEW, S.PENDING_CUSTOMER), (S.NEW, S.ON_HOLD), (S.NEW, S.ESCALATED),
    (S.NEW, S.RESOLVED), (S.NEW, S.CLOSED),
    (S.OPEN, S.PENDING_CUSTOMER), (S.OPEN, S.ON_HOLD), (S.OPEN, S.ESCALATED),
    (S.OPEN, S.RESOLVED), (S.OPEN, S.CLOSED),
    (S.PENDING_CUSTOMER, S.OPEN), (S.PENDING_CUSTOMER, S.ON_HOLD),
    (S.PENDING_CUSTOMER, S.ESCALATED), (S.PENDING_CUSTOMER, S.RESOLVED),
    (S.PENDING_CUSTOMER, S.CLOSED),
    (S.ON_HOLD, S.OPEN), (S.ON_HOLD, S.PENDING_CUSTOMER), (S.ON_HOLD, S.ESCALATED),
    (S.ON_HOLD, S.RESOLVED),
    (S.ESCALATED, S.OPEN), (S.ESCALATED, S.PENDING_CUSTOMER), (S.ESCALATED, S.ON_HOLD),
    (S.ESCALATED, S.RESOLVED),
    (S.RESOLVED, S.OPEN), (S.RESOLVED, S.CLOSED),
}  # fmt: skip


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_of_statuses(current: S, target: S) -> None:
    if (current, target) in LEGAL:
        check_transition(current, target)
        return
    with pytest.raises(IllegalTransition) as raised:
        check_transition(current, target)
    error = raised.value
    assert error.status_code == 409
    assert error.details["current"] == current.value
    assert error.details["allowed"] == sorted(s.value for s in TRANSITIONS[current])


def test_closed_is_final_and_says_what_to_do() -> None:
    assert TRANSITIONS[S.CLOSED] == frozenset()
    with pytest.raises(IllegalTransition, match="follow-up"):
        check_transition(S.CLOSED, S.OPEN)


def test_reopen_window() -> None:
    now = utcnow()
    assert customer_may_reopen(S.RESOLVED, now - REOPEN_WINDOW + REOPEN_WINDOW / 10, now)
    assert not customer_may_reopen(S.RESOLVED, now - REOPEN_WINDOW * 2, now)
    assert not customer_may_reopen(S.CLOSED, now, now)


async def test_illegal_transitions_through_the_api(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = (await alice.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    emma = await make_client(agent="emma@example.com")
    closed = await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "closed"})
    assert closed.status_code == 200, closed.text
    again = await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "open"})
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "follow-up" in error["message"]
    assert error["details"] == {"current": "closed", "target": "open", "allowed": []}
    # Customers cannot reply to a closed ticket either.
    reply = await alice.post(f"/api/v1/customer/tickets/{number}/replies", json={"body": "hi"})
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "illegal_transition"


async def test_escalated_needs_the_escalate_action(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = (await alice.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    emma = await make_client(agent="emma@example.com")
    response = await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "escalated"})
    assert response.status_code == 422
    on_hold = await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "on_hold"})
    assert on_hold.status_code == 200
    closed = await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "closed"})
    assert closed.status_code == 409
    assert closed.json()["error"]["details"]["allowed"] == [
        "escalated",
        "open",
        "pending_customer",
        "resolved",
    ]


async def test_customer_reply_reopens_a_resolved_ticket(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = (await alice.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    emma = await make_client(agent="emma@example.com")
    await emma.post(f"/api/v1/tickets/{number}/resolve", json={"reply": "Credited now."})
    reply = await alice.post(
        f"/api/v1/customer/tickets/{number}/replies", json={"body": "Still missing."}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "open"
    detail = (await emma.get(f"/api/v1/tickets/{number}")).json()
    assert "reopen" in [entry["event"] for entry in detail["entries"]]
    assert detail["sla"]["resolution"] in {"on_track", "warning"}
