"""The Telegram channel against a local Bot API server speaking the real JSON protocol."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from lifeline.app import create_app
from lifeline.channels.telegram import (
    LINK_FAILED,
    LINKED,
    TELEGRAM_TOPIC,
    UNLINKED,
    TelegramPoller,
    split_text,
    stored_offset,
)
from lifeline.channels.telegram_link import redeem
from lifeline.context import AppContext
from lifeline.conversations.models import Channel, Conversation, Message, SenderType
from lifeline.conversations.service import add_message
from lifeline.db import transaction
from lifeline.exchange import demo_data as d
from lifeline.outbox.models import OutboxItem, OutboxStatus
from lifeline.security.masking import secret_warning
from lifeline.security.models import AuditEntry
from tests.channels.conftest import configured
from tests.channels.leaks import SECRET_TEXT, TXID, assert_no_secret_stored
from tests.support.factories import customer_token
from tests.support.fake_telegram import FakeTelegram, fake_telegram

TOKEN = "123456:TEST-token"
CHAT = 777001


@pytest.fixture
def telegram() -> Iterator[tuple[str, FakeTelegram]]:
    with fake_telegram(TOKEN) as running:
        yield running


@pytest.fixture
def bot_context(context: AppContext, telegram: tuple[str, FakeTelegram], desk: None) -> AppContext:
    base, _fake = telegram
    return configured(
        context,
        telegram_bot_token=TOKEN,
        telegram_api_base=base,
        telegram_poll_timeout_seconds=1,
    )


async def _messages(context: AppContext) -> list[Message]:
    async with context.sessionmaker() as session:
        return list((await session.scalars(select(Message).order_by(Message.id))).all())


async def test_secrets_are_masked_and_the_customer_is_warned(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    fake.customer_says(CHAT, SECRET_TEXT)
    poller = TelegramPoller(bot_context)
    assert await poller.poll_once() == 1
    await bot_context.outbox.drain()

    everything = await assert_no_secret_stored(bot_context.sessionmaker)
    assert TXID in everything
    messages = await _messages(bot_context)
    customer = [m for m in messages if m.sender_type == SenderType.CUSTOMER]
    assert len(customer) == 1
    assert TXID in customer[0].body
    assert sorted(customer[0].masked_kinds) == ["otp_code", "password", "seed_phrase"]
    async with bot_context.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert conversation.channel == Channel.TELEGRAM
    sent = fake.messages_to(CHAT)
    assert len(sent) == 1
    warning = secret_warning(["seed_phrase", "password", "otp_code"], "en")
    assert warning is not None and warning in sent[0]
    async with bot_context.sessionmaker() as session:
        items = (await session.scalars(select(OutboxItem))).all()
    assert all(item.status == OutboxStatus.DONE for item in items)
    assert {item.topic for item in items} == {TELEGRAM_TOPIC}


async def test_chinese_customer_is_warned_in_chinese(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    fake.customer_says(CHAT, "我的密码是 Hunter2-Secret!9，提现一直没到账", language_code="zh-hans")
    await TelegramPoller(bot_context).poll_once()
    await bot_context.outbox.drain()
    await assert_no_secret_stored(bot_context.sessionmaker)
    sent = fake.messages_to(CHAT)
    assert len(sent) == 1
    warning = secret_warning(["password"], "zh")
    assert warning is not None and warning in sent[0]


async def test_one_conversation_per_chat_and_offsets_survive_a_restart(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    first = fake.customer_says(CHAT, "Hello, where is my deposit?")
    fake.customer_says(CHAT + 1, "/start")
    poller = TelegramPoller(bot_context)
    assert await poller.poll_once() == 2
    second = fake.customer_says(CHAT, "It was USDT on TRC20")
    assert await poller.poll_once() == 1

    # A new process: the offset comes back from the database, nothing is handled twice.
    async with bot_context.sessionmaker() as session:
        assert await stored_offset(session, "123456") == second + 1
        assert await stored_offset(session, "999") is None
    restarted = TelegramPoller(bot_context)
    assert await restarted.poll_once() == 0
    assert restarted.offset == second + 1
    assert fake.offsets[-1] == second + 1
    assert first < second

    async with bot_context.sessionmaker() as session:
        conversations = (await session.scalars(select(Conversation))).all()
    assert len(conversations) == 2
    messages = await _messages(bot_context)
    customer_texts = [m.body for m in messages if m.sender_type == SenderType.CUSTOMER]
    assert customer_texts == ["Hello, where is my deposit?", "It was USDT on TRC20"]
    await bot_context.outbox.drain()
    assert len(fake.messages_to(CHAT)) == 2
    welcome = fake.messages_to(CHAT + 1)
    assert len(welcome) == 1 and "support assistant" in welcome[0]


async def test_a_redelivered_update_is_handled_once(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    update_id = fake.customer_says(CHAT, "Hello, where is my deposit?")
    poller = TelegramPoller(bot_context)
    await poller.poll_once()
    # Telegram sends it again: the getUpdates that would have confirmed it never arrived.
    poller.offset = None
    assert [update["update_id"] for update in fake.updates] == [update_id]
    assert await poller.poll_once() == 1
    await bot_context.outbox.drain()
    customer = [m for m in await _messages(bot_context) if m.sender_type == SenderType.CUSTOMER]
    assert len(customer) == 1
    assert len(fake.messages_to(CHAT)) == 1


async def test_agent_replies_are_sent_once_and_retried_until_delivered(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    fake.customer_says(CHAT, "I want to talk to a person about my withdrawal")
    poller = TelegramPoller(bot_context)
    await poller.poll_once()
    await bot_context.outbox.drain()
    before = len(fake.messages_to(CHAT))
    async with transaction(bot_context.sessionmaker) as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        await add_message(session, conversation, SenderType.AGENT, "Hi, I am Mia from support.")
        await add_message(session, conversation, SenderType.AGENT, "internal remark", internal=True)
    fake.fail_sends = 1
    assert await poller.relay() == 1
    assert await poller.relay() == 0
    await bot_context.outbox.drain()  # the first attempt fails and is scheduled again
    async with transaction(bot_context.sessionmaker) as session:
        item = await session.scalar(
            select(OutboxItem)
            .where(OutboxItem.topic == TELEGRAM_TOPIC)
            .order_by(OutboxItem.id.desc())
        )
        assert item is not None and item.status == OutboxStatus.PENDING
        item.available_at = item.created_at
    await bot_context.outbox.drain()
    sent = fake.messages_to(CHAT)
    assert sent[before:] == ["Hi, I am Mia from support."]


async def test_non_text_messages_get_a_hint(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram]
) -> None:
    _base, fake = telegram
    fake.customer_says(CHAT, None)
    await TelegramPoller(bot_context).poll_once()
    await bot_context.outbox.drain()
    assert fake.messages_to(CHAT) == [
        "I can only read text messages here. Please describe your problem in words."
    ]


def test_long_texts_are_split_under_the_limit() -> None:
    text = ("line\n" * 2000).strip()
    parts = split_text(text)
    assert all(0 < len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]
    assert split_text("") == [""]


async def test_the_bot_token_never_reaches_the_logs(
    bot_context: AppContext,
    telegram: tuple[str, FakeTelegram],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _base, fake = telegram
    fake.customer_says(CHAT, "Hello")
    with caplog.at_level(logging.DEBUG):
        await TelegramPoller(bot_context).poll_once()
        await bot_context.outbox.drain()
    requests = [r for r in caplog.records if r.name == "httpx"]
    assert requests, "httpx logs its requests"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert any("<telegram-token>" in record.getMessage() for record in requests)


async def _link_code(context: AppContext, user_id: str) -> dict[str, Any]:
    """What the signed-in customer's "connect Telegram" button asks the API for."""
    transport = httpx.ASGITransport(app=create_app(context=context))
    headers = {"Authorization": f"Bearer {customer_token(context.settings, user_id)}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        response = await client.post("/api/v1/customers/me/telegram-link")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_linked_chat_gets_answers_from_the_customers_account(
    bot_context: AppContext, telegram: tuple[str, FakeTelegram], demo_data: None
) -> None:
    _base, fake = telegram
    linked = configured(bot_context, telegram_bot_username="DemoExchangeBot")
    poller = TelegramPoller(linked)
    question = f"my USDT deposit has not arrived, txid {d.DEPOSIT_CONFIRMING_TXID}"

    fake.customer_says(CHAT, question)
    await poller.poll_once()
    await linked.outbox.drain()
    assert "3/12" not in fake.messages_to(CHAT)[-1]  # anonymous: nothing from the account

    link = await _link_code(linked, d.ALICE)
    assert link["url"] == f"https://t.me/DemoExchangeBot?start={link['code']}"
    assert len(link["code"]) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", link["code"])
    fake.customer_says(CHAT, f"/start {link['code']}")
    fake.customer_says(CHAT, question)
    await poller.poll_once()
    await linked.outbox.drain()
    *_, welcome, answer = fake.messages_to(CHAT)
    assert welcome == LINKED["en"]
    assert "3/12" in answer  # looked up at the exchange for Alice

    # The code worked once: another chat cannot reuse it.
    fake.customer_says(CHAT + 5, f"/start {link['code']}")
    await poller.poll_once()
    await linked.outbox.drain()
    assert fake.messages_to(CHAT + 5) == [LINK_FAILED["en"]]

    fake.customer_says(CHAT, "/unlink")
    fake.customer_says(CHAT, question)
    await poller.poll_once()
    await linked.outbox.drain()
    *_, unlinked, anonymous = fake.messages_to(CHAT)
    assert unlinked == UNLINKED["en"]
    assert "3/12" not in anonymous
    async with linked.sessionmaker() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "customer.telegram_linked" in actions


async def test_link_codes_expire_are_replaced_and_cannot_be_forged(
    bot_context: AppContext, demo_data: None
) -> None:
    older = (await _link_code(bot_context, d.ALICE))["code"]
    newer = (await _link_code(bot_context, d.ALICE))["code"]
    customer_id, expires, nonce, mac = newer.split("-", 3)
    forged = f"{int(customer_id) + 1}-{expires}-{nonce}-{mac}"
    stale = f"{customer_id}-{int(time.time()) - 1}-{nonce}-{mac}"
    async with transaction(bot_context.sessionmaker) as session:
        for code in (older, forged, stale, "garbage", f"{customer_id}-{expires}-{nonce}-x"):
            assert await redeem(session, bot_context.settings, code) is None, code
        found = await redeem(session, bot_context.settings, newer)
        assert found is not None and found.external_id == d.ALICE
