"""Customer and agent on two different server processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import BrowserContext, expect

from lifeline.config import Settings
from lifeline.demo import prepare_demo
from lifeline.exchange import demo_data as d
from tests.e2e.conftest import ServerProcess, screenshot, start_server, stop_server, unique
from tests.e2e.flows import agent_signs_in, customer_signs_in, messages_from, open_chat, say

NewContext = Callable[..., Awaitable[BrowserContext]]
POSTGRES = os.environ.get("LIFELINE_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/x"
REDIS = os.environ.get("LIFELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def two_servers(tmp_path: Path) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    base = POSTGRES.rpartition("/")[0]
    name = f"lifeline_e2e_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(f"{base}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    env = {
        "LIFELINE_DATABASE_URL": url,
        "LIFELINE_REDIS_URL": REDIS,
        "LIFELINE_DATA_DIR": str(tmp_path),
        "LIFELINE_DEMO_SIGN_IN": "true",
        "LIFELINE_ENV": "development",
    }
    servers: list[ServerProcess] = []
    try:
        await prepare_demo(Settings(database_url=url, data_dir=tmp_path, env="development"))
        servers.append(start_server(["serve", "--no-migrate"], tmp_path / "a.log", **env))
        servers.append(start_server(["serve", "--no-migrate"], tmp_path / "b.log", **env))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            stop_server(server)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_customer_on_one_server_and_agent_on_another_talk_live(
    two_servers: tuple[ServerProcess, ServerProcess], new_context: NewContext
) -> None:
    customer_node, agent_node = two_servers
    agent = await agent_signs_in(await new_context(), agent_node.base_url, "lina@demoexchange.com")
    customer = await customer_signs_in(
        await new_context(phone=True, locale="zh-CN"), customer_node.base_url, d.WEI
    )
    await customer.goto(f"{customer_node.base_url}/help/zh/")
    await open_chat(customer)
    await say(customer, "我要找人工客服")
    conversation_id = await customer.evaluate(
        "() => JSON.parse(sessionStorage.getItem('lifeline.chat')).id"
    )

    item = agent.locator(f"[data-testid=inbox-item][data-id='{conversation_id}']")
    await expect(item).to_be_visible(timeout=20_000)
    await item.get_by_test_id("inbox-link").click()
    accept = agent.get_by_test_id("accept")
    if await accept.is_visible():
        await accept.click()
    await expect(agent.get_by_test_id("conversation-status")).to_have_attribute(
        "data-status", "assigned"
    )

    answer = unique("您好，我是李娜，请问有什么可以帮您")
    await agent.get_by_test_id("reply-input").fill(answer)
    await agent.get_by_test_id("reply-send").click()
    await expect(messages_from(customer, "agent").filter(has_text=answer)).to_have_count(1)

    question = unique("我的充值还没到账")
    await customer.get_by_test_id("chat-input").press_sequentially("我的", delay=50)
    await expect(agent.get_by_test_id("typing-indicator")).to_be_visible()
    await say(customer, question)
    await expect(messages_from(agent, "customer").filter(has_text=question)).to_have_count(1)
    await screenshot(customer, "chat-two-servers-customer-phone-zh")
    await screenshot(agent, "console-two-servers-agent")
