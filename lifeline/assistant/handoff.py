"""Handing a conversation to a human with everything collected, so nobody repeats themselves.

Every hand-off stores a summary for the agent on the conversation (intent, entities, what was
checked at the exchange and what was already said, the customer's tier and language). When the
team is working the conversation joins its live queue; when a flow asks for a ticket, or the
team is outside its hours, a ticket is opened with the same summary and the customer is told
when to expect an answer.
"""

from __future__ import annotations

import json
from typing import Any

from lifeline.assistant.replies import Handoff, Reply, say
from lifeline.assistant.tickets_bridge import (
    TicketNotPossible,
    TicketRequest,
    expected_response_text,
    open_ticket,
    team_for,
    team_is_open,
)
from lifeline.assistant.turn import Turn
from lifeline.conversations.models import ConversationStatus
from lifeline.tickets.models import TicketType

TEAM_NAMES: dict[str, tuple[str, str]] = {
    "funds": ("deposits and withdrawals", "充提"),
    "trading": ("trading", "交易"),
    "futures": ("futures", "合约"),
    "account-security": ("account security", "账户安全"),
    "identity-verification": ("identity verification", "身份认证"),
    "compliance": ("compliance", "合规审核"),
    "p2p": ("P2P", "P2P"),
    "vip": ("VIP", "VIP"),
    "general": ("support", "客服"),
}

__all__ = ["TicketRequest", "hand_off", "summary", "summary_text", "team_for"]


async def vip_tier(turn: Turn) -> int:
    profile = await turn.profile()
    if profile is not None:
        return max(profile.vip_tier, turn.customer.vip_tier if turn.customer else 0)
    return turn.customer.vip_tier if turn.customer else 0


# Requests about support itself: the case they hand over is the topic already under way.
_ABOUT_SUPPORT = {"contact_human", "greeting", "out_of_scope", None}


def topic_of(turn: Turn, reply: Reply | None) -> str | None:
    """The customer's problem: the reply's intent, unless it only asks for a person."""
    last: str | None = turn.state.get("last_intent")
    current = reply.intent if reply else None
    if current in _ABOUT_SUPPORT and last not in _ABOUT_SUPPORT:
        return last
    return current or last


async def summary(turn: Turn, reason: str, reply: Reply | None = None) -> dict[str, Any]:
    """The agent's view of the conversation so far, this turn included."""
    profile = await turn.profile()
    state = turn.state
    entities: dict[str, list[Any]] = {
        key: list(values) for key, values in state.get("entities", {}).items()
    }
    for key, values in turn.understanding.entities.items():
        merged = entities.setdefault(key, [])
        merged.extend(v for v in values if v not in merged)
    checks = list(state.get("checks", [])) + (reply.checks if reply else [])
    said = list(state.get("said", [])) + ([reply.text[:300]] if reply and reply.text else [])
    intent = topic_of(turn, reply)
    return {
        "reason": reason,
        "intent": intent or turn.understanding.intent,
        "asked_for": reply.intent if reply else None,
        "entities": entities,
        "checks": checks[-10:],
        "said": said[-5:],
        "customer_message": turn.text[:500] or state.get("last_text", "")[:500],
        "masked_kinds": sorted(set(state.get("masked_kinds", [])) | set(turn.masked_kinds)),
        "customer": {
            "user_id": turn.user_id,
            "name": profile.name if profile else (turn.customer.name if turn.customer else None),
            "vip_tier": await vip_tier(turn),
            "language": turn.lang,
            "kyc_status": profile.kyc_status.value if profile else None,
            "account_status": profile.account_status.value if profile else None,
        },
    }


def summary_text(data: dict[str, Any]) -> str:
    """The summary as the plain text an agent reads at the top of a ticket."""
    customer = data.get("customer", {})
    lines = [
        "--- Assistant hand-off summary ---",
        f"Reason: {data.get('reason')}",
        f"Intent: {data.get('intent')}",
        f"Customer: {customer.get('user_id')} ({customer.get('name')}), VIP tier "
        f"{customer.get('vip_tier')}, language {customer.get('language')}, KYC "
        f"{customer.get('kyc_status')}, account {customer.get('account_status')}",
        f"Entities: {json.dumps(data.get('entities', {}), ensure_ascii=False, sort_keys=True)}",
        "Checked at the exchange:",
        *(f"- {json.dumps(c, ensure_ascii=False, sort_keys=True)}" for c in data.get("checks", [])),
        "Already told the customer:",
        *(f"- {text}" for text in data.get("said", [])),
    ]
    if data.get("masked_kinds"):
        lines.append(f"Secrets masked from the customer's messages: {data['masked_kinds']}")
    return "\n".join(lines)


