"""The assistant's one door into tickets: which category an intent files under, whether the
team that takes it is working right now, and opening the ticket with the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lifeline.accounts import repository as accounts_repository
from lifeline.assistant.replies import say
from lifeline.assistant.turn import Turn
from lifeline.conversations.models import Channel
from lifeline.security.audit import Actor
from lifeline.tickets import policies
from lifeline.tickets.models import TicketCategory, TicketChannel, TicketPriority, TicketType
from lifeline.tickets.routing import VIP_TEAM, team_slug_for
from lifeline.tickets.service import Created, NewTicket, TicketLimitReached, create_ticket
from lifeline.tickets.sla import BusinessCalendar, is_open

C = TicketCategory
INTENT_CATEGORIES: dict[str, TicketCategory] = {
    "deposit_not_credited": C.DEPOSITS_WITHDRAWALS,
    "withdrawal_delayed": C.DEPOSITS_WITHDRAWALS,
    "withdrawal_failed": C.DEPOSITS_WITHDRAWALS,
    "wrong_network_or_memo": C.DEPOSITS_WITHDRAWALS,
    "deposit_withdrawal_limits": C.DEPOSITS_WITHDRAWALS,
    "gas_fee_question": C.DEPOSITS_WITHDRAWALS,
    "forgot_password": C.ACCOUNT_SECURITY,
    "account_locked": C.ACCOUNT_SECURITY,
    "account_compromised": C.ACCOUNT_SECURITY,
    "two_factor_problem": C.ACCOUNT_SECURITY,
    "verify_official_channel": C.ACCOUNT_SECURITY,
    "phishing_report": C.ACCOUNT_SECURITY,
    "kyc_verification": C.IDENTITY_VERIFICATION,
    "api_key_issue": C.API,
    "order_not_filled": C.TRADING,
    "trading_fees": C.TRADING,
    "stop_order_not_triggered": C.TRADING,
    "liquidation": C.FUTURES,
    "futures_order_problem": C.FUTURES,
    "large_trade_review": C.LARGE_TRANSACTIONS,
    "p2p_dispute": C.P2P,
    "web3_wallet": C.WEB3_WALLET,
}
_CHANNELS: dict[Channel, TicketChannel] = {
    Channel.WEB: TicketChannel.CHAT,
    Channel.APP: TicketChannel.APP,
    Channel.EMAIL: TicketChannel.EMAIL,
    Channel.TELEGRAM: TicketChannel.TELEGRAM,
    Channel.SOCIAL: TicketChannel.SOCIAL,
    Channel.API: TicketChannel.API,
}


def category_for(intent: str | None) -> TicketCategory:
    return INTENT_CATEGORIES.get(intent or "", C.OTHER)


def team_for(
    intent: str | None, vip_tier: int, ticket_type: TicketType = TicketType.STANDARD
) -> str:
    """The team that takes the case; the same rule as ticket routing, so the chat and the
    ticket land in one place (VIPs with their team, except for account takeovers)."""
    category = category_for(intent)
    if ticket_type == TicketType.STANDARD and vip_tier >= 1 and category != C.ACCOUNT_SECURITY:
        return VIP_TEAM
    return team_slug_for(category, ticket_type)


async def team_is_open(turn: Turn, team_slug: str) -> bool:
    team = await accounts_repository.team_by_slug(turn.session, team_slug)
    if team is None:
        return True  # no such team configured: the general queue answers around the clock
    return is_open(await policies.calendar_for(turn.session, team), turn.now)


@dataclass
class TicketRequest:
    """What a flow wants filed; the description gets the hand-off summary appended."""

    subject: str
    description: str
    priority: TicketPriority | None = None
    ticket_type: TicketType = TicketType.STANDARD
    funds_at_risk: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenedTicket:
    number: int
    team: str | None
    duplicate: bool
    team_open: bool
    first_response_due_at: datetime | None
    notice: str


class TicketNotPossible(Exception):
    """No ticket for this customer now (an anonymous visitor, or the creation limit)."""


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    allowed = {"txid", "order_id", "asset", "network", "amount", "address"}
    return {k: str(v)[:200] for k, v in fields.items() if k in allowed and v not in (None, "")}


async def open_ticket(
    turn: Turn, intent: str | None, request: TicketRequest, summary_text: str
) -> OpenedTicket:
    customer = turn.customer
    if customer is None:
        raise TicketNotPossible("anonymous")
    profile = await turn.profile()
    if profile is not None and profile.vip_tier > customer.vip_tier:
        # The exchange is the authority on the tier; keep the local copy in step so that
        # ticket routing and SLA policies see the same VIP the assistant saw.
        customer.vip_tier = profile.vip_tier
    try:
        created: Created = await create_ticket(
            turn.session,
            turn.context.settings,
            customer,
            NewTicket(
                subject=request.subject,
                description=f"{request.description}\n\n{summary_text}".strip(),
                category=category_for(intent),
                requested_priority=request.priority,
                ticket_type=request.ticket_type,
                channel=_CHANNELS.get(turn.conversation.channel, TicketChannel.CHAT),
                language=turn.lang,
                fields=_clean_fields(request.fields),
                funds_at_risk=request.funds_at_risk,
                conversation_id=turn.conversation.id,
            ),
            Actor(type="customer", id=str(customer.id)),
            now=turn.now,
        )
    except TicketLimitReached as error:
        raise TicketNotPossible("limit") from error
    ticket = created.ticket
    calendar = BusinessCalendar.from_dict(ticket.sla_calendar or {})
    team_slug = ticket.team.slug if ticket.team is not None else None
    return OpenedTicket(
        number=ticket.number,
        team=team_slug,
        duplicate=created.duplicate,
        team_open=is_open(calendar, turn.now),
        first_response_due_at=ticket.first_response_due_at,
        notice=created.notice,
    )


def expected_response_text(lang: str, due_at: datetime | None, now: datetime) -> str | None:
    """When the customer can expect a first answer, in words."""
    if due_at is None:
        return None
    wait = max(due_at - now, timedelta())
    minutes = max(1, round(wait.total_seconds() / 60))
    if minutes <= 120:
        return say(lang, f"within {minutes} minutes", f"{minutes} 分钟内")
    if wait <= timedelta(hours=12):
        hours = round(minutes / 60)
        return say(lang, f"within {hours} hours", f"{hours} 小时内")
    stamp = due_at.strftime("%Y-%m-%d %H:%M UTC")
    return say(lang, f"by {stamp}", f"{stamp} 之前")
