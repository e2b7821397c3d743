"""What customers can do and see: their own tickets only, never an internal note."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.context import AppContext
from lifeline.tickets.models import TicketPriority
from lifeline.tickets.service import effective_priority
from tests.tickets.conftest import Desk, drain, new_ticket, outbox_payloads

P = TicketPriority


async def _create(client: Any, **overrides: Any) -> int:
    response = await client.post("/api/v1/customer/tickets", json=new_ticket(**overrides))
    assert response.status_code == 201, response.text
    number: int = response.json()["ticket"]["number"]
    return number


async def test_a_customer_never_reads_another_customers_ticket(
    desk: Desk, make_client: Any
) -> None:
    alice = await make_client(customer="U1001")
    wei = await make_client(customer="U1002")
    number = await _create(alice)
    for method, path, body in [
        ("GET", f"/api/v1/customer/tickets/{number}", None),
        ("POST", f"/api/v1/customer/tickets/{number}/replies", {"body": "mine now"}),
        ("POST", f"/api/v1/customer/tickets/{number}/supervisor", {}),
    ]:
        response = await wei.request(method, path, json=body)
        # The same answer as for a ticket that does not exist: existence does not leak.
        assert response.status_code == 404, (path, response.text)
        missing = await wei.request(method, path.replace(str(number), "999999"), json=body)
        assert response.json() == missing.json()
    assert (await wei.get("/api/v1/customer/tickets")).json() == []
    assert [t["number"] for t in (await alice.get("/api/v1/customer/tickets")).json()] == [number]


async def test_customers_cannot_use_the_agent_api(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = await _create(alice)
    assert (await alice.get(f"/api/v1/tickets/{number}")).status_code == 401
    assert (await alice.get("/api/v1/tickets")).status_code == 401


async def test_internal_notes_never_reach_the_customer(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alice = await make_client(customer="U1001")
    number = await _create(alice)
    emma = await make_client(agent="emma@example.com")
    note = await emma.post(
        f"/api/v1/tickets/{number}/notes", json={"body": "Customer flagged by risk: do not refund"}
    )
    assert note.status_code == 200
    await emma.post(
        f"/api/v1/tickets/{number}/escalate", json={"reason": "risk review", "team": "compliance"}
    )
    await emma.post(f"/api/v1/tickets/{number}/replies", json={"body": "We are checking."})
    staff_view = (await emma.get(f"/api/v1/tickets/{number}")).json()
    assert any(entry["internal"] for entry in staff_view["entries"])
    customer_view = await alice.get(f"/api/v1/customer/tickets/{number}")
    text = customer_view.text
    assert "risk" not in text
    assert "compliance" not in text
    bodies = [entry["body"] for entry in customer_view.json()["entries"]]
    assert "We are checking." in bodies
    assert all(
        entry["event"] not in {"note", "escalate"} for entry in customer_view.json()["entries"]
    )


async def test_secrets_in_a_ticket_are_masked(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    number = await _create(alice, description=f"My seed phrase is {phrase}, please help")
    detail = (await alice.get(f"/api/v1/customer/tickets/{number}")).json()
    assert phrase not in str(detail)


async def test_duplicate_by_txid_is_linked_not_created(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alice = await make_client(customer="U1001")
    number = await _create(alice)
    repeat = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="Where is my bitcoin?",
            description="Still nothing arrived, what is going on",
            fields={"txid": "A" * 64},
        ),
    )
    assert repeat.status_code == 200, repeat.text
    body = repeat.json()
    assert body["duplicate"] is True
    assert body["ticket"]["number"] == number
    assert f"#{number}" in body["notice"]
    assert len((await alice.get("/api/v1/customer/tickets")).json()) == 1
    timeline = (await alice.get(f"/api/v1/customer/tickets/{number}")).json()["entries"]
    assert "Still nothing arrived, what is going on" in [entry["body"] for entry in timeline]
    assert await outbox_payloads(sessionmaker, "duplicate_notice")


async def test_duplicate_by_similar_text_in_chinese(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1003", lang="zh")
    text = "我的提现已经三个小时了还没有到账，请帮我查一下是什么原因"
    await _create(alice, subject="提现未到账", description=text, fields={}, category="other")
    repeat = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(subject="提现未到账", description=text + "！", fields={}, category="other"),
    )
    assert repeat.json()["duplicate"] is True
    assert "工单" in repeat.json()["notice"]


async def test_a_different_problem_is_a_new_ticket(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    await _create(alice)
    other = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="Futures position liquidated",
            description="My ETH long was liquidated although the mark price never got there.",
            category="futures",
            fields={"order_id": "F-123"},
        ),
    )
    assert other.status_code == 201
    assert other.json()["duplicate"] is False


async def test_creation_is_limited_per_customer(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    for index in range(5):
        await _create(
            alice,
            subject=f"Question {index}",
            description=f"Distinct question number {index} about topic {index * 7}",
            fields={"order_id": f"O-{index}"},
            category="trading",
        )
    sixth = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(subject="One more", description="Another unrelated thing entirely here"),
    )
    assert sixth.status_code == 429
    assert sixth.json()["error"]["code"] == "ticket_limit_reached"
    assert int(sixth.headers["Retry-After"]) > 0


def test_requested_priority_is_honoured_only_by_the_rules() -> None:
    def rule(asked: P | None, category: str = "trading", vip: int = 0, at_risk: bool = False) -> P:
        from lifeline.tickets.models import TicketCategory

        return effective_priority(
            asked, category=TicketCategory(category), vip_tier=vip, funds_at_risk=at_risk
        )

    assert rule(P.URGENT) == P.NORMAL
    assert rule(P.HIGH) == P.NORMAL
    assert rule(P.LOW) == P.LOW
    assert rule(P.HIGH, vip=1) == P.HIGH
    assert rule(P.URGENT, vip=1) == P.HIGH
    assert rule(P.URGENT, vip=2) == P.URGENT
    assert rule(None, category="account_security") == P.HIGH
    assert rule(P.LOW, category="account_security") == P.HIGH
    assert rule(P.URGENT, category="account_security", at_risk=True) == P.URGENT
    assert rule(None, category="deposits_withdrawals", at_risk=True) == P.HIGH


async def test_security_cases_get_the_fastest_clock(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    response = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="Someone changed my 2FA",
            description="I got an email that my 2FA was reset and I did not do it",
            category="account_security",
            priority="urgent",
            funds_at_risk=True,
            fields={},
        ),
    )
    assert response.status_code == 201
    assert response.json()["ticket"]["priority"] == "urgent"
    emma = await make_client(agent="omar@example.com")
    detail = (await emma.get(f"/api/v1/tickets/{response.json()['ticket']['number']}")).json()
    assert detail["team"] == "account-security"
    assert detail["assignee"]["id"] == desk.omar.id
    created = detail["created_at"]
    from datetime import datetime

    due = datetime.fromisoformat(detail["sla"]["first_response_due_at"])
    assert (due - datetime.fromisoformat(created)).total_seconds() == 5 * 60


async def test_complaints_go_to_a_supervisor_with_next_steps(
    desk: Desk,
    make_client: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    context: AppContext,
) -> None:
    alice = await make_client(customer="U1001", lang="zh")
    original = await _create(alice)
    response = await alice.post(
        "/api/v1/customer/tickets",
        json={
            "type": "complaint",
            "subject": "对处理结果不满意",
            "description": "我的充值问题拖了很久没有解决，我要投诉",
            "category": "deposits_withdrawals",
            "related_ticket_number": original,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["duplicate"] is False  # a complaint is never folded into the ticket it is about
    assert body["ticket"]["type"] == "complaint"
    assert "监管" in body["notice"]  # the regulator, as a last resort
    number = body["ticket"]["number"]
    sam = await make_client(agent="sam@example.com")
    detail = (await sam.get(f"/api/v1/tickets/{number}")).json()
    assert detail["assignee"]["id"] == desk.sam.id
    assert detail["related_ticket_id"] is not None
    assert "complaint_next_steps" in [e["event"] for e in detail["entries"]]
    customer_view = (await alice.get(f"/api/v1/customer/tickets/{number}")).json()
    assert any("监管" in entry["body"] for entry in customer_view["entries"])
    # Complaints run on their own clock.
    from datetime import datetime

    due = datetime.fromisoformat(detail["sla"]["first_response_due_at"])
    assert (due - datetime.fromisoformat(detail["created_at"])).total_seconds() == 4 * 3600
    await drain(context)
    inbox = (await sam.get("/api/v1/notifications")).json()
    assert any(item["variables"]["ticket_number"] == number for item in inbox)


async def test_complaint_in_english_mentions_the_regulator(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    response = await alice.post(
        "/api/v1/customer/tickets",
        json={
            "type": "complaint",
            "subject": "Unfair liquidation",
            "description": "I want to complain about how my case was handled",
            "category": "futures",
        },
    )
    assert "regulator" in response.json()["notice"]
    assert "supervisor" in response.json()["notice"]


async def test_a_complaint_cannot_point_at_someone_elses_ticket(
    desk: Desk, make_client: Any
) -> None:
    alice = await make_client(customer="U1001")
    wei = await make_client(customer="U1002")
    number = await _create(alice)
    response = await wei.post(
        "/api/v1/customer/tickets",
        json={
            "type": "complaint",
            "subject": "x",
            "description": "complaint about a ticket",
            "category": "other",
            "related_ticket_number": number,
        },
    )
    assert response.status_code == 404


async def test_asking_for_a_supervisor_is_rate_limited(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alice = await make_client(customer="U1001")
    number = await _create(alice)
    first = await alice.post(f"/api/v1/customer/tickets/{number}/supervisor", json={})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "escalated"
    second = await alice.post(f"/api/v1/customer/tickets/{number}/supervisor", json={})
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 3600
    sam = await make_client(agent="sam@example.com")
    detail = (await sam.get(f"/api/v1/tickets/{number}")).json()
    assert detail["assignee"]["id"] == desk.sam.id
    assert detail["escalation_level"] == 1
    notified = await outbox_payloads(sessionmaker, "ticket_escalated")
    assert {p["recipient_id"] for p in notified} == {str(desk.sam.id)}


async def test_anonymous_visitors_cannot_open_tickets(desk: Desk, client: Any) -> None:
    visitor = await client.post("/api/v1/visitors", json={"language": "en"})
    token = visitor.json()["token"]
    response = await client.post(
        "/api/v1/customer/tickets", json=new_ticket(), headers={"X-Visitor-Token": token}
    )
    assert response.status_code == 422


async def test_a_status_reason_stays_on_the_desk(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = await _create(alice)
    emma = await make_client(agent="emma@example.com")
    await emma.post(
        f"/api/v1/tickets/{number}/status",
        json={"status": "pending_customer", "reason": "waiting on risk team verdict"},
    )
    customer_view = await alice.get(f"/api/v1/customer/tickets/{number}")
    assert customer_view.json()["status"] == "pending_customer"
    assert "risk team" not in customer_view.text
    staff_view = (await emma.get(f"/api/v1/tickets/{number}")).json()
    assert staff_view["entries"][-1]["data"]["reason"] == "waiting on risk team verdict"
