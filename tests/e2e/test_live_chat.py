"""Live chat in real browsers: a customer, the assistant and an agent in one conversation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from playwright.async_api import BrowserContext, WebSocketRoute, expect

from lifeline.exchange import demo_data as d
from tests.e2e.conftest import ServerProcess, screenshot, unique, wait_for
from tests.e2e.flows import agent_signs_in, customer_signs_in, messages_from, open_chat, say

NewContext = Callable[..., Awaitable[BrowserContext]]


async def test_deposit_question_handed_to_an_agent_who_answers_live_and_is_rated(
    demo_server: ServerProcess, new_context: NewContext
) -> None:
    base = demo_server.base_url
    customer = await customer_signs_in(await new_context(phone=True), base, d.ALICE)
    await customer.goto(f"{base}/help/en/")
    await screenshot(customer, "help-home-phone-en")
    await open_chat(customer)

    await say(customer, f"My USDT deposit hasn't arrived yet, txid {d.DEPOSIT_CONFIRMING_TXID}")
    bot = messages_from(customer, "bot").last
    await expect(bot).to_contain_text("3/12")
    await screenshot(customer, "chat-assistant-deposit-phone-en")

    agent = await agent_signs_in(await new_context(), base, "emma@demoexchange.com")
    await say(customer, "I want to talk to a human")
    await expect(customer.locator("#lifeline-widget")).to_have_attribute(
        "data-status", re.compile("queued|assigned")
    )
    conversation_id = await customer.evaluate(
        "() => JSON.parse(sessionStorage.getItem('lifeline.chat')).id"
    )

    item = agent.locator(f"[data-testid=inbox-item][data-id='{conversation_id}']")
    await expect(item).to_be_visible(timeout=20_000)
    await screenshot(agent, "console-inbox")
    await item.get_by_test_id("inbox-link").click()
    accept = agent.get_by_test_id("accept")
    if await accept.is_visible():
        await accept.click()
    await expect(agent.get_by_test_id("conversation-status")).to_have_attribute(
        "data-status", "assigned"
    )
    summary = agent.get_by_test_id("handoff-summary")
    await expect(summary).to_contain_text(d.DEPOSIT_CONFIRMING_TXID)
    await expect(summary).to_contain_text("deposit")
    await expect(agent.get_by_test_id("customer-context")).to_contain_text(d.ALICE)
    await screenshot(agent, "console-conversation")

    answer = "Hi Alice, your USDT deposit has 3 of 12 confirmations and will arrive shortly."
    await agent.get_by_test_id("reply-input").fill(answer)
    await agent.get_by_test_id("reply-send").click()
    await expect(messages_from(customer, "agent").filter(has_text=answer)).to_have_count(1)
    await expect(customer.get_by_test_id("chat-status")).to_contain_text("Emma")

    # The agent steps away for a moment and comes back: the customer is told either way.
    await agent.get_by_test_id("presence-select").select_option("away")
    await expect(customer.get_by_test_id("chat-status")).to_contain_text("stepped away")
    await agent.get_by_test_id("presence-select").select_option("online")
    await expect(customer.get_by_test_id("chat-status")).to_contain_text("Talking to Emma")

    await agent.get_by_test_id("wrap-up-resolve").click()
    form = customer.get_by_test_id("csat-form")
    await expect(form).to_be_visible()
    await form.locator("[data-testid=csat-star][data-score='5']").click()
    await form.get_by_test_id("csat-comment").fill("Quick and clear, thank you")
    await form.get_by_test_id("csat-submit").click()
    await expect(customer.get_by_test_id("csat-thanks")).to_be_visible()
    await screenshot(customer, "chat-rated-phone-en")

    stored = await agent.request.get(f"{base}/api/v1/agent/conversations/{conversation_id}")
    assert stored.ok
    rated = await stored.json()
    assert (rated["rating"], rated["rating_comment"]) == (5, "Quick and clear, thank you")


async def test_a_dropped_connection_catches_up_with_every_message_exactly_once(
    demo_server: ServerProcess, new_context: NewContext
) -> None:
    base = demo_server.base_url
    customer_context = await new_context(phone=True)
    sockets: list[WebSocketRoute] = []
    online = asyncio.Event()
    online.set()

    async def through_the_network(socket: WebSocketRoute) -> None:
        sockets.append(socket)
        await online.wait()  # while "offline", the connection hangs like a dead network
        socket.connect_to_server()

    customer = await customer_signs_in(customer_context, base, d.ALICE)
    await customer.route_web_socket(re.compile(r"/live"), through_the_network)
    await customer.goto(f"{base}/help/en/")
    await open_chat(customer)
    await say(customer, "I want to talk to a human")
    conversation_id = await customer.evaluate(
        "() => JSON.parse(sessionStorage.getItem('lifeline.chat')).id"
    )
    agent = await agent_signs_in(await new_context(), base, "emma@demoexchange.com")
    api = agent.request
    csrf = next(c["value"] for c in await agent.context.cookies() if c["name"] == "lifeline_csrf")
    headers = {"X-CSRF-Token": csrf}
    accepted = await api.post(
        f"{base}/api/v1/agent/conversations/{conversation_id}/accept", headers=headers
    )
    assert accepted.status in (200, 409)

    async def agent_says(text: str) -> None:
        response = await api.post(
            f"{base}/api/v1/agent/conversations/{conversation_id}/messages",
            data={"text": text},
            headers=headers,
        )
        assert response.status == 201, await response.text()

    before = unique("before the drop")
    await agent_says(before)
    await expect(messages_from(customer, "agent").filter(has_text=before)).to_have_count(1)

    online.clear()
    connections_before = len(sockets)
    await sockets[-1].close(code=4000, reason="network lost")
    during = [unique(f"while away {n}") for n in range(3)]
    for text in during:
        await agent_says(text)
    mine = unique("typed while away")
    await say(customer, mine)  # sent over HTTP, which still works

    async def reconnecting() -> bool:
        return len(sockets) > connections_before

    await wait_for(reconnecting)
    online.set()

    for text in [before, *during]:
        await expect(messages_from(customer, "agent").filter(has_text=text)).to_have_count(1)
    await expect(messages_from(customer, "customer").filter(has_text=mine)).to_have_count(1)
    after = unique("after reconnecting")
    await agent_says(after)
    await expect(messages_from(customer, "agent").filter(has_text=after)).to_have_count(1)

    # Every message id on the page appears once and matches what the server stored.
    ids = await customer.locator("[data-testid=message][data-message-id]").evaluate_all(
        "items => items.map(item => item.dataset.messageId)"
    )
    assert len(ids) == len(set(ids))
    stored = await api.get(f"{base}/api/v1/agent/conversations/{conversation_id}")
    public = [m for m in (await stored.json())["messages"] if not m["internal"]]
    assert sorted(int(i) for i in ids) == sorted(m["id"] for m in public)

    # A full page load resumes the same chat with the same messages, still once each.
    await customer.reload()
    await open_chat(customer)
    for text in [before, *during, after]:
        await expect(messages_from(customer, "agent").filter(has_text=text)).to_have_count(1)
