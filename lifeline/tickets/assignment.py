"""Who works on a ticket: assignment, transfer between teams, and escalation. Each change
goes through ``actions.record`` like every other, and keeps the agents' loads right."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.models import Agent, Role, Team
from lifeline.db import utcnow
from lifeline.errors import Conflict, InvalidRequest
from lifeline.security.audit import Actor
from lifeline.tickets import repository, routing
from lifeline.tickets.actions import (
    agent_id_of,
    apply_status,
    notify_agent,
    record,
    retarget,
)
from lifeline.tickets.models import Ticket, TicketStatus
from lifeline.tickets.state import check_transition

S = TicketStatus


async def supervisors_for(session: AsyncSession, team_id: int | None) -> list[Agent]:
    agents = [a for a in await accounts_repository.list_agents(session) if a.is_active]
    supervisors = [a for a in agents if a.role == Role.SUPERVISOR]
    in_team = [a for a in supervisors if any(team.id == team_id for team in a.teams)]
    return in_team or supervisors or [a for a in agents if a.role == Role.ADMIN]


async def set_assignee(
    session: AsyncSession, ticket: Ticket, agent: Agent | None, now: datetime
) -> None:
    """The one place the assignee changes, so that every agent's load stays right."""
    previous = ticket.assignee_id
    new = agent.id if agent is not None else None
    ticket.assignee_id = new
    ticket.assignee = agent
    if previous == new:
        return
    if previous is not None and ticket.active:
        await repository.adjust_load(session, previous, -1)
    if new is not None:
        await repository.adjust_load(session, new, 1 if ticket.active else 0, assigned_at=now)


async def assign(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    agent: Agent | None,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    if not ticket.active:
        raise Conflict("A resolved or closed ticket cannot be assigned.")
    if agent is not None and not agent.is_active:
        raise InvalidRequest("This agent is deactivated.", agent_id=agent.id)
    previous = ticket.assignee_id
    await set_assignee(session, ticket, agent, now)
    await record(
        session,
        ticket,
        actor,
        "assign",
        body=reason or "",
        data={"from": previous, "to": ticket.assignee_id},
        now=now,
    )
    if agent is not None and agent.id != agent_id_of(actor):
        await notify_agent(session, agent.id, ticket, "ticket_assigned")


async def transfer(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    team: Team,
    *,
    agent: Agent | None = None,
    reason: str,
    action: str = "transfer",
) -> None:
    """Move to another team (its calendar applies from now on) and to one of its agents."""
    if not ticket.active:
        raise Conflict("A resolved or closed ticket cannot be transferred.")
    previous_team = ticket.team_id
    ticket.team_id = team.id
    ticket.team = team
    await retarget(session, ticket)
    if agent is None:
        members = [
            a
            for a in await accounts_repository.list_agents(session)
            if a.is_active and any(t.id == team.id for t in a.teams)
        ]
        agent = await routing.pick_from(session, members, ticket.language)
    await set_assignee(session, ticket, agent, utcnow())
    await record(
        session,
        ticket,
        actor,
        action,
        body=reason,
        data={"from_team": previous_team, "to_team": team.id, "assignee": ticket.assignee_id},
    )
    if agent is not None and agent.id != agent_id_of(actor):
        await notify_agent(session, agent.id, ticket, "ticket_assigned", reason=reason)


async def escalate(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    *,
    reason: str,
    team: Team | None = None,
    to_supervisor: bool = False,
    now: datetime | None = None,
) -> None:
    """To a specialist team, or to a supervisor; the supervisors are told either way."""
    now = now or utcnow()
    if not reason.strip():
        raise InvalidRequest("An escalation needs a reason.")
    previous: TicketStatus = ticket.status
    if previous != S.ESCALATED:
        check_transition(previous, S.ESCALATED)
        await apply_status(session, ticket, S.ESCALATED, now)
    ticket.escalation_level += 1
    target_team = team or ticket.team
    supervisors = await supervisors_for(session, target_team.id if target_team else None)
    if team is not None and team.id != ticket.team_id:
        await transfer(session, ticket, actor, team, reason=reason, action="escalation_transfer")
    if to_supervisor and supervisors:
        owner = await routing.pick_from(session, supervisors, ticket.language) or supervisors[0]
        await set_assignee(session, ticket, owner, now)
    await record(
        session,
        ticket,
        actor,
        "escalate",
        body=reason,
        data={
            "from": previous.value,
            "level": ticket.escalation_level,
            "team": ticket.team_id,
            "to_supervisor": to_supervisor,
            "assignee": ticket.assignee_id,
        },
        now=now,
    )
    for supervisor in supervisors:
        await notify_agent(session, supervisor.id, ticket, "ticket_escalated", reason=reason)