def _team_name(lang: str, team: str | None) -> str:
    en, zh = TEAM_NAMES.get(team or "general", TEAM_NAMES["general"])
    return say(lang, en, zh)


async def hand_off(
    turn: Turn,
    reply: Reply,
    reason: str,
    *,
    ticket: TicketRequest | None = None,
    live: bool = True,
) -> Reply:
    """Queue the conversation for the right team, or open a ticket (asked for by the flow, or
    because the team is off duty), and tell the customer what happens next. ``live=False``
    files the ticket without putting the chat in an agent's queue (a report, not a talk)."""
    lang = turn.lang
    intent = topic_of(turn, reply)
    ticket_type = ticket.ticket_type if ticket else TicketType.STANDARD
    team = team_for(intent, await vip_tier(turn), ticket_type)
    open_now = await team_is_open(turn, team)
    data = await summary(turn, reason, reply)
    data["team"] = team
    conversation = turn.conversation
    lines: list[str] = []
    if ticket is None and not open_now:
        ticket = TicketRequest(
            subject=f"{reason} ({intent or 'general'})",
            description=turn.text or turn.state.get("last_text", "") or reason,
        )
    opened = None
    if ticket is not None:
        try:
            opened = await open_ticket(turn, intent, ticket, summary_text(data))
        except TicketNotPossible:
            opened = None
    if opened is not None:
        team = opened.team or team
        expected = expected_response_text(lang, opened.first_response_due_at, turn.now)
        data["team"] = team
        data["ticket_number"] = opened.number
        reply.handoff = Handoff(
            state="ticket_created",
            team=team,
            ticket_number=str(opened.number),
            expected_response=expected,
        )
        name = _team_name(lang, team)
        if opened.duplicate:
            lines.append(
                say(
                    lang,
                    f"This is the same issue as your open ticket #{opened.number}, so I added "
                    "this conversation to it instead of opening a new one.",
                    f"此问题与您尚未关闭的工单 #{opened.number} 相同，我已把本次对话补充到该工单，"
                    "不再重复创建。",
                )
            )
        elif ticket is not None and ticket.ticket_type == TicketType.COMPLAINT:
            lines.append(opened.notice)
        else:
            lines.append(
                say(
                    lang,
                    f"I have opened ticket #{opened.number} for our {name} team with everything "
                    "you told me and what I checked, so you will not need to repeat yourself.",
                    f"我已为您创建工单 #{opened.number}，转交{name}团队，并附上您提供的信息和我的"
                    "查询结果，您无需重复描述问题。",
                )
            )
        if not opened.team_open:
            lines.append(
                say(
                    lang,
                    f"Our {name} team is outside its working hours right now; you can expect "
                    f"an answer {expected}. You will be notified on the ticket.",
                    f"{name}团队目前不在工作时间，预计{expected}回复您，届时会通过工单通知您。",
                )
            )
        elif expected:
            lines.append(
                say(
                    lang,
                    f"You can expect a first answer {expected}.",
                    f"预计{expected}给您首次答复。",
                )
            )
    else:
        reply.handoff = Handoff(state="queued", team=team)
        if turn.customer is None and not open_now:
            lines.append(
                say(
                    lang,
                    "Our team is outside its working hours right now. Please sign in so that I "
                    "can open a ticket for you, or leave your email address and question here.",
                    "我们的团队目前不在工作时间。请登录以便我为您创建工单，或在此留下邮箱和问题。",
                )
            )
        else:
            lines.append(
                say(
                    lang,
                    "I'm passing this conversation to a colleague in our support team, together "
                    "with everything you told me, so you will not need to repeat yourself.",
                    "我正在把本次对话连同您提供的全部信息转给人工客服同事，您无需重复描述问题。",
                )
            )
    if open_now and (live or opened is None):
        conversation.status = ConversationStatus.QUEUED
    conversation.handoff = data
    reply.text = "\n\n".join([reply.text, *lines] if reply.text else lines)
    return reply
