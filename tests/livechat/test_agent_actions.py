"""What agents do with a chat: accept, write (through the outbound guard), notes, macros,
tags, transfers of each kind, wrap-up both ways, presence and the supervisors' overview."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, select

from lifeline.accounts.models import Role
from lifeline.db import transaction
from lifeline.security.models import AuditEntry
from lifeline.tickets.models import Ticket
from tests.livechat.conftest import Desk


async def _audit_actions(desk: Desk, public_id: str) -> list[str]:
    async with transaction(desk.context.sessionmaker) as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "conversation", AuditEntry.object_id == public_id)
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_accept_conflicts_and_capacity(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", capacity=1, online=False)
    lina = await desk.agent("lina@example.com", online=False)
    first = await desk.queued_chat(await desk.customer("U1001"))
    second = await desk.queued_chat(await desk.customer("U1002"))
    accepted = await emma.post(f"/conversations/{first}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["assigned_agent"] == {"id": emma.id, "name": emma.name}
    assert accepted.json()["handoff"]["entities"] == {"txid": ["0xabc"]}
    again = await lina.post(f"/conversations/{first}/accept")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_assigned"
    full = await emma.post(f"/conversations/{second}/accept")
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "capacity_full"
    assert (await emma.presence("away")) == {"status": "away", "capacity": 1, "active_chats": 1}
    missing = await emma.post("/conversations/nope/accept")
    assert missing.status_code == 404
    assert "conversation.accept" in await _audit_actions(desk, first)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "To verify you, please send me your 2FA code from Google Authenticator."),
        ("zh", "为了核实身份，请把您的谷歌验证码发给我。"),
    ],
)
async def test_the_guard_blocks_an_agent_asking_for_a_2fa_code(
    desk: Desk, lang: str, text: str
) -> None:
    agent = await desk.agent("lina@example.com", languages=("zh", "en"))
    supervisor = await desk.agent("sam@example.com", role=Role.SUPERVISOR, online=False)
    customer = await desk.customer("U1002", lang)
    chat = await desk.queued_chat(customer, lang=lang)
    blocked = await agent.post(f"/conversations/{chat}/messages", {"text": text})
    assert blocked.status_code == 422, blocked.text
    error = blocked.json()["error"]
    assert error["code"] == "outbound_blocked"
    assert error["details"]["reasons"]["en"] and error["details"]["reasons"]["zh"]
    assert error["message"] == error["details"]["reasons"]["zh"]  # the agent's language
    assert text not in str(await customer.messages(chat))
    log = (await supervisor.client.get("/api/v1/security/guard-log")).json()
    assert log[0]["object_type"] == "conversation" and log[0]["object_id"] == chat
    sent = await agent.post(
        f"/conversations/{chat}/messages",
        {"text": "Please send the TxID and a screenshot.", "client_message_id": "m-1"},
    )
    assert sent.status_code == 201, sent.text
    retried = await agent.post(
        f"/conversations/{chat}/messages",
        {"text": "Please send the TxID and a screenshot.", "client_message_id": "m-1"},
    )
    assert retried.json()["id"] == sent.json()["id"]
    bodies = [m["body"] for m in await customer.messages(chat)]
    assert bodies.count("Please send the TxID and a screenshot.") == 1


async def test_internal_notes_never_reach_the_customer(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    customer = await desk.customer()
    chat = await desk.queued_chat(customer)
    note = await agent.post(f"/conversations/{chat}/notes", {"text": "Looks like a scam victim"})
    assert note.status_code == 201, note.text
    assert note.json()["internal"] is True
    detail = await agent.chat(chat)
    assert any(m["body"] == "Looks like a scam victim" for m in detail["messages"])
    customer_view = await customer.client.get(f"/api/v1/conversations/{chat}")
    assert "scam victim" not in customer_view.text
    blank = await agent.post(f"/conversations/{chat}/notes", {"text": "   "})
    assert blank.status_code == 422


async def test_messages_need_the_chat_to_be_yours(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", online=False)
    lina = await desk.agent("lina@example.com", online=False)
    chat = await desk.queued_chat(await desk.customer())
    early = await emma.post(f"/conversations/{chat}/messages", {"text": "Hello"})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not_with_agent"
    await emma.post(f"/conversations/{chat}/accept")
    other = await lina.post(f"/conversations/{chat}/messages", {"text": "Hello"})
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "not_your_chat"


async def test_tags_and_macros(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    supervisor = await desk.agent("sam@example.com", role=Role.SUPERVISOR, online=False)
    customer = await desk.customer("U1001")
    chat = await desk.queued_chat(customer)
    tagged = await agent.client.put(
        f"/api/v1/agent/conversations/{chat}/tags", json={"tags": ["Deposit", "deposit", "eth"]}
    )
    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["tags"] == ["deposit", "eth"]
    bad = await agent.client.put(
        f"/api/v1/agent/conversations/{chat}/tags", json={"tags": ["<script>"]}
    )
    assert bad.status_code == 422
    macro = await supervisor.client.post(
        "/api/v1/macros",
        json={
            "name": "greeting",
            "bodies": {"en": "Hi {{customer.name}}, {{agent.name}} here from {{exchange.name}}."},
            "actions": {"add_tags": ["greeted"]},
        },
    )
    assert macro.status_code == 201, macro.text
    sent = await agent.post(f"/conversations/{chat}/macros/{macro.json()['id']}")
    assert sent.status_code == 201, sent.text
    assert f"{agent.name} here from DemoExchange" in sent.json()["body"]
    assert (await agent.chat(chat))["tags"] == ["deposit", "eth", "greeted"]
    unknown = await agent.post(f"/conversations/{chat}/macros/999999")
    assert unknown.status_code == 404
    actions = await _audit_actions(desk, chat)
    assert "conversation.tags" in actions and "conversation.reply" in actions


async def test_transfer_to_an_agent(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com")
    lina = await desk.agent("lina@example.com", online=False)
    chat = await desk.queued_chat(await desk.customer())
    assert (await emma.chat(chat))["assigned_agent"]["id"] == emma.id
    none = await emma.post(f"/conversations/{chat}/transfer", {})
    assert none.status_code == 422
    two = await emma.post(f"/conversations/{chat}/transfer", {"agent_id": lina.id, "team": "p2p"})
    assert two.status_code == 422
    moved = await emma.post(
        f"/conversations/{chat}/transfer", {"agent_id": lina.id, "note": "She knows this case"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["assigned_agent"]["id"] == lina.id
    assert any(m["internal"] and "knows this case" in m["body"] for m in moved.json()["messages"])
    assert "conversation.transfer" in await _audit_actions(desk, chat)


async def test_transfer_to_a_team_waits_for_its_members(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", teams=("general",))
    chat = await desk.queued_chat(await desk.customer(), team="general")
    assert (await emma.chat(chat))["assigned_agent"]["id"] == emma.id
    p2p = await desk.agent("pat@example.com", teams=("p2p",), online=False)
    moved = await emma.post(f"/conversations/{chat}/transfer", {"team": "p2p"})
    assert moved.status_code == 200, moved.text
    # Nobody else online: it waits, and does not bounce back to emma.
    assert moved.json()["status"] == "queued" and moved.json()["team"] == "p2p"
    await p2p.presence("online")
    assert (await p2p.chat(chat))["assigned_agent"]["id"] == p2p.id
    unknown = await p2p.post(f"/conversations/{chat}/transfer", {"team": "nope"})
    assert unknown.status_code == 422


async def test_transfer_to_a_language_and_to_a_supervisor(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com")
    lina = await desk.agent("lina@example.com", languages=("zh",))
    chat = await desk.queued_chat(await desk.customer())
    assert (await emma.chat(chat))["assigned_agent"]["id"] == emma.id
    moved = await emma.post(f"/conversations/{chat}/transfer", {"language": "zh"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["assigned_agent"]["id"] == lina.id
    assert moved.json()["required_language"] == "zh"
    sam = await desk.agent("sam@example.com", role=Role.SUPERVISOR, languages=("zh", "en"))
    escalated = await lina.post(f"/conversations/{chat}/transfer", {"supervisor": True})
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["assigned_agent"]["id"] == sam.id


async def test_wrap_up_resolved_asks_for_a_rating(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    customer = await desk.customer("U1002", "zh")
    chat = await desk.queued_chat(customer, lang="zh")
    agent_zh = await desk.agent("lina@example.com", languages=("zh",))
    assert (await agent_zh.chat(chat))["assigned_agent"]["id"] == agent_zh.id
    wrong = await agent.post(f"/conversations/{chat}/wrap-up", {"outcome": "resolved"})
    assert wrong.status_code == 403
    done = await agent_zh.post(
        f"/conversations/{chat}/wrap-up", {"outcome": "resolved", "note": "explained"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved" and done.json()["ticket_number"] is None
    last = (await customer.messages(chat))[-1]
    assert last["sender_type"] == "system" and "已解决" in last["body"]
    assert (await customer.queue(chat))["status"] == "resolved"
    again = await agent_zh.post(f"/conversations/{chat}/wrap-up", {"outcome": "resolved"})
    assert again.status_code == 409
    assert (await agent_zh.presence("online"))["active_chats"] == 0


async def test_wrap_up_as_a_ticket_carries_the_summary_and_transcript(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    customer = await desk.customer("U1001")
    chat = await desk.queued_chat(customer)
    posted = await customer.client.post(
        f"/api/v1/conversations/{chat}/messages", json={"text": "my deposit is still missing"}
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["reply"] is None  # a person has the chat: no bot
    await agent.post(f"/conversations/{chat}/notes", {"text": "internal only remark"})
    done = await agent.post(f"/conversations/{chat}/wrap-up", {"outcome": "ticket"})
    assert done.status_code == 200, done.text
    number = done.json()["ticket_number"]
    assert done.json()["status"] == "closed" and isinstance(number, int)
    assert f"#{number}" in (await customer.messages(chat))[-1]["body"]
    async with transaction(desk.context.sessionmaker) as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        assert "my deposit is still missing" in ticket.description
        assert "hand-off summary" in ticket.description
        assert "internal only remark" not in ticket.description
    mine = await customer.client.get(f"/api/v1/customer/tickets/{number}")
    assert mine.status_code == 200


async def test_overview_for_supervisors_only(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", languages=("en",))
    sam = await desk.agent("sam@example.com", role=Role.SUPERVISOR, online=False)
    await emma.presence("away")
    await desk.queued_chat(await desk.customer("U1001"), team="funds")
    await desk.queued_chat(await desk.customer("U1002", "zh"), lang="zh", team="funds")
    assert (await emma.client.get("/api/v1/agent/overview")).status_code == 403
    response = await sam.client.get("/api/v1/agent/overview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversations_waiting"] == 2
    assert {(q["team"], q["language"], q["waiting"]) for q in body["queues"]} == {
        ("funds", "en", 1),
        ("funds", "zh", 1),
    }
    rows = {row["id"]: row for row in body["agents"]}
    assert rows[emma.id]["status"] == "away" and rows[sam.id]["status"] == "offline"
    assert body["breaches"] == {"tickets_breached": 0, "tickets_breaching_soon": 0}


async def test_simultaneous_accepts_have_one_winner(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", online=False)
    lina = await desk.agent("lina@example.com", online=False)
    chat = await desk.queued_chat(await desk.customer("U1001"))
    other = await desk.queued_chat(await desk.customer("U1002"))
    results = await asyncio.gather(
        emma.post(f"/conversations/{chat}/accept"),
        lina.post(f"/conversations/{chat}/accept"),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json()["assigned_agent"]["id"]
    assert (await lina.chat(chat))["assigned_agent"]["id"] == winner
    # One agent with room for one chat, accepting two at once, gets one.
    pat = await desk.agent("pat@example.com", capacity=1, online=False)
    third = await desk.queued_chat(await desk.customer("U1003"))
    results = await asyncio.gather(
        pat.post(f"/conversations/{other}/accept"),
        pat.post(f"/conversations/{third}/accept"),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert {r.json().get("error", {}).get("code") for r in results} == {None, "capacity_full"}
    assert (await pat.presence("away"))["active_chats"] == 1


async def test_the_inbox_costs_the_same_queries_for_one_chat_or_many(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com", online=False)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    async def inbox_queries() -> int:
        statements.clear()
        event.listen(desk.context.engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await agent.client.get("/api/v1/agent/conversations?view=all")
        finally:
            event.remove(desk.context.engine.sync_engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    await desk.queued_chat(await desk.customer("U8000"))
    one = await inbox_queries()
    assert one >= 4  # sign-in lookup, the page, and the batched lookups
    for index in range(4):
        await desk.queued_chat(await desk.customer(f"U800{index + 1}"))
    assert await inbox_queries() == one


async def test_unread_counts_follow_what_the_assigned_agent_has_read(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", teams=("funds",))
    sam = await desk.agent("sam@example.com", role=Role.SUPERVISOR, online=False)
    customer = await desk.customer()
    chat = await desk.queued_chat(customer)
    assert (await emma.chat(chat))["assigned_agent"]["id"] == emma.id

    async def unread() -> int:
        listed = await emma.client.get("/api/v1/agent/conversations", params={"view": "mine"})
        assert listed.status_code == 200, listed.text
        [item] = [item for item in listed.json() if item["id"] == chat]
        count: int = item["unread"]
        return count

    async def say(text: str) -> int:
        response = await customer.client.post(
            f"/api/v1/conversations/{chat}/messages", json={"text": text}
        )
        assert response.status_code == 201, response.text
        message_id: int = response.json()["message"]["id"]
        return message_id

    assert await unread() == 0
    first = await say("Are you there?")
    await say("It is about my USDT deposit")
    assert await unread() == 2
    # A supervisor looking in does not read the chat for its agent.
    assert (await sam.post(f"/conversations/{chat}/read", {"message_id": first})).status_code == 204
    assert await unread() == 2
    assert (
        await emma.post(f"/conversations/{chat}/read", {"message_id": first})
    ).status_code == 204
    assert await unread() == 1
    # Answering means having read what came before.
    assert (
        await emma.post(f"/conversations/{chat}/messages", {"text": "Yes, checking"})
    ).is_success
    assert await unread() == 0
    # A marker past the end stops at the last message; what comes next is unread again.
    await emma.post(f"/conversations/{chat}/read", {"message_id": 10**9})
    await say("Thanks")
    assert await unread() == 1
    bad = await emma.post(f"/conversations/{chat}/read", {"message_id": 0})
    assert bad.status_code == 422
