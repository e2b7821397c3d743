"""Live chat over real WebSockets and real servers: the console's stream, the customer's
queue and status events, internal notes kept from customers, and two nodes sharing Redis."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.exchange import demo_data as d
from lifeline.livechat.models import AgentPresence
from tests.support.factories import customer_token, make_agent, sign_in
from tests.support.servers import running_app

REDIS_URL = "redis://127.0.0.1:6379/13"
Frame = dict[str, Any]


async def _next_of(ws: Any, kind: str, wait: float = 20, **match: Any) -> Frame:
    while True:
        frame: Frame = json.loads(await asyncio.wait_for(ws.recv(), wait))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def _agent(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"http://{base}", timeout=60)
    await sign_in(client, email)
    return client


def _cookie_header(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


async def _hand_off(base: str, token: str) -> str:
    """A customer asks the assistant for a person (as the widget does)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=60, headers=headers) as c:
        chat: str = (await c.post("/api/v1/conversations", json={"language": "en"})).json()[
            "public_id"
        ]
        for text in (
            f"deposit not showing up, txid {d.DEPOSIT_CONFIRMING_TXID}",
            "I want to talk to a real person please",
        ):
            response = await c.post(f"/api/v1/conversations/{chat}/messages", json={"text": text})
            assert response.status_code == 201, response.text
        assert response.json()["reply"]["handoff"]["state"] == "queued"
        return chat


