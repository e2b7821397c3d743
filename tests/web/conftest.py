"""Fixtures for the customer pages: clients signed in the way the pages expect (the customer
token as a Bearer header for the API, and in the page cookie), and an app in demo mode."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from lifeline.app import create_app
from lifeline.context import AppContext
from lifeline.web.customer_pages import CUSTOMER_COOKIE
from tests.support.factories import customer_token

CustomerClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def demo_client(context: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    """The app as ``lifeline demo`` runs it: demo sign-in on."""
    demo_context = dataclasses.replace(
        context, settings=context.settings.model_copy(update={"demo_sign_in": True})
    )
    app = create_app(context=demo_context)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as opened:
        yield opened


@pytest.fixture
async def customer_client(
    client: httpx.AsyncClient, context: AppContext
) -> AsyncIterator[CustomerClient]:
    """``await customer_client("U1001")``: a browser of that customer, signed in."""
    opened: list[httpx.AsyncClient] = []

    async def factory(user_id: str = "U1001", **claims: Any) -> httpx.AsyncClient:
        token = customer_token(
            context.settings, user_id, email=f"{user_id.lower()}@example.com", **claims
        )
        other = httpx.AsyncClient(
            transport=client._transport,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
            cookies={CUSTOMER_COOKIE: token},
        )
        opened.append(other)
        return other

    yield factory
    for other in opened:
        await other.aclose()


def ticket_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Deposit not credited",
        "description": "I sent 0.5 BTC two hours ago and it still is not in my account.",
        "category": "deposits_withdrawals",
        "fields": {"txid": "a" * 64},
    }
    body.update(overrides)
    return body
