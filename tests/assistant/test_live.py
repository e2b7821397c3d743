"""The live conversation over a real WebSocket: catch-up after reconnecting, ownership,
internal notes kept from customers, and delivery across two server processes via Redis."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from tests.support.factories import customer_token
from tests.support.servers import running_app

REDIS_URL = "redis://127.0.0.1:6379/14"


async def _next_of(ws: Any, kind: str, wait: float = 15) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), wait))
        if frame["type"] == kind:
            return frame


async def _start(base: str, token: str) -> str:
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        response = await client.post(
            "/api/v1/conversations", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 201, response.text
        conversation_id: str = response.json()["public_id"]
        return conversation_id


async def _post(base: str, token: str, conversation: str, text: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=60) as client:
        response = await client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.mark.database
async def test_messages_arrive_live_and_reconnecting_catches_up_exactly_once(
    settings: Settings, demo_data: None
) -> None:
    token = customer_token(settings, d.ALICE)
    with running_app(settings) as base:
        conversation = await _start(base, token)
        url = f"ws://{base}/api/v1/conversations/{conversation}/live?token={token}"
        async with websockets.connect(url) as ws:
            posted = await _post(base, token, conversation, "hello")
            first = await _next_of(ws, "message.created")
            assert first["message"]["id"] == posted["message"]["id"]
            reply = await _next_of(ws, "message.created")
            assert reply["message"]["sender_type"] == "bot"
            assert reply["seq"] > first["seq"]
        # Offline: two more messages (and their replies) happen.
        await _post(base, token, conversation, "thanks")
        await _post(base, token, conversation, "bye")
        async with websockets.connect(f"{url}&after_id={reply['message']['id']}") as ws:
            seen = []
            for _ in range(4):
                frame = await _next_of(ws, "message.created")
                seen.append(frame["message"]["id"])
        assert len(seen) == len(set(seen)) == 4
        assert all(message_id > reply["message"]["id"] for message_id in seen)
        assert seen == sorted(seen)


@pytest.mark.database
async def test_someone_elses_conversation_cannot_be_watched(
    settings: Settings, demo_data: None
) -> None:
    with running_app(settings) as base:
        conversation = await _start(base, customer_token(settings, d.ALICE))
        other = customer_token(settings, d.WEI)
        url = f"ws://{base}/api/v1/conversations/{conversation}/live?token={other}"
        with pytest.raises(websockets.exceptions.WebSocketException):
            async with websockets.connect(url) as ws:
                await asyncio.wait_for(ws.recv(), 5)


@pytest.mark.database
async def test_two_server_processes_share_events_through_redis(
    settings: Settings, demo_data: None
) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    token = customer_token(settings, d.ALICE)
    with running_app(shared) as node_a, running_app(shared) as node_b:
        conversation = await _start(node_a, token)
        url = f"ws://{node_a}/api/v1/conversations/{conversation}/live?token={token}"
        async with websockets.connect(url) as ws:
            await asyncio.sleep(0.3)  # the subscription reaches Redis
            posted = await _post(node_b, token, conversation, "hello from the other node")
            frame = await _next_of(ws, "message.created")
            assert frame["message"]["id"] == posted["message"]["id"]
            assert frame["message"]["body"] == "hello from the other node"


@pytest.mark.database
async def test_a_live_connection_with_new_details_refreshes_the_customer(
    settings: Settings, demo_data: None, sessionmaker: Any
) -> None:
    from sqlalchemy import select

    from lifeline.accounts.models import Customer

    with running_app(settings) as base:
        english = customer_token(settings, d.ALICE, lang="en")
        conversation = await _start(base, english)
        await _post(base, english, conversation, "hello")
        # The exchange now says the customer reads Chinese; only the connection carries it.
        chinese = customer_token(settings, d.ALICE, lang="zh")
        url = f"ws://{base}/api/v1/conversations/{conversation}/live?token={chinese}"
        async with websockets.connect(url) as ws:
            await _next_of(ws, "message.created")  # caught up: connected and authorised
    async with sessionmaker() as session:
        customer = await session.scalar(select(Customer).where(Customer.external_id == d.ALICE))
    assert customer is not None and customer.preferred_language == "zh"
