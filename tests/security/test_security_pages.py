"""The customer's security pages: the channel checker and the emergency freeze, no sign-in."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.context import AppContext
from lifeline.exchange import demo_data as d
from lifeline.exchange.schemas import AccountState
from lifeline.outbox.models import OutboxItem


async def test_verify_page_in_both_languages(client: httpx.AsyncClient) -> None:
    page = await client.get("/help/en/verify", params={"value": "https://demoexchange-support.com"})
    assert page.status_code == 200
    assert "Warning: this is NOT us" in page.text
    assert "@demoexchange_cn" in page.text  # the official list is on the page
    official = await client.get("/help/zh/verify", params={"value": "support@demoexchange.com"})
    assert "这是官方渠道" in official.text
    empty = await client.get("/help/zh/verify")
    assert empty.status_code == 200 and "这真的是官方吗" in empty.text


async def test_freeze_page_flow_with_a_code(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    start = await client.get("/help/zh/freeze")
    assert start.status_code == 200 and "紧急冻结账户" in start.text
    sent = await client.post("/help/zh/freeze", data={"email": "li.ming@example.com"})
    assert sent.status_code == 200 and 'name="code"' in sent.text
    async with sessionmaker() as session:
        payload = (
            await session.scalars(
                select(OutboxItem.payload).where(OutboxItem.topic == "email.send")
            )
        ).one()
    code = re.search(r"(\d{6})", payload["text"])
    assert code
    wrong = await client.post(
        "/help/zh/freeze/code",
        data={
            "email": "li.ming@example.com",
            "code": "999999" if code.group(1) != "999999" else "888888",
        },
    )
    assert wrong.status_code == 400 and "操作失败" in wrong.text
    done = await client.post(
        "/help/zh/freeze/code", data={"email": "li.ming@example.com", "code": code.group(1)}
    )
    assert done.status_code == 200 and "您的账户已冻结" in done.text
    profile = await context.exchange.get_customer(d.MING)
    assert profile is not None and profile.account_status == AccountState.FROZEN


async def test_opening_the_link_alone_freezes_nothing(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await client.post("/help/en/freeze", data={"email": "alice@example.com"})
    async with sessionmaker() as session:
        payload = (
            await session.scalars(
                select(OutboxItem.payload).where(OutboxItem.topic == "email.send")
            )
        ).one()
    token = re.search(r"token=([A-Za-z0-9_\-]+)", payload["text"])
    assert token
    opened = await client.get("/help/en/freeze/confirm", params={"token": token.group(1)})
    assert opened.status_code == 200 and "Freeze my account now" in opened.text
    profile = await context.exchange.get_customer(d.ALICE)
    assert profile is not None and profile.account_status == AccountState.ACTIVE
    confirmed = await client.post("/help/en/freeze/confirm", data={"token": token.group(1)})
    assert confirmed.status_code == 200 and "Your account is frozen" in confirmed.text
