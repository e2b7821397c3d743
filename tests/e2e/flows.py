"""What people do in the browser, step by step, shared by the end-to-end tests."""

from __future__ import annotations

from playwright.async_api import BrowserContext, Page, expect

from lifeline.demo import DEMO_PASSWORD


async def customer_signs_in(context: BrowserContext, base_url: str, user_id: str) -> Page:
    """A demo customer signs in on the help center's account page (the exchange's token)."""
    page = await context.new_page()
    await page.goto(f"{base_url}/help/en/account")
    await page.locator(f"[data-testid=demo-sign-in][data-user-id={user_id}]").click()
    await expect(page.get_by_test_id("sign-out")).to_be_visible()
    return page


async def open_chat(page: Page) -> None:
    await page.locator("#lifeline-launcher").click()
    await expect(page.get_by_test_id("chat-input")).to_be_visible()


async def say(page: Page, text: str) -> None:
    """Type into the widget and send; wait until the message shows as sent."""
    await page.get_by_test_id("chat-input").fill(text)
    await page.get_by_test_id("chat-send").click()
    own = page.locator("[data-testid=message][data-sender=customer]").filter(has_text=text)
    await expect(own).to_have_count(1)
    await expect(own).not_to_have_attribute("data-state", "pending")


async def agent_signs_in(context: BrowserContext, base_url: str, email: str) -> Page:
    page = await context.new_page()
    await page.goto(f"{base_url}/console/sign-in")
    await page.get_by_test_id("sign-in-email").fill(email)
    await page.get_by_test_id("sign-in-password").fill(DEMO_PASSWORD)
    await page.get_by_test_id("sign-in-submit").click()
    await expect(page.get_by_test_id("inbox-filters")).to_be_visible()
    return page


def messages_from(page: Page, sender: str) -> object:
    return page.locator(f"[data-testid=message][data-sender={sender}]")
