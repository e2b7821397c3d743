"""Which SLA targets apply to a ticket, the default policies, and the team calendars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Team
from lifeline.tickets import repository
from lifeline.tickets.models import BusinessCalendar as CalendarRow
from lifeline.tickets.models import SlaPolicy
from lifeline.tickets.sla import BusinessCalendar


@dataclass(frozen=True)
class PolicySpec:
    name: str
    first_response_minutes: int
    resolution_minutes: int
    ticket_type: str | None = None
    category: str | None = None
    priority: str | None = None
    channel: str | None = None
    min_vip_tier: int | None = None


@dataclass(frozen=True)
class Targets:
    policy_id: int | None
    policy_name: str
    first_response_minutes: int
    resolution_minutes: int


# How exchanges answer today: account access in 5-15 min, API keys 10-20 min, futures
# 15-30 min, deposits and withdrawals 30 min-2 h, large transaction reviews 24-48 h and
# email 24-48 h. The most specific policy wins; VIP policies can only make targets stricter.
DEFAULT_POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec("Default", 240, 72 * 60),
    PolicySpec("Email", 24 * 60, 48 * 60, channel="email"),
    PolicySpec("Urgent", 30, 8 * 60, priority="urgent"),
    PolicySpec("Account security", 15, 4 * 60, category="account_security"),
    PolicySpec(
        "Account security - urgent", 5, 2 * 60, category="account_security", priority="urgent"
    ),
    PolicySpec("API keys", 20, 8 * 60, category="api"),
    PolicySpec("API keys - urgent", 10, 4 * 60, category="api", priority="urgent"),
    PolicySpec("Futures", 30, 8 * 60, category="futures"),
    PolicySpec("Futures - urgent", 15, 4 * 60, category="futures", priority="urgent"),
    PolicySpec("Deposits and withdrawals", 120, 24 * 60, category="deposits_withdrawals"),
    PolicySpec(
        "Deposits and withdrawals - high",
        60,
        12 * 60,
        category="deposits_withdrawals",
        priority="high",
    ),
    PolicySpec(
        "Deposits and withdrawals - urgent",
        30,
        8 * 60,
        category="deposits_withdrawals",
        priority="urgent",
    ),
    PolicySpec("Large transaction review", 24 * 60, 48 * 60, category="large_transactions"),
    PolicySpec("Identity verification", 4 * 60, 48 * 60, category="identity_verification"),
    PolicySpec("Complaint", 4 * 60, 7 * 24 * 60, ticket_type="complaint"),
    PolicySpec("VIP", 15, 8 * 60, min_vip_tier=1),
)

_WEIGHTS = {"ticket_type": 8, "category": 4, "priority": 2, "channel": 1}


def _matches(policy: PolicySpec, criteria: dict[str, str], vip_tier: int) -> bool:
    for name in _WEIGHTS:
        wanted = getattr(policy, name)
        if wanted is not None and wanted != criteria[name]:
            return False
    return policy.min_vip_tier is None or vip_tier >= policy.min_vip_tier


def _specificity(policy: PolicySpec) -> int:
    return sum(weight for name, weight in _WEIGHTS.items() if getattr(policy, name) is not None)


def select_targets(
    policies: Sequence[tuple[int | None, PolicySpec]],
    *,
    ticket_type: str,
    category: str,
    priority: str,
    channel: str,
    vip_tier: int,
) -> Targets | None:
    """Pure: the most specific matching policy, tightened by any matching VIP policy."""
    criteria = {
        "ticket_type": ticket_type,
        "category": category,
        "priority": priority,
        "channel": channel,
    }
    matching = [(pid, spec) for pid, spec in policies if _matches(spec, criteria, vip_tier)]
    general = [(pid, spec) for pid, spec in matching if spec.min_vip_tier is None]
    vip = [spec for _pid, spec in matching if spec.min_vip_tier is not None]
    if not general and not vip:
        return None
    if general:
        pid, base = max(
            general,
            key=lambda item: (_specificity(item[1]), -item[1].first_response_minutes),
        )
        targets = Targets(pid, base.name, base.first_response_minutes, base.resolution_minutes)
    else:
        first = vip[0]
        targets = Targets(None, first.name, first.first_response_minutes, first.resolution_minutes)
    for spec in vip:
        if (
            spec.first_response_minutes < targets.first_response_minutes
            or spec.resolution_minutes < targets.resolution_minutes
        ):
            targets = Targets(
                targets.policy_id,
                f"{targets.policy_name} + {spec.name}",
                min(targets.first_response_minutes, spec.first_response_minutes),
                min(targets.resolution_minutes, spec.resolution_minutes),
            )
    return targets


def spec_of(policy: SlaPolicy) -> PolicySpec:
    return PolicySpec(
        name=policy.name,
        first_response_minutes=policy.first_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        ticket_type=policy.ticket_type,
        category=policy.category,
        priority=policy.priority,
        channel=policy.channel,
        min_vip_tier=policy.min_vip_tier,
    )


async def targets_for(
    session: AsyncSession,
    *,
    ticket_type: str,
    category: str,
    priority: str,
    channel: str,
    vip_tier: int,
) -> Targets:
    stored = [(policy.id, spec_of(policy)) for policy in await repository.active_policies(session)]
    # Without configured policies the built-in defaults still give every ticket a clock.
    candidates: Sequence[tuple[int | None, PolicySpec]] = stored or [
        (None, spec) for spec in DEFAULT_POLICIES
    ]
    targets = select_targets(
        candidates,
        ticket_type=ticket_type,
        category=category,
        priority=priority,
        channel=channel,
        vip_tier=vip_tier,
    )
    if targets is None:
        fallback = DEFAULT_POLICIES[0]
        return Targets(
            None, fallback.name, fallback.first_response_minutes, fallback.resolution_minutes
        )
    return targets


_OFFICE = BusinessCalendar(
    timezone="Asia/Singapore",
    weekly_hours={day: ((time(9), time(18)),) for day in range(5)},
)
# Funds, trading and security never sleep on an exchange; reviews keep office hours.
DEFAULT_CALENDARS: dict[str, BusinessCalendar] = {
    "compliance": _OFFICE,
    "identity-verification": _OFFICE,
}


def calendar_from_row(row: CalendarRow) -> BusinessCalendar:
    return BusinessCalendar.from_dict(
        {
            "timezone": row.timezone,
            "always_open": row.always_open,
            "weekly_hours": row.weekly_hours,
            "holidays": row.holidays,
        }
    )


async def calendar_for(session: AsyncSession, team: Team | None) -> BusinessCalendar:
    if team is None or team.always_open:
        return BusinessCalendar.twenty_four_seven()
    row = await repository.calendar_for_team(session, team.id)
    return BusinessCalendar.twenty_four_seven() if row is None else calendar_from_row(row)


async def ensure_default_policies(session: AsyncSession, teams: Sequence[Team]) -> None:
    """Idempotent: adds the default policies and calendars that are missing."""
    existing = {policy.name for policy in await repository.all_policies(session)}
    for spec in DEFAULT_POLICIES:
        if spec.name not in existing:
            session.add(
                SlaPolicy(
                    name=spec.name,
                    ticket_type=spec.ticket_type,
                    category=spec.category,
                    priority=spec.priority,
                    channel=spec.channel,
                    min_vip_tier=spec.min_vip_tier,
                    first_response_minutes=spec.first_response_minutes,
                    resolution_minutes=spec.resolution_minutes,
                )
            )
    calendars = {row.team_id for row in await repository.all_calendars(session)}
    for team in teams:
        calendar = DEFAULT_CALENDARS.get(team.slug)
        if team.id in calendars:
            continue
        data = (calendar or BusinessCalendar.twenty_four_seven()).to_dict()
        session.add(
            CalendarRow(
                team_id=team.id,
                timezone=data["timezone"],
                always_open=data["always_open"] or team.always_open,
                weekly_hours=data["weekly_hours"],
                holidays=data["holidays"],
            )
        )
    await session.flush()
