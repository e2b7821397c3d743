"""The console in a real browser (Debian's Chromium) against a real server: sign-in errors,
a queued chat from the inbox to a reply, the outbound guard's reason, internal notes, and
hostile customer text that stays text."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Agent, Role
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.db import transaction
from lifeline.exchange import demo_data as d
from lifeline.livechat import service as livechat
from tests.support.browser import chromium
from tests.support.factories import PASSWORD, customer_token, make_agent, sign_in
from tests.support.servers import running_app

WAIT = 30_000  # ms; generous, the machine may be busy with other suites
HOSTILE = '<img src=x onerror="window.__pwned=1">'
TXID = "f" * 64


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def _queued_chat(base: str, settings: Settings, context: AppContext) -> str:
    """A customer talks to the assistant (hostile text included), then the chat is queued
    with a hand-off summary whose fields are hostile too."""
    token = customer_token(settings, d.ALICE, email=None)
    async with httpx.AsyncClient(
        base_url=f"http://{base}", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as customer:
        started = await customer.post("/api/v1/conversations", json={"language": "en"})
        assert started.status_code == 201, started.text
        public_id: str = started.json()["public_id"]
        posted = await customer.post(
            f"/api/v1/conversations/{public_id}/messages",
            json={"text": f"hello {HOSTILE} my deposit {TXID} is missing"},
        )
        assert posted.status_code == 201, posted.text
    async with transaction(context.sessionmaker) as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.public_id == public_id)
        )
        assert conversation is not None
        conversation.handoff = {
            "reason": f"customer asked for a person {HOSTILE}",
            "intent": "deposit_not_credited",
            "entities": {"txid": [TXID], "amount": [{"value": "0.5", "asset": "BTC"}]},
            "checks": [{"type": "deposit", "status": HOSTILE}],
            "said": [f"I checked {HOSTILE}"],
            "customer_message": HOSTILE,
            "masked_kinds": ["seed_phrase"],
            "customer": {"user_id": d.ALICE, "vip_tier": 0, "language": "en"},
            "team": "funds",
        }
        await livechat.enqueue(session, context, conversation)
    return public_id


async def _create_macro(base: str, supervisor: str, name: str, text: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=60) as client:
        await sign_in(client, supervisor)
        created = await client.post(
            "/api/v1/macros", json={"name": name, "bodies": {"en": text, "zh": text}}
        )
        assert created.status_code == 201, created.text


async def _customer_says(base: str, settings: Settings, conversation_id: str, text: str) -> None:
    token = customer_token(settings, d.ALICE, email=None)
    async with httpx.AsyncClient(
        base_url=f"http://{base}", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as customer:
        posted = await customer.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"text": text}
        )
        assert posted.status_code == 201, posted.text


async def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    await page.get_by_test_id("sign-in-email").fill(email)
    await page.get_by_test_id("sign-in-password").fill(password)
    await page.get_by_test_id("sign-in-submit").click()


@pytest.mark.slow
@pytest.mark.database
async def test_an_agent_takes_a_queued_chat_in_the_browser(
    settings: Settings,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
    browser: Browser,
    fast_hashing: None,
) -> None:
    agent: Agent = await make_agent(
        sessionmaker, "emma@example.com", languages=("en",), teams=("funds", "general")
    )
    await make_agent(sessionmaker, "sam@example.com", role=Role.SUPERVISOR)
    with running_app(settings) as base:
        await _create_macro(base, "sam@example.com", "txid please", "Please send the TxID.")
        conversation_id = await _queued_chat(base, settings, context)
        page = await (await browser.new_context(locale="en-US")).new_page()
        page.set_default_timeout(WAIT)
        script_errors: list[str] = []
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        await page.goto(f"http://{base}/console/conversations/{conversation_id}")
        assert "/console/sign-in" in page.url

        await _sign_in(page, base, agent.email, "not the password")
        error = page.get_by_test_id("sign-in-error")
        await expect(error).to_be_visible(timeout=WAIT)
        await expect(error).to_have_attribute("data-code", "invalid_credentials", timeout=WAIT)

        await _sign_in(page, base, agent.email, PASSWORD)
        await page.wait_for_url(f"**/console/conversations/{conversation_id}")
        await page.get_by_test_id("nav-inbox").click()
        item = page.locator(f"[data-testid=inbox-item][data-id='{conversation_id}']")
        await expect(item).to_be_visible(timeout=WAIT)
        await expect(page.get_by_test_id("live-status")).to_have_attribute(
            "data-state", "open", timeout=WAIT
        )

        await item.get_by_test_id("inbox-link").click()
        summary = page.get_by_test_id("handoff-summary")
        await expect(summary).to_contain_text(TXID, timeout=WAIT)
        await expect(summary).to_contain_text("0.5 BTC", timeout=WAIT)
        await expect(summary).to_contain_text(HOSTILE, timeout=WAIT)
        await expect(page.get_by_test_id("masked-warning")).to_contain_text(
            "seed_phrase", timeout=WAIT
        )
        customer_messages = page.locator("[data-testid=message][data-sender=customer]")
        await expect(customer_messages.first).to_contain_text(HOSTILE, timeout=WAIT)
        await expect(page.get_by_test_id("customer-context")).to_contain_text(d.ALICE, timeout=WAIT)

        accept = page.get_by_test_id("accept")
        if await accept.is_visible():
            await accept.click()
        status = page.get_by_test_id("conversation-status")
        await expect(status).to_have_attribute("data-status", "assigned", timeout=WAIT)

        await page.get_by_test_id("reply-input").fill("Please send me your seed phrase")
        await page.get_by_test_id("reply-send").click()
        guard = page.get_by_test_id("guard-error")
        await expect(guard).to_be_visible(timeout=WAIT)
        await expect(guard).to_have_attribute("data-code", "outbound_blocked", timeout=WAIT)
        await expect(guard).to_contain_text("seed", timeout=WAIT)
        await expect(page.get_by_test_id("reply-input")).to_have_value(
            "Please send me your seed phrase", timeout=WAIT
        )

        await page.get_by_test_id("reply-input").fill("Your deposit is on its way.")
        await page.get_by_test_id("reply-send").click()
        await expect(guard).to_be_hidden(timeout=WAIT)
        sent = page.locator("[data-testid=message][data-sender=agent][data-internal=false]")
        await expect(sent.filter(has_text="Your deposit is on its way.")).to_have_count(
            1, timeout=WAIT
        )

        await page.get_by_test_id("macro-picker").select_option(label="txid please")
        await page.get_by_test_id("macro-apply").click()
        await expect(sent.filter(has_text="Please send the TxID.")).to_have_count(1, timeout=WAIT)

        # Back in the inbox, what the customer writes next shows as unread, live.
        await page.get_by_test_id("nav-inbox").click()
        await expect(page.get_by_test_id("live-status")).to_have_attribute(
            "data-state", "open", timeout=WAIT
        )
        await expect(item.get_by_test_id("item-unread")).to_have_count(0, timeout=WAIT)
        await _customer_says(base, settings, conversation_id, "Thanks! How long will it take?")
        await expect(item.get_by_test_id("item-unread")).to_have_text("1", timeout=WAIT)
        await item.get_by_test_id("inbox-link").click()
        await expect(customer_messages.filter(has_text="How long")).to_have_count(1, timeout=WAIT)

        await page.get_by_test_id("mode-note").check()
        await page.get_by_test_id("reply-input").fill(f"note {HOSTILE}")
        await page.get_by_test_id("reply-send").click()
        note = page.locator("[data-testid=message][data-internal=true]")
        await expect(note.filter(has_text="note <img")).to_have_count(1, timeout=WAIT)

        # Nothing typed by a customer or an agent became markup or ran.
        assert await page.evaluate("() => window.__pwned") is None
        assert await page.locator("main img").count() == 0
        ids = await page.locator("[data-testid=message]").evaluate_all(
            "nodes => nodes.map(n => Number(n.dataset.messageId))"
        )
        assert ids == sorted(ids) and len(ids) == len(set(ids))

        await page.get_by_test_id("wrap-up-resolve").click()
        await expect(status).to_have_attribute("data-status", "resolved", timeout=WAIT)

        await page.goto(f"http://{base}/console?lang=zh")
        await expect(page.get_by_test_id("nav-inbox")).to_have_text("收件箱", timeout=WAIT)
        await page.goto(f"http://{base}/console/supervisor")
        await expect(page.get_by_test_id("forbidden")).to_be_visible(timeout=WAIT)
        assert script_errors == []


@pytest.mark.slow
@pytest.mark.database
async def test_a_macro_answers_a_ticket_in_the_browser(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
    browser: Browser,
    fast_hashing: None,
) -> None:
    await make_agent(sessionmaker, "sam@example.com", role=Role.SUPERVISOR)
    with running_app(settings) as base:
        await _create_macro(base, "sam@example.com", "txid please", "Please send the TxID.")
        token = customer_token(settings, d.ALICE, email=None)
        async with httpx.AsyncClient(
            base_url=f"http://{base}", headers={"Authorization": f"Bearer {token}"}
        ) as customer:
            created = await customer.post(
                "/api/v1/customer/tickets",
                json={
                    "subject": "Deposit missing",
                    "description": "My deposit has not arrived.",
                    "category": "deposits_withdrawals",
                },
            )
        assert created.status_code == 201, created.text
        number = created.json()["ticket"]["number"]
        page = await (await browser.new_context(locale="en-US")).new_page()
        page.set_default_timeout(WAIT)
        script_errors: list[str] = []
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        await page.goto(f"http://{base}/console/tickets/{number}")
        await _sign_in(page, base, "sam@example.com", PASSWORD)
        await page.wait_for_url(f"**/console/tickets/{number}")
        await page.get_by_test_id("macro-picker").select_option(label="txid please")
        await page.get_by_test_id("macro-apply").click()
        replies = page.locator("[data-testid=message][data-sender=agent][data-internal=false]")
        await expect(replies.filter(has_text="Please send the TxID.")).to_have_count(
            1, timeout=WAIT
        )
        # A typed reply, then an internal note, through the same composer.
        await page.get_by_test_id("reply-input").fill("We are checking the deposit now.")
        await page.get_by_test_id("reply-send").click()
        await expect(replies.filter(has_text="checking the deposit")).to_have_count(1, timeout=WAIT)
        await expect(page.get_by_test_id("reply-input")).to_have_value("", timeout=WAIT)
        await page.get_by_test_id("mode-note").check()
        await page.get_by_test_id("reply-input").fill("Asked finance to look")
        await page.get_by_test_id("reply-send").click()
        notes = page.locator("[data-testid=message][data-internal=true]")
        await expect(notes.filter(has_text="Asked finance")).to_have_count(1, timeout=WAIT)
        assert script_errors == []
