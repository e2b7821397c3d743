"""Talking to the assistant through the HTTP API as a customer, like the web widget does."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.conversations.models import Conversation
from lifeline.tickets.models import Ticket
from tests.support.factories import customer_token

# Until the intent engine is installed, a message is followed by the button that names the
# intent (what the widget shows after a clarifying question); once it is installed, the
# message alone must reach the right flow.
HAS_INTENT_ENGINE = importlib.util.find_spec("lifeline.nlu.parser") is not None


def customer_headers(settings: Settings, user_id: str, lang: str = "en") -> dict[str, str]:
    return {"Authorization": f"Bearer {customer_token(settings, user_id, lang=lang, email=None)}"}


@dataclass
class Chat:
    client: httpx.AsyncClient
    headers: dict[str, str]
    conversation_id: str = ""
    replies: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def start(
        cls, client: httpx.AsyncClient, settings: Settings, user_id: str | None, lang: str = "en"
    ) -> Chat:
        if user_id is None:
            response = await client.post("/api/v1/visitors", json={"language": lang})
            assert response.status_code in {200, 201}, response.text
            headers = {"X-Visitor-Token": response.json()["token"]}
        else:
            headers = customer_headers(settings, user_id, lang)
        chat = cls(client, headers)
        response = await client.post(
            "/api/v1/conversations", json={"language": lang}, headers=headers
        )
        assert response.status_code == 201, response.text
        chat.conversation_id = response.json()["public_id"]
        return chat

    async def post(self, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/conversations/{self.conversation_id}/messages",
            json=body,
            headers=self.headers,
        )
        assert response.status_code in {200, 201}, response.text
        reply: dict[str, Any] = response.json()["reply"]
        assert reply is not None, "no automatic reply: the conversation is with a person"
        self.replies.append(reply)
        return reply

    async def say(self, text: str, intent: str) -> dict[str, Any]:
        """Send a message the customer would type; the reply must come from ``intent``."""
        reply = await self.post(text=text)
        if not HAS_INTENT_ENGINE and reply["intent"] != intent:
            reply = await self.post(action=f"intent:{intent}")
        assert reply["intent"] == intent, (text, reply["intent"], reply["text"])
        return reply

    async def press(self, action: str) -> dict[str, Any]:
        return await self.post(action=action)


def slugs(reply: dict[str, Any]) -> list[str]:
    return [article["slug"] for article in reply["articles"]]


def action_ids(reply: dict[str, Any]) -> list[str]:
    return [action["id"] for action in reply["actions"]]


async def conversation_row(
    sessionmaker: async_sessionmaker[AsyncSession], public_id: str
) -> Conversation:
    async with sessionmaker() as session:
        found = await session.scalar(
            select(Conversation).where(Conversation.public_id == public_id)
        )
        assert found is not None
        return found


async def ticket_row(sessionmaker: async_sessionmaker[AsyncSession], number: str) -> Ticket:
    async with sessionmaker() as session:
        found = await session.scalar(select(Ticket).where(Ticket.number == int(number)))
        assert found is not None
        return found
