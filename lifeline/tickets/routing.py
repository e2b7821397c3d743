"""Routing: category to team, language to agents who speak it, VIP tier to the account
manager, and the choice among available agents by load and capacity (round robin)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts import repository as accounts_repository
from lifeline.accounts.models import Agent, Customer, Role, Team
from lifeline.tickets import repository
from lifeline.tickets.models import TicketCategory, TicketType

CATEGORY_TEAMS: dict[TicketCategory, str] = {
    TicketCategory.DEPOSITS_WITHDRAWALS: "funds",
    TicketCategory.TRADING: "trading",
    TicketCategory.FUTURES: "futures",
    TicketCategory.ACCOUNT_SECURITY: "account-security",
    TicketCategory.IDENTITY_VERIFICATION: "identity-verification",
    TicketCategory.API: "trading",
    TicketCategory.LARGE_TRANSACTIONS: "compliance",
    TicketCategory.P2P: "p2p",
    TicketCategory.WEB3_WALLET: "funds",
    TicketCategory.OTHER: "general",
}
VIP_TEAM = "vip"
COMPLAINT_TEAM = "general"
# Agent.capacity counts concurrent chats; a ticket needs far less attention at once.
TICKETS_PER_CAPACITY_UNIT = 10
_NEVER = datetime.min.replace(tzinfo=UTC)
_HANDLING_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.SECURITY, Role.COMPLIANCE, Role.ADMIN}


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    languages: tuple[str, ...]
    capacity: int
    load: int
    last_assigned_at: datetime | None = None

    @property
    def ticket_capacity(self) -> int:
        return self.capacity * TICKETS_PER_CAPACITY_UNIT


def choose_agent(candidates: Sequence[Candidate], language: str) -> int | None:
    """Pure: among agents who speak the language and have room, the least loaded relative to
    capacity; ties go to whoever waited longest since their last ticket (round robin)."""
    base = language.split("-")[0].lower()
    eligible = [
        candidate
        for candidate in candidates
        if base in {code.split("-")[0].lower() for code in candidate.languages}
        and candidate.load < candidate.ticket_capacity
    ]
    if not eligible:
        return None
    best = min(
        eligible,
        key=lambda c: (
            c.load / max(c.ticket_capacity, 1),
            c.last_assigned_at or _NEVER,
            c.agent_id,
        ),
    )
    return best.agent_id


def team_slug_for(category: TicketCategory, ticket_type: TicketType) -> str:
    return COMPLAINT_TEAM if ticket_type == TicketType.COMPLAINT else CATEGORY_TEAMS[category]


@dataclass(frozen=True)
class RoutingDecision:
    team: Team | None
    assignee: Agent | None
    reason: str


async def _candidates(session: AsyncSession, agents: Sequence[Agent]) -> list[Candidate]:
    loads = await repository.agent_loads(session, [agent.id for agent in agents])
    empty = repository.AgentLoad(0, None)
    return [
        Candidate(
            agent_id=agent.id,
            languages=tuple(agent.languages or ()),
            capacity=agent.capacity,
            load=loads.get(agent.id, empty).active_tickets,
            last_assigned_at=loads.get(agent.id, empty).last_assigned_at,
        )
        for agent in agents
    ]


async def pick_from(session: AsyncSession, agents: Sequence[Agent], language: str) -> Agent | None:
    chosen = choose_agent(await _candidates(session, agents), language)
    return next((agent for agent in agents if agent.id == chosen), None)


async def route(
    session: AsyncSession,
    *,
    category: TicketCategory,
    ticket_type: TicketType,
    language: str,
    customer: Customer,
) -> RoutingDecision:
    agents = [
        agent
        for agent in await accounts_repository.list_agents(session)
        if agent.is_active and agent.role in _HANDLING_ROLES
    ]
    if ticket_type == TicketType.COMPLAINT:
        team = await accounts_repository.team_by_slug(session, COMPLAINT_TEAM)
        supervisors = [agent for agent in agents if agent.role == Role.SUPERVISOR]
        owner = await pick_from(session, supervisors, language) or await pick_from(
            session, supervisors, supervisors[0].languages[0] if supervisors else language
        )
        return RoutingDecision(team, owner, "complaint: owned by a supervisor")
    # Account takeovers go to the security team even for VIPs: speed and powers matter more
    # there than the relationship (the VIP policy still tightens the SLA).
    if customer.vip_tier >= 1 and category != TicketCategory.ACCOUNT_SECURITY:
        team = await accounts_repository.team_by_slug(session, VIP_TEAM)
        manager = _account_manager(customer, agents)
        if manager is not None:
            return RoutingDecision(team, manager, "VIP: account manager")
        if team is not None:
            members = [a for a in agents if any(t.id == team.id for t in a.teams)]
            chosen = await pick_from(session, members, language)
            if chosen is not None:
                return RoutingDecision(team, chosen, "VIP: VIP team")
    team = await accounts_repository.team_by_slug(session, team_slug_for(category, ticket_type))
    if team is None:
        return RoutingDecision(None, None, "no team for this category")
    members = [agent for agent in agents if any(t.id == team.id for t in agent.teams)]
    chosen = await pick_from(session, members, language)
    reason = "language and load" if chosen else "queued: no agent with the language and room"
    return RoutingDecision(team, chosen, f"category {category.value}: {reason}")


def _account_manager(customer: Customer, agents: Sequence[Agent]) -> Agent | None:
    """The exchange names a VIP's account manager (agent email or id) in customer attributes."""
    wanted = (customer.attributes or {}).get("account_manager")
    if wanted is None:
        return None
    key = str(wanted).strip().lower()
    for agent in agents:
        if agent.email == key or str(agent.id) == key:
            return agent
    return None
