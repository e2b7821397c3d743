"""Conversations through the HTTP API: ownership, masking before storage, idempotent posts."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.conversations.models import Message
from lifeline.exchange import demo_data as d
from tests.support.factories import customer_token


def as_customer(settings: Settings, user_id: str, lang: str = "en") -> dict[str, str]:
    return {"Authorization": f"Bearer {customer_token(settings, user_id, lang=lang, email=None)}"}


async def start(client: httpx.AsyncClient, headers: dict[str, str], **body: str) -> str:
    response = await client.post("/api/v1/conversations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    conversation_id: str = response.json()["public_id"]
    return conversation_id


async def test_a_seed_phrase_never_reaches_the_database(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
    help_center: None,
) -> None:
    from mnemonic import Mnemonic

    phrase = Mnemonic("english").generate(strength=128)
    alice = as_customer(settings, d.ALICE)
    conversation = await start(client, alice)
    response = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"text": f"my recovery phrase is {phrase} please help", "client_message_id": "m1"},
        headers=alice,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert phrase not in body["message"]["body"]
    assert body["message"]["masked_kinds"] == ["seed_phrase"]
    reply = body["reply"]
    assert "freeze_account" in [action["id"] for action in reply["actions"]]
    assert "never-share-secrets" in [article["slug"] for article in reply["articles"]]
    async with sessionmaker() as session:
        # Nowhere in any table: not in messages, not in their metadata.
        dumped = " ".join(
            str(row) for row in (await session.execute(text("SELECT * FROM messages"))).all()
        )
        for word in phrase.split()[:4]:
            assert f"{word} {phrase.split()[phrase.split().index(word) + 1]}" not in dumped
        stored = (await session.scalars(select(Message.body))).all()
        assert all(phrase not in body for body in stored)


async def test_a_retried_post_does_not_duplicate(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    alice = as_customer(settings, d.ALICE)
    conversation = await start(client, alice)
    post = {"text": "hello", "client_message_id": "retry-1"}
    first = await client.post(
        f"/api/v1/conversations/{conversation}/messages", json=post, headers=alice
    )
    again = await client.post(
        f"/api/v1/conversations/{conversation}/messages", json=post, headers=alice
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert again.json()["reply"] == first.json()["reply"]
    detail = (await client.get(f"/api/v1/conversations/{conversation}", headers=alice)).json()
    assert [m["body"] for m in detail["messages"]].count("hello") == 1
    assert len(detail["messages"]) == 2  # the message and one reply


async def test_customers_cannot_see_each_others_conversations(
    client: httpx.AsyncClient, settings: Settings, demo_data: None
) -> None:
    alice = as_customer(settings, d.ALICE)
    wei = as_customer(settings, d.WEI, "zh")
    conversation = await start(client, alice)
    for method, path, body in (
        ("GET", f"/api/v1/conversations/{conversation}", None),
        ("POST", f"/api/v1/conversations/{conversation}/messages", {"text": "hi"}),
    ):
        response = await client.request(method, path, json=body, headers=wei)
        assert response.status_code == 404
    assert (await client.get("/api/v1/conversations", headers=wei)).json() == []
    assert len((await client.get("/api/v1/conversations", headers=alice)).json()) == 1


async def test_recent_deposits_action_reports_confirmations(
    client: httpx.AsyncClient, settings: Settings, demo_data: None
) -> None:
    alice = as_customer(settings, d.ALICE)
    conversation = await start(client, alice)
    response = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"action": "show_recent_deposits"},
        headers=alice,
    )
    reply = response.json()["reply"]
    assert "1500 USDT" in reply["text"] and "3/12" in reply["text"]


async def test_empty_messages_and_bad_actions_are_clear_422s(
    client: httpx.AsyncClient, settings: Settings, demo_data: None
) -> None:
    alice = as_customer(settings, d.ALICE)
    conversation = await start(client, alice)
    url = f"/api/v1/conversations/{conversation}/messages"
    assert (await client.post(url, json={"text": "   "}, headers=alice)).status_code == 422
    assert (await client.post(url, json={"action": "<script>"}, headers=alice)).status_code == 422
    assert (await client.post(url, json={"text": "x" * 9000}, headers=alice)).status_code == 422


async def test_times_the_customer_mentions_are_read_in_their_time_zone(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    headers = as_customer(settings, "U7001", lang="zh")
    bad = await client.post(
        "/api/v1/conversations", json={"timezone": "Mars/Olympus"}, headers=headers
    )
    assert bad.status_code == 422
    conversation = await start(client, headers, language="zh", timezone="Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    posted = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"text": "我昨天下午3点充了500U，到现在还没到账"},
        headers=headers,
    )
    assert posted.status_code == 201, posted.text
    yesterday = datetime.now(shanghai).date() - timedelta(days=1)
    three_pm = datetime(yesterday.year, yesterday.month, yesterday.day, 15, tzinfo=shanghai)
    expected = three_pm.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert posted.json()["reply"]["entities"]["datetime"] == [expected]
