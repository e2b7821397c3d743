"""Everything a flow may use to answer one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.assistant.understanding import Understanding
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.exchange.schemas import CustomerProfile
from lifeline.kb.search import SearchHit


@dataclass
class Turn:
    session: AsyncSession
    context: AppContext
    conversation: Conversation
    customer: Customer | None
    lang: str
    now: datetime
    text: str
    understanding: Understanding
    masked_kinds: list[str] = field(default_factory=list)
    _profile: CustomerProfile | None = None
    _profile_loaded: bool = False

    @property
    def exchange(self) -> ExchangeAdapter:
        return self.context.exchange

    @property
    def user_id(self) -> str | None:
        """The customer's id at the exchange; None for an anonymous visitor."""
        return self.customer.external_id if self.customer else None

    async def profile(self) -> CustomerProfile | None:
        if not self._profile_loaded:
            self._profile_loaded = True
            if self.user_id:
                self._profile = await self.exchange.get_customer(self.user_id)
        return self._profile

    @property
    def state(self) -> dict[str, Any]:
        """Remembered across turns: entities mentioned earlier, the open question."""
        return self.conversation.state

    def remembered(self, key: str) -> list[Any]:
        """Entities of this message, else those mentioned earlier in the conversation."""
        current = self.understanding.entities.get(key)
        if current:
            return list(current)
        return list(self.state.get("entities", {}).get(key, []))

    def search(self, query: str, limit: int = 3) -> list[SearchHit]:
        return self.context.knowledge.search(query, self.lang, limit)