async def _agents(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await make_agent(sessionmaker, "emma@example.com", teams=("funds",))
    await make_agent(sessionmaker, "sam@example.com", role=Role.SUPERVISOR)


@pytest.mark.database
async def test_the_console_stream_and_the_customers_queue_events(
    settings: Settings, demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _agents(sessionmaker)
    token = customer_token(settings, d.ALICE)
    with running_app(settings) as base:
        emma = await _agent(base, "emma@example.com")
        console = websockets.connect(
            f"ws://{base}/api/v1/agent/live", additional_headers=_cookie_header(emma)
        )
        async with console as staff_ws:
            chat = await _hand_off(base, token)
            await _next_of(staff_ws, "queue.changed")
            customer_url = f"ws://{base}/api/v1/conversations/{chat}/live?token={token}"
            async with websockets.connect(customer_url) as customer_ws:
                # Going online takes the waiting chat: the customer sees it happen.
                online = await emma.put("/api/v1/agent/presence", json={"status": "online"})
                assert online.json() == {"status": "online", "capacity": 3, "active_chats": 1}
                assigned = await _next_of(staff_ws, "conversation.assigned")
                assert assigned["conversation_id"] == chat
                status = await _next_of(customer_ws, "status", status="assigned")
                assert status["agent"]["name"] == "Emma"
                # An internal note stays with the staff; the reply after it arrives.
                note = await emma.post(
                    f"/api/v1/agent/conversations/{chat}/notes", json={"text": "secret remark"}
                )
                assert note.status_code == 201
                reply = await emma.post(
                    f"/api/v1/agent/conversations/{chat}/messages", json={"text": "Hi, Emma here"}
                )
                assert reply.status_code == 201
                while True:
                    frame = await _next_of(customer_ws, "message.created")
                    assert "secret remark" not in json.dumps(frame)
                    if frame["message"]["id"] == reply.json()["id"]:
                        break
                await emma.put("/api/v1/agent/presence", json={"status": "away"})
                presence = await _next_of(customer_ws, "presence")
                assert presence["status"] == "away" and presence["agent"]["name"] == "Emma"
                await emma.post(
                    f"/api/v1/agent/conversations/{chat}/wrap-up", json={"outcome": "resolved"}
                )
                await _next_of(customer_ws, "csat.requested")
                await _next_of(customer_ws, "status", status="resolved")
        # Reconnecting as the customer replays history without the note.
        async with websockets.connect(customer_url) as again:
            replayed = [await _next_of(again, "message.created") for _ in range(3)]
            assert all(not frame["message"]["body"].startswith("secret") for frame in replayed)
        await emma.aclose()


@pytest.mark.database
async def test_waiting_customers_get_their_place_in_the_queue(
    settings: Settings, demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _agents(sessionmaker)
    alice = customer_token(settings, d.ALICE)
    with running_app(settings) as base:
        first = await _hand_off(base, alice)
        url = f"ws://{base}/api/v1/conversations/{first}/live?token={alice}"
        async with websockets.connect(url) as ws:
            second = await _hand_off(base, customer_token(settings, "U7001"))
            place = await _next_of(ws, "queue")
            assert place["position"] == 1
            assert place["estimated_wait_seconds"] == 300
            emma = await _agent(base, "emma@example.com")
            await emma.put("/api/v1/agent/presence", json={"status": "online"})
            await _next_of(ws, "status", status="assigned")
            await emma.aclose()
        assert first != second


@pytest.mark.database
async def test_two_nodes_share_live_chat_events_through_redis(
    settings: Settings, demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _agents(sessionmaker)
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    token = customer_token(settings, d.ALICE)
    with running_app(shared) as node_a, running_app(shared) as node_b:
        emma_a = await _agent(node_a, "emma@example.com")
        async with websockets.connect(
            f"ws://{node_a}/api/v1/agent/live", additional_headers=_cookie_header(emma_a)
        ) as staff_ws:
            await asyncio.sleep(0.3)  # the subscriptions reach Redis
            chat = await _hand_off(node_b, token)
            await _next_of(staff_ws, "queue.changed")
            customer_ws_url = f"ws://{node_a}/api/v1/conversations/{chat}/live?token={token}"
            async with websockets.connect(customer_ws_url) as customer_ws:
                await asyncio.sleep(0.3)
                # Presence is in the database: going online on node B routes the chat there,
                # and node A's console and customer hear about it.
                emma_b = await _agent(node_b, "emma@example.com")
                await emma_b.put("/api/v1/agent/presence", json={"status": "online"})
                assigned = await _next_of(staff_ws, "conversation.assigned")
                assert assigned["conversation_id"] == chat
                await _next_of(customer_ws, "status", status="assigned")
                sent = await emma_b.post(
                    f"/api/v1/agent/conversations/{chat}/messages", json={"text": "From node B"}
                )
                frame = await _next_of(customer_ws, "message.created")
                while frame["message"]["id"] != sent.json()["id"]:
                    frame = await _next_of(customer_ws, "message.created")
                assert frame["message"]["body"] == "From node B"
                await emma_b.aclose()
        await emma_a.aclose()


@pytest.mark.database
async def test_a_connected_console_keeps_presence_fresh(
    settings: Settings, demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _agents(sessionmaker)
    with running_app(settings) as base:
        emma = await _agent(base, "emma@example.com")
        await emma.put("/api/v1/agent/presence", json={"status": "online"})
        async with sessionmaker() as session:
            await session.execute(
                update(AgentPresence).values(last_seen_at=utcnow() - timedelta(minutes=10))
            )
            await session.commit()
        # The laptop was closed: she no longer counts as online, and chats wait.
        assert (await emma.get("/api/v1/agent/presence")).json()["status"] == "offline"
        chat = await _hand_off(base, customer_token(settings, d.ALICE))
        assert (await emma.get(f"/api/v1/agent/conversations/{chat}")).json()["status"] == "queued"
        async with websockets.connect(
            f"ws://{base}/api/v1/agent/live", additional_headers=_cookie_header(emma)
        ) as staff_ws:
            assigned = await _next_of(staff_ws, "conversation.assigned")
            assert assigned["conversation_id"] == chat
            assert (await emma.get("/api/v1/agent/presence")).json()["status"] == "online"
        await emma.aclose()


@pytest.mark.database
async def test_the_console_stream_needs_a_signed_in_agent(settings: Settings) -> None:
    with running_app(settings) as base, pytest.raises(websockets.exceptions.WebSocketException):
        async with websockets.connect(f"ws://{base}/api/v1/agent/live") as ws:
            await asyncio.wait_for(ws.recv(), 5)


@pytest.mark.database
async def test_a_read_receipt_over_the_agents_connection_clears_the_unread_count(
    settings: Settings, demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _agents(sessionmaker)
    token = customer_token(settings, d.ALICE)
    with running_app(settings) as base:
        emma = await _agent(base, "emma@example.com")
        await emma.put("/api/v1/agent/presence", json={"status": "online"})
        chat = await _hand_off(base, token)

        async def unread() -> int:
            listed = (await emma.get("/api/v1/agent/conversations?view=mine")).json()
            count: int = next(item["unread"] for item in listed if item["id"] == chat)
            return count

        assert await unread() == 0  # the hand-off summary carries what came before
        agent_url = f"ws://{base}/api/v1/conversations/{chat}/live"
        customer_url = f"{agent_url}?token={token}"
        console_url = f"ws://{base}/api/v1/agent/live"
        async with (
            websockets.connect(agent_url, additional_headers=_cookie_header(emma)) as agent_ws,
            websockets.connect(console_url, additional_headers=_cookie_header(emma)) as console,
            websockets.connect(customer_url) as customer_ws,
        ):
            async with httpx.AsyncClient(
                base_url=f"http://{base}", headers={"Authorization": f"Bearer {token}"}
            ) as customer:
                said = await customer.post(
                    f"/api/v1/conversations/{chat}/messages", json={"text": "Still waiting"}
                )
            message_id = said.json()["message"]["id"]
            await _next_of(agent_ws, "message.created")
            # The inbox hears of it, to show the count.
            await _next_of(console, "conversation.message", conversation_id=chat)
            assert await unread() == 1
            await agent_ws.send(json.dumps({"type": "read", "message_id": message_id}))
            receipt = await _next_of(customer_ws, "read")
            assert receipt["message_id"] == message_id
        assert await unread() == 0
        await emma.aclose()
