"""Linking Telegram end to end: a signed-in customer asks for a link on the account page in a
real browser, sends it to the bot (a local Bot API server), and the bot, served by the same
running server, then answers from their account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from lifeline.channels.telegram import LINKED
from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from tests.support.browser import chromium
from tests.support.factories import customer_token
from tests.support.fake_telegram import FakeTelegram, fake_telegram
from tests.support.servers import running_app

TOKEN = "424242:LINK-token"
CHAT = 515151
WAIT = 30_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def bot_says(fake: FakeTelegram, wanted: str, seconds: float = 60) -> str:
    """The bot's next message to CHAT that contains ``wanted``."""
    for _ in range(int(seconds * 10)):
        for text in fake.messages_to(CHAT):
            if wanted in text:
                return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never said {wanted!r}: {fake.messages_to(CHAT)}")


@pytest.mark.database
async def test_a_customer_links_telegram_from_the_account_page(
    settings: Settings, demo_data: None, browser: Browser
) -> None:
    with fake_telegram(TOKEN) as (api_base, fake):
        serving = settings.model_copy(
            update={
                "outbox_in_process": True,
                "telegram_bot_token": TOKEN,
                "telegram_bot_username": "DemoExchangeBot",
                "telegram_api_base": api_base,
                "telegram_poll_timeout_seconds": 1,
            }
        )
        with running_app(serving) as base:
            page = await (await browser.new_context(locale="en-US")).new_page()
            token = customer_token(settings, d.ALICE)
            await page.goto(f"http://{base}/help/en/account?token={token}")
            section = page.get_by_test_id("telegram-section")
            await expect(section).to_be_visible(timeout=WAIT)
            await page.get_by_test_id("telegram-link").click()
            opener = page.get_by_test_id("telegram-open")
            await expect(opener).to_be_visible(timeout=WAIT)
            href = await opener.get_attribute("href")
            assert href is not None and href.startswith("https://t.me/DemoExchangeBot?start=")

            fake.customer_says(CHAT, "/start " + href.partition("start=")[2])
            assert await bot_says(fake, LINKED["en"][:40]) == LINKED["en"]
            fake.customer_says(
                CHAT, f"my USDT deposit has not arrived, txid {d.DEPOSIT_CONFIRMING_TXID}"
            )
            await bot_says(fake, "3/12")
