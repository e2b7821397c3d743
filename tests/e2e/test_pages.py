"""Every main page in a real browser, in both languages: it renders its content, a phone
never has to scroll sideways, and a screenshot is kept for people to look at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import BrowserContext, Page, expect

from lifeline.exchange import demo_data as d
from tests.e2e.conftest import ServerProcess, screenshot
from tests.e2e.flows import agent_signs_in, customer_signs_in

NewContext = Callable[..., Awaitable[BrowserContext]]


async def assert_fits_the_screen(page: Page) -> None:
    overflow = await page.evaluate(
        "() => document.scrollingElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


async def first_ticket_number(page: Page) -> str:
    row = page.get_by_test_id("ticket-row").first
    await expect(row).to_be_visible()
    href = await row.locator("a").first.get_attribute("href")
    assert href is not None
    return href.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_customer_pages_on_a_phone(
    demo_server: ServerProcess, new_context: NewContext, lang: str
) -> None:
    base = demo_server.base_url
    context = await new_context(phone=True, locale="zh-CN" if lang == "zh" else "en-US")
    page = await customer_signs_in(context, base, d.WEI if lang == "zh" else d.ALICE)
    visits = [
        ("help-home", f"/help/{lang}/", "#lifeline-launcher"),
        ("help-search", f"/help/{lang}/search?q=deposit", "main a[href*='/articles/']"),
        ("help-article", f"/help/{lang}/articles/deposit-not-credited", "main h1"),
        ("verify", f"/help/{lang}/verify?value=demoexchange-support.com", "main form"),
        ("freeze", f"/help/{lang}/freeze", "main form"),
        ("ticket-new", f"/help/{lang}/tickets/new", "[data-testid=ticket-form]"),
        ("my-tickets", f"/help/{lang}/tickets", "[data-testid=ticket-row]"),
    ]
    for name, path, selector in visits:
        await page.goto(f"{base}{path}")
        await expect(page.locator(selector).first).to_be_visible()
        await expect(page.locator("#lifeline-launcher")).to_be_visible()
        await assert_fits_the_screen(page)
        await screenshot(page, f"customer-{name}-phone-{lang}")

    number = await first_ticket_number(page)
    await page.goto(f"{base}/help/{lang}/tickets/{number}")
    await expect(page.get_by_test_id("ticket-thread")).to_be_visible()
    await assert_fits_the_screen(page)
    await screenshot(page, f"customer-ticket-phone-{lang}")

    await page.locator("#lifeline-launcher").click()
    await expect(page.get_by_test_id("chat-input")).to_be_visible()
    await assert_fits_the_screen(page)
    await screenshot(page, f"chat-open-phone-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_agent_console_pages(
    demo_server: ServerProcess, new_context: NewContext, lang: str
) -> None:
    base = demo_server.base_url
    context = await new_context(locale="zh-CN" if lang == "zh" else "en-US")
    sign_in = await context.new_page()
    await sign_in.goto(f"{base}/console/sign-in?lang={lang}")
    await expect(sign_in.get_by_test_id("sign-in-form")).to_be_visible()
    await screenshot(sign_in, f"console-sign-in-{lang}")

    page = await agent_signs_in(context, base, "supervisor@demoexchange.com")
    await page.goto(f"{base}/console?lang={lang}")
    await page.get_by_test_id("filter-all").check()
    tickets = page.locator("[data-testid=inbox-item][data-kind=ticket]")
    await expect(tickets.first).to_be_visible()
    await screenshot(page, f"console-inbox-{lang}")

    await tickets.first.get_by_test_id("inbox-link").click()
    await expect(page.get_by_test_id("ticket-subject")).not_to_be_empty()
    await expect(page.get_by_test_id("customer-context")).to_be_visible()
    await screenshot(page, f"console-ticket-{lang}")

    await page.goto(f"{base}/console/supervisor?lang={lang}")
    await expect(page.get_by_test_id("agent-table")).to_be_visible()
    await expect(page.get_by_test_id("agent-row").first).to_be_visible()
    await screenshot(page, f"console-supervisor-{lang}")

    # Leave the shared server as found: an online supervisor would take the next test's chats.
    async with page.expect_response(
        lambda r: r.url.endswith("/api/v1/agent/presence") and r.request.method == "PUT"
    ) as presence:
        await page.get_by_test_id("presence-select").select_option("offline")
    assert (await (await presence.value).json())["status"] == "offline"
