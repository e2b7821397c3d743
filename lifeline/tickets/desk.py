"""The agents' desk around tickets: lookups, bulk actions, macros, inbox, policies, CSAT."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.deps import Staff
from lifeline.accounts.models import Agent, Team
from lifeline.db import utcnow
from lifeline.errors import InvalidRequest, LifelineError, NotFound
from lifeline.security.audit import record_audit
from lifeline.tickets import actions, assignment, repository
from lifeline.tickets.macros import validate_macro
from lifeline.tickets.models import Macro, Notification, SlaPolicy
from lifeline.tickets.schemas import BulkAction, BulkResult, MacroCreate


async def agent_by_id(session: AsyncSession, agent_id: int) -> Agent:
    agent = await accounts_repository.agent_by_id(session, agent_id, with_teams=True)
    if agent is None:
        raise InvalidRequest("No such agent.", agent_id=agent_id)
    return agent


async def team_by_slug(session: AsyncSession, slug: str) -> Team:
    team = await accounts_repository.team_by_slug(session, slug)
    if team is None:
        raise InvalidRequest("No such team.", team=slug)
    return team


async def team_ids_of(session: AsyncSession, staff: Staff) -> list[int]:
    if staff.agent is None:
        return []
    agent = await accounts_repository.agent_by_id(session, staff.agent.id, with_teams=True)
    return [team.id for team in agent.teams] if agent else []


async def bulk(session: AsyncSession, staff: Staff, request: BulkAction) -> BulkResult:
    """Apply one action to many tickets; each goes through its named action, and a ticket
    that cannot take the change is reported, not fatal for the others."""
    tickets = await repository.tickets_by_numbers(session, request.numbers)
    found = {ticket.number for ticket in tickets}
    failed: dict[int, str] = {
        number: "No such ticket." for number in request.numbers if number not in found
    }
    done: list[int] = []
    agent = await agent_by_id(session, request.agent_id) if request.agent_id else None
    for ticket in tickets:
        try:
            async with session.begin_nested():
                if request.action == "assign":
                    await assignment.assign(session, ticket, staff.actor, agent)
                elif request.action == "status":
                    if request.status is None:
                        raise InvalidRequest("A status is required.")
                    await actions.set_status(session, ticket, staff.actor, request.status)
                elif request.action == "priority":
                    if request.priority is None:
                        raise InvalidRequest("A priority is required.")
                    await actions.set_priority(session, ticket, staff.actor, request.priority)
                else:
                    await actions.update_fields(
                        session,
                        ticket,
                        staff.actor,
                        {"tags": sorted({*ticket.tags, *request.tags})},
                    )
            done.append(ticket.number)
        except LifelineError as error:
            failed[ticket.number] = error.message
    return BulkResult(done=done, failed=failed)


async def create_macro(session: AsyncSession, staff: Staff, body: MacroCreate) -> Macro:
    bodies: dict[str, str] = {str(language): text for language, text in body.bodies.items()}
    validate_macro(bodies, body.actions)
    macro = Macro(
        name=body.name,
        bodies=bodies,
        actions=body.actions,
        created_by_agent_id=staff.agent.id if staff.agent else None,
    )
    session.add(macro)
    await session.flush()
    await record_audit(
        session, staff.actor, "macro.create", object_type="macro", object_id=macro.id
    )
    return macro


async def list_macros(session: AsyncSession) -> Sequence[Macro]:
    return await repository.list_macros(session)


async def macro(session: AsyncSession, macro_id: int) -> Macro:
    found = await repository.macro_by_id(session, macro_id)
    if found is None:
        raise NotFound("No such macro.", macro_id=macro_id)
    return found


async def inbox(
    session: AsyncSession, staff: Staff, *, unread_only: bool
) -> Sequence[Notification]:
    if staff.agent is None:
        return []
    return await repository.notifications_for(
        session, "agent", str(staff.agent.id), unread_only=unread_only, limit=100
    )


async def mark_read(session: AsyncSession, staff: Staff, notification_id: int) -> Notification:
    notification = await repository.notification_by_id(session, notification_id)
    if (
        notification is None
        or staff.agent is None
        or notification.recipient_type != "agent"
        or notification.recipient_id != str(staff.agent.id)
    ):
        raise NotFound("No such notification.")
    notification.read_at = notification.read_at or utcnow()
    await session.flush()
    return notification


async def sla_policies(session: AsyncSession) -> Sequence[SlaPolicy]:
    return await repository.all_policies(session)


async def satisfaction(
    session: AsyncSession, *, agent_id: int | None, team_slug: str | None
) -> tuple[int, float | None]:
    team_id = (await team_by_slug(session, team_slug)).id if team_slug else None
    return await repository.satisfaction_summary(session, agent_id=agent_id, team_id=team_id)
