"""Who takes a waiting chat: pure rules over a snapshot of the agents who are online.

A chat goes to an agent who is online, has room (active chats below capacity) and speaks
its language; the team's members first when any of them can take it, anyone speaking the
language otherwise. VIPs of tier 2 and up go to supervisors or the VIP team when one is free.
Among the rest, the least loaded agent, then the one who waited longest for a chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

VIP_TEAM = "vip"
SUPERVISING_ROLES = frozenset({"supervisor", "admin"})
DEFAULT_HANDLE_SECONDS = 300


@dataclass
class Candidate:
    agent_id: int
    role: str
    languages: frozenset[str]
    teams: frozenset[str]
    capacity: int
    active_chats: int
    last_accepted_at: datetime | None = None

    @property
    def has_room(self) -> bool:
        return self.active_chats < self.capacity

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISING_ROLES


@dataclass(frozen=True)
class Waiting:
    """What routing needs to know about a queued chat."""

    conversation_id: int
    language: str
    team: str | None
    vip_tier: int
    required_agent_id: int | None = None
    supervisor_required: bool = False


def base_language(language: str) -> str:
    return "zh" if language.lower().startswith("zh") else language.lower()[:2]


def able(candidate: Candidate, chat: Waiting) -> bool:
    """Could this agent take the chat at all (room aside)?"""
    if chat.required_agent_id is not None:
        return candidate.agent_id == chat.required_agent_id
    if chat.supervisor_required and not candidate.supervises:
        return False
    return base_language(chat.language) in candidate.languages


def pool_for(candidates: Sequence[Candidate], chat: Waiting) -> list[Candidate]:
    """The agents who should be considered for the chat, room aside: the team's speakers of
    the language when there are any online, else every speaker of it."""
    speakers = [c for c in candidates if able(c, chat)]
    if chat.team and chat.required_agent_id is None:
        members = [c for c in speakers if chat.team in c.teams]
        if members:
            return members
    return speakers


def choose(candidates: Sequence[Candidate], chat: Waiting) -> Candidate | None:
    # While the team has members online the chat waits for one of them (they have the skill).
    pool = [c for c in pool_for(candidates, chat) if c.has_room]
    if not pool:
        return None
    if chat.vip_tier >= 2:
        preferred = [c for c in pool if c.supervises or VIP_TEAM in c.teams]
        if not preferred:
            preferred = [
                c
                for c in candidates
                if able(c, chat) and c.has_room and (c.supervises or VIP_TEAM in c.teams)
            ]
        pool = preferred or pool
    return min(
        pool,
        key=lambda c: (
            c.active_chats / max(c.capacity, 1),
            c.last_accepted_at.timestamp() if c.last_accepted_at else 0.0,
            c.agent_id,
        ),
    )


def queue_order_key(
    vip_tier: int, queued_at: datetime | None, conversation_id: int
) -> tuple[int, float, int]:
    """Highest VIP first, then the longest waiting."""
    return (-vip_tier, queued_at.timestamp() if queued_at else 0.0, conversation_id)


def estimated_wait_seconds(position: int, average_handle_seconds: float, able_agents: int) -> int:
    return round(position * average_handle_seconds / max(1, able_agents))
