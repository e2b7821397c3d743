"""The agents' desk: escalation, merge, resolution and surveys, macros, bulk, notifications,
events, and the audit trail every change leaves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.outbox.service import OutboxContext
from lifeline.security.audit import Actor
from lifeline.security.models import AuditEntry
from lifeline.tickets import actions, events, repository
from lifeline.tickets.events import TicketEvent
from lifeline.tickets.models import Notification
from lifeline.tickets.notifications import store_notification
from tests.tickets.conftest import Desk, drain, new_ticket, outbox_payloads


async def _ticket(make_client: Any, user: str = "U1001", **overrides: Any) -> int:
    customer = await make_client(customer=user)
    response = await customer.post("/api/v1/customer/tickets", json=new_ticket(**overrides))
    assert response.status_code == 201, response.text
    number: int = response.json()["ticket"]["number"]
    return number


async def test_escalation_to_a_specialist_team_with_a_reason(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    number = await _ticket(make_client)
    emma = await make_client(agent="emma@example.com")
    no_reason = await emma.post(f"/api/v1/tickets/{number}/escalate", json={"reason": ""})
    assert no_reason.status_code == 422
    response = await emma.post(
        f"/api/v1/tickets/{number}/escalate",
        json={"reason": "Needs on-chain investigation", "team": "compliance"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "escalated"
    assert body["team"] == "compliance"
    assert body["escalation_level"] == 1
    entry = next(e for e in body["entries"] if e["event"] == "escalate")
    assert entry["body"] == "Needs on-chain investigation"
    assert entry["internal"] is True
    # The supervisors hear about it through the outbox.
    assert await outbox_payloads(sessionmaker, "ticket_escalated")
    again = await emma.post(
        f"/api/v1/tickets/{number}/escalate", json={"reason": "Still stuck", "to_supervisor": True}
    )
    assert again.json()["escalation_level"] == 2
    assert again.json()["assignee"]["id"] == desk.sam.id


async def test_every_change_is_audited(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    number = await _ticket(make_client)
    emma = await make_client(agent="emma@example.com")
    await emma.post(f"/api/v1/tickets/{number}/replies", json={"body": "Looking"})
    await emma.patch(f"/api/v1/tickets/{number}", json={"priority": "high", "tags": ["btc"]})
    await emma.post(f"/api/v1/tickets/{number}/status", json={"status": "on_hold"})
    async with sessionmaker() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "ticket", AuditEntry.object_id == str(number))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert actions == [
        "ticket.create",
        "ticket.reply",
        "ticket.status_change",
        "ticket.update",
        "ticket.priority_change",
        "ticket.status_change",
    ]


async def test_pending_customer_pauses_the_clock(desk: Desk, make_client: Any) -> None:
    number = await _ticket(make_client)
    emma = await make_client(agent="emma@example.com")
    before = (await emma.get(f"/api/v1/tickets/{number}")).json()["sla"]
    paused = await emma.post(
        f"/api/v1/tickets/{number}/replies",
        json={"body": "Please send the TxID screenshot", "then_status": "pending_customer"},
    )
    assert paused.json()["sla"]["paused"] is True
    assert paused.json()["sla"]["first_response"] == "met"
    assert paused.json()["sla"]["next_due_at"] is None
    alice = await make_client(customer="U1001")
    await alice.post(f"/api/v1/customer/tickets/{number}/replies", json={"body": "Attached"})
    after = (await emma.get(f"/api/v1/tickets/{number}")).json()
    assert after["status"] == "open"
    assert after["sla"]["paused"] is False
    # The paused time was given back: the resolution due time moved later.
    assert datetime.fromisoformat(after["sla"]["resolution_due_at"]) > datetime.fromisoformat(
        before["resolution_due_at"]
    )


async def test_merge_closes_the_duplicate_into_the_other(desk: Desk, make_client: Any) -> None:
    first = await _ticket(make_client)
    second = await _ticket(
        make_client,
        subject="Withdrawal stuck",
        description="My ETH withdrawal is stuck in processing",
        fields={"txid": "b" * 64},
    )
    emma = await make_client(agent="emma@example.com")
    merged = await emma.post(f"/api/v1/tickets/{second}/merge", json={"into": first})
    assert merged.status_code == 200, merged.text
    assert any(e["event"] == "merge" for e in merged.json()["entries"])
    alice = await make_client(customer="U1001")
    source = (await alice.get(f"/api/v1/customer/tickets/{second}")).json()
    assert source["status"] == "closed"
    assert source["merged_into"] == first
    other = await _ticket(make_client, user="U1002", fields={"txid": "c" * 64})
    refused = await emma.post(f"/api/v1/tickets/{other}/merge", json={"into": first})
    assert refused.status_code == 409


async def test_csat_link_works_once(
    desk: Desk,
    make_client: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: Any,
) -> None:
    number = await _ticket(make_client)
    emma = await make_client(agent="emma@example.com")
    resolved = await emma.post(
        f"/api/v1/tickets/{number}/resolve", json={"reply": "Your deposit is credited."}
    )
    assert resolved.json()["status"] == "resolved"
    [prompt] = await outbox_payloads(sessionmaker, "csat_prompt")
    assert prompt["recipient_type"] == "customer"
    assert "/help/en/csat/" in prompt["variables"]["link"]  # the page with the form
    token = prompt["variables"]["link"].rsplit("/", 1)[1]
    survey = await client.get(f"/api/v1/csat/{token}")
    assert survey.json()["ticket_number"] == number
    assert survey.json()["used"] is False
    rated = await client.post(f"/api/v1/csat/{token}", json={"rating": 5, "comment": "Fast!"})
    assert rated.status_code == 200, rated.text
    reused = await client.post(f"/api/v1/csat/{token}", json={"rating": 1})
    assert reused.status_code == 410
    assert reused.json()["error"]["code"] == "survey_link_used"
    forged = await client.post(f"/api/v1/csat/{token[:-3]}xyz", json={"rating": 1})
    assert forged.status_code == 404
    sam = await make_client(agent="sam@example.com")
    stats = (await sam.get("/api/v1/satisfaction", params={"agent_id": desk.emma.id})).json()
    assert stats == {"ratings": 1, "average": 5.0}
    team_stats = (await sam.get("/api/v1/satisfaction", params={"team": "funds"})).json()
    assert team_stats["ratings"] == 1
    assert (await emma.get("/api/v1/satisfaction")).status_code == 403


async def test_macros_fill_variables_in_the_ticket_language(desk: Desk, make_client: Any) -> None:
    sam = await make_client(agent="sam@example.com")
    bad = await sam.post(
        "/api/v1/macros", json={"name": "bad", "bodies": {"en": "Hi {{customer.password}}"}}
    )
    assert bad.status_code == 422
    macro = await sam.post(
        "/api/v1/macros",
        json={
            "name": "Ask for TxID",
            "bodies": {
                "en": "Hello {{customer.name}}, about ticket #{{ticket.number}}: please send the TxID.",
                "zh": "{{customer.name}}您好，关于工单 #{{ticket.number}}：请提供交易哈希（TxID）。",
            },
            "actions": {"status": "pending_customer", "add_tags": ["needs-txid"]},
        },
    )
    assert macro.status_code == 201, macro.text
    wei = await make_client(customer="U1002", lang="zh", name="王伟")
    number = (
        await wei.post(
            "/api/v1/customer/tickets",
            json=new_ticket(subject="充值未到账", description="USDT 充值没有到账", fields={}),
        )
    ).json()["ticket"]["number"]
    applied = await sam.post(f"/api/v1/tickets/{number}/macros/{macro.json()['id']}")
    assert applied.status_code == 200, applied.text
    body = applied.json()
    assert body["status"] == "pending_customer"
    assert "needs-txid" in body["tags"]
    customer_view = (await wei.get(f"/api/v1/customer/tickets/{number}")).json()
    assert f"王伟您好，关于工单 #{number}" in customer_view["entries"][-1]["body"] or any(
        f"王伟您好，关于工单 #{number}" in e["body"] for e in customer_view["entries"]
    )


async def test_bulk_actions_report_each_ticket(desk: Desk, make_client: Any) -> None:
    first = await _ticket(make_client)
    second = await _ticket(make_client, user="U1002")
    emma = await make_client(agent="emma@example.com")
    await emma.post(f"/api/v1/tickets/{second}/status", json={"status": "closed"})
    result = await emma.post(
        "/api/v1/tickets/bulk",
        json={"numbers": [first, second, 1], "action": "status", "status": "on_hold"},
    )
    assert result.status_code == 200
    body = result.json()
    assert body["done"] == [first]
    assert set(body["failed"]) == {str(second), "1"}
    tagged = await emma.post(
        "/api/v1/tickets/bulk", json={"numbers": [first], "action": "add_tags", "tags": ["x"]}
    )
    assert tagged.json()["done"] == [first]
    assert (await emma.get(f"/api/v1/tickets/{first}")).json()["tags"] == ["x"]


async def test_notifications_reach_the_agent_inbox_once(
    desk: Desk,
    make_client: Any,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    number = await _ticket(make_client)
    await drain(context)
    emma = await make_client(agent="emma@example.com")
    inbox = (await emma.get("/api/v1/notifications", params={"unread": True})).json()
    [assigned] = [n for n in inbox if n["template"] == "ticket_assigned"]
    assert assigned["variables"]["ticket_number"] == number
    read = await emma.post(f"/api/v1/notifications/{assigned['id']}/read")
    assert read.json()["read_at"] is not None
    lina = await make_client(agent="lina@example.com")
    assert (await lina.post(f"/api/v1/notifications/{assigned['id']}/read")).status_code == 404
    # Redelivery of the same outbox item does not store a second notification.
    async with sessionmaker() as session:
        before = await session.scalar(select(func.count()).select_from(Notification))
        await store_notification(
            OutboxContext(1, 2, session, None),
            {"recipient_type": "agent", "recipient_id": "1", "template": "x", "variables": {}},
        )
        await session.commit()
        after = await session.scalar(select(func.count()).select_from(Notification))
    assert before == after


async def test_events_are_published_after_commit_only(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seen: list[TicketEvent] = []

    async def listener(event: TicketEvent) -> None:
        seen.append(event)

    unsubscribe = events.subscribe(listener)
    try:
        number = await _ticket(make_client)
        assert [(e.type, e.audience) for e in seen] == [
            ("ticket.create", "staff"),
            ("ticket.create", "customer"),
        ]
        seen.clear()
        emma = await make_client(agent="emma@example.com")
        await emma.post(f"/api/v1/tickets/{number}/notes", json={"body": "internal"})
        assert [(e.type, e.audience) for e in seen] == [("ticket.note", "staff")]
        seen.clear()
        with pytest.raises(RuntimeError):
            async with transaction(sessionmaker) as session:
                ticket = await repository.ticket_by_number(session, number)
                assert ticket is not None
                await actions.add_note(session, ticket, Actor("agent", str(desk.emma.id)), "x")
                raise RuntimeError("rolled back")
        assert seen == []
    finally:
        unsubscribe()


@pytest.mark.parametrize("path", ["/api/v1/tickets/999999", "/api/v1/tickets/abc"])
async def test_unknown_tickets(desk: Desk, make_client: Any, path: str) -> None:
    emma = await make_client(agent="emma@example.com")
    assert (await emma.get(path)).status_code in {404, 422}
