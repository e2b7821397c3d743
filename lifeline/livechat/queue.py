"""The live queue: who is online, what is waiting, and handing waiting chats to agents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Agent
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.db import utcnow
from lifeline.livechat import repository
from lifeline.livechat.routing import (
    DEFAULT_HANDLE_SECONDS,
    Candidate,
    Waiting,
    base_language,
    choose,
    estimated_wait_seconds,
    pool_for,
)
from lifeline.security.permissions import Permission, role_allows

# An agent marked online who has not been seen for this long is treated as gone (a closed
# laptop sends no "offline").
PRESENCE_TTL = timedelta(seconds=90)


def fresh_since(now: datetime) -> datetime:
    return now - PRESENCE_TTL


def candidate_of(agent: Agent, active_chats: int, last_accepted_at: datetime | None) -> Candidate:
    return Candidate(
        agent_id=agent.id,
        role=agent.role.value,
        languages=frozenset(base_language(lang) for lang in (agent.languages or ["en"])),
        teams=frozenset(team.slug for team in agent.teams),
        capacity=agent.capacity,
        active_chats=active_chats,
        last_accepted_at=last_accepted_at,
    )


async def online_candidates(
    session: AsyncSession, now: datetime, *, lock: bool = False
) -> list[Candidate]:
    """Agents online now who may handle chats, with their load. ``lock`` takes the presence
    rows, so that two nodes handing out chats at once cannot overfill one agent."""
    presences = await repository.online_presences(session, fresh_since(now), for_update=lock)
    ids = [presence.agent_id for presence in presences]
    agents = [
        agent
        for agent in await repository.agents_with_teams(session, ids)
        if agent.is_active and role_allows(agent.role, Permission.CONVERSATIONS_HANDLE)
    ]
    counts = await repository.active_chat_counts(session, [a.id for a in agents])
    accepted = await repository.last_accepted(session, [a.id for a in agents])
    return [candidate_of(a, counts.get(a.id, 0), accepted.get(a.id)) for a in agents]


async def team_slugs(session: AsyncSession, team_ids: Sequence[int | None]) -> dict[int, str]:
    teams = await repository.teams_by_ids(session, [t for t in team_ids if t is not None])
    return {team_id: team.slug for team_id, team in teams.items()}


def waiting_of(conversation: Conversation, slugs: dict[int, str]) -> Waiting:
    return Waiting(
        conversation_id=conversation.id,
        language=conversation.required_language or conversation.language,
        team=slugs.get(conversation.team_id) if conversation.team_id else None,
        vip_tier=conversation.vip_tier,
        required_agent_id=conversation.required_agent_id,
        supervisor_required=conversation.supervisor_required,
    )


@dataclass(frozen=True)
class Placement:
    conversation: Conversation
    agent_id: int


async def dispatch_plan(
    session: AsyncSession,
    now: datetime | None = None,
    *,
    exclude: dict[int, int] | None = None,
) -> list[Placement]:
    """Which waiting chats go to whom right now, highest VIP and longest waiting first.
    ``exclude`` maps a conversation to an agent who must not get it back (who just
    transferred it)."""
    now = now or utcnow()
    candidates = await online_candidates(session, now, lock=True)
    if not candidates:
        return []
    waiting = await repository.queued(session, for_update=True)
    slugs = await team_slugs(session, [c.team_id for c in waiting])
    placements: list[Placement] = []
    for conversation in waiting:
        chat = waiting_of(conversation, slugs)
        skip = (exclude or {}).get(conversation.id)
        pool = [c for c in candidates if c.agent_id != skip]
        chosen = choose(pool, chat)
        if chosen is None:
            continue
        chosen.active_chats += 1
        chosen.last_accepted_at = now
        placements.append(Placement(conversation, chosen.agent_id))
    return placements


@dataclass(frozen=True)
class QueuePlace:
    position: int
    estimated_wait_seconds: int


async def average_handle_seconds(session: AsyncSession) -> float:
    times = await repository.recent_handle_times(session)
    return sum(times) / len(times) if times else float(DEFAULT_HANDLE_SECONDS)


async def queue_snapshot(
    session: AsyncSession, context: AppContext, now: datetime | None = None
) -> dict[str, QueuePlace]:
    """Every waiting chat's place among those waiting for the same language, and its
    estimated wait: position x average handle time / agents online able to take it."""
    now = now or utcnow()
    waiting = await repository.queued(session)
    if not waiting:
        return {}
    candidates = await online_candidates(session, now)
    slugs = await team_slugs(session, [c.team_id for c in waiting])
    average = await average_handle_seconds(session)
    positions: dict[str, int] = {}
    places: dict[str, QueuePlace] = {}
    for conversation in waiting:
        chat = waiting_of(conversation, slugs)
        language = base_language(chat.language)
        positions[language] = positions.get(language, 0) + 1
        position = positions[language]
        able_agents = len(pool_for(candidates, chat))
        places[conversation.public_id] = QueuePlace(
            position, estimated_wait_seconds(position, average, able_agents)
        )
    return places
