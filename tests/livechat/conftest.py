"""Fixtures of the live-chat tests: an app, signed-in agents with their own cookies,
customers, and chats waiting in the queue after the assistant handed them over."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from lifeline.accounts.models import Role
from lifeline.accounts.service import create_agent, ensure_default_teams
from lifeline.app import create_app
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.db import transaction
from lifeline.livechat import service as livechat
from tests.support.factories import PASSWORD, customer_token, sign_in


@dataclass
class Desk:
    """The app under test and a way to open clients as agents or customers."""

    app: FastAPI
    context: AppContext
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def _client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.9", 50000))
        opened = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.clients.append(opened)
        return opened

    async def agent(
        self,
        email: str,
        *,
        languages: tuple[str, ...] = ("en",),
        teams: tuple[str, ...] = (),
        role: Role = Role.AGENT,
        capacity: int = 3,
        online: bool = True,
    ) -> AgentClient:
        async with transaction(self.context.sessionmaker) as session:
            await ensure_default_teams(session)
            created = await create_agent(
                session,
                name=email.split("@")[0].title(),
                email=email,
                password=PASSWORD,
                role=role,
                languages=languages,
                team_slugs=teams,
                capacity=capacity,
            )
        client = self._client()
        await sign_in(client, email)
        agent = AgentClient(client, created.id, created.name)
        if online:
            await agent.presence("online")
        return agent

    async def customer(self, user_id: str = "U1001", lang: str = "en") -> CustomerClient:
        client = self._client()
        token = customer_token(self.context.settings, user_id, lang=lang, email=None)
        client.headers["Authorization"] = f"Bearer {token}"
        return CustomerClient(client, token)

    async def queued_chat(
        self,
        customer: CustomerClient,
        *,
        lang: str = "en",
        team: str | None = "funds",
        vip_tier: int = 0,
    ) -> str:
        """A chat the assistant handed over: started by the customer, queued by the queue
        service with a hand-off summary like the assistant writes."""
        response = await customer.client.post("/api/v1/conversations", json={"language": lang})
        assert response.status_code == 201, response.text
        public_id: str = response.json()["public_id"]
        async with transaction(self.context.sessionmaker) as session:
            conversation = await session.scalar(
                select(Conversation).where(Conversation.public_id == public_id)
            )
            assert conversation is not None
            conversation.intent = "deposit_not_credited"
            conversation.handoff = {
                "reason": "customer asked for a person",
                "intent": "deposit_not_credited",
                "entities": {"txid": ["0xabc"]},
                "checks": [],
                "said": [],
                "customer_message": "I want a person",
                "masked_kinds": [],
                "customer": {"user_id": "U", "vip_tier": vip_tier, "language": lang},
                "team": team,
            }
            await livechat.enqueue(session, self.context, conversation)
        return public_id


@dataclass
class AgentClient:
    client: httpx.AsyncClient
    id: int
    name: str

    async def presence(self, status: str) -> dict[str, Any]:
        response = await self.client.put("/api/v1/agent/presence", json={"status": status})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def chat(self, public_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/agent/conversations/{public_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(f"/api/v1/agent{path}", json=body or {})


@dataclass
class CustomerClient:
    client: httpx.AsyncClient
    token: str

    async def messages(self, public_id: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/api/v1/conversations/{public_id}")
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["messages"]
        return found

    async def queue(self, public_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/conversations/{public_id}/queue")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def desk(context: AppContext) -> AsyncIterator[Desk]:
    async with transaction(context.sessionmaker) as session:
        await ensure_default_teams(session)
    opened = Desk(create_app(context=context), context)
    yield opened
    for client in opened.clients:
        await client.aclose()


MakeAgent = Callable[..., Awaitable[AgentClient]]
