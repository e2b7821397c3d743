"""The chat widget tells the server the customer's time zone, in a real browser set to
Shanghai time, so that the times they mention are read where they are."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.conversations.models import Conversation
from tests.e2e.flows import open_chat, say
from tests.support.browser import chromium
from tests.support.servers import running_app


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.mark.database
async def test_the_widget_sends_the_browsers_time_zone(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    browser: Browser,
    demo_data: None,
) -> None:
    context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    page.set_default_timeout(30_000)
    with running_app(settings) as base:
        await page.goto(f"http://{base}/help/zh/")
        await open_chat(page)
        await say(page, "你好")
    await context.close()
    async with sessionmaker() as session:
        [conversation] = (await session.scalars(select(Conversation))).all()
    assert conversation.state.get("timezone") == "Asia/Shanghai"
