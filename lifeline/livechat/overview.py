"""The supervisors' overview: what waits where, who carries what, and ticket SLA trouble."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.db import utcnow
from lifeline.livechat import repository
from lifeline.livechat.queue import team_slugs
from lifeline.livechat.routing import base_language
from lifeline.livechat.schemas import AgentLoadRow, Breaches, Overview, QueueRow
from lifeline.livechat.service import effective_status
from lifeline.security.permissions import Permission, role_allows

BREACHING_SOON = timedelta(hours=1)


async def overview(session: AsyncSession) -> Overview:
    now = utcnow()
    waiting = await repository.queued(session)
    slugs = await team_slugs(session, [c.team_id for c in waiting])
    queues: dict[tuple[str | None, str], QueueRow] = {}
    for conversation in waiting:
        team = slugs.get(conversation.team_id) if conversation.team_id else None
        language = base_language(conversation.required_language or conversation.language)
        waited = (
            max(0, int((now - conversation.queued_at).total_seconds()))
            if conversation.queued_at
            else 0
        )
        row = queues.setdefault(
            (team, language),
            QueueRow(team=team, language=language, waiting=0, longest_wait_seconds=0),
        )
        row.waiting += 1
        row.longest_wait_seconds = max(row.longest_wait_seconds, waited)
    agents = [
        agent
        for agent in await accounts_repository.list_agents(session)
        if agent.is_active and role_allows(agent.role, Permission.CONVERSATIONS_HANDLE)
    ]
    presences = {p.agent_id: p for p in await repository.all_presences(session)}
    chats = await repository.active_chat_counts(session, [a.id for a in agents])
    tickets = await repository.open_tickets_by_agent(session)
    breached, breaching = await repository.ticket_breaches(session, now, now + BREACHING_SOON)
    return Overview(
        queues=sorted(queues.values(), key=lambda q: (-q.longest_wait_seconds, q.team or "")),
        agents=[
            AgentLoadRow(
                id=agent.id,
                name=agent.name,
                role=agent.role.value,
                status=effective_status(presences.get(agent.id), now),
                active_chats=chats.get(agent.id, 0),
                capacity=agent.capacity,
                open_tickets=tickets.get(agent.id, 0),
            )
            for agent in agents
        ],
        breaches=Breaches(tickets_breached=breached, tickets_breaching_soon=breaching),
        conversations_waiting=len(waiting),
    )
