"""The customer's relationship with support: tickets, complaints, humans, VIP service."""

from __future__ import annotations

import re

from lifeline.assistant.flows import flow
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import (
    CONTACT_ACCOUNT_MANAGER,
    CONTACT_HUMAN,
    FILE_COMPLAINT,
    SHOW_MY_TICKETS,
    SIGN_IN,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.tickets.models import Ticket, TicketPriority, TicketType
from lifeline.tickets.service import customer_tickets

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "new": ("received, waiting for an agent", "已收到，等待客服处理"),
    "open": ("being worked on", "处理中"),
    "pending_customer": ("waiting for your reply", "等待您的回复"),
    "on_hold": ("on hold while we check with another team", "暂挂，正在与其他团队核实"),
    "escalated": ("escalated to a senior colleague", "已升级给高级同事"),
    "resolved": ("resolved", "已解决"),
    "closed": ("closed", "已关闭"),
}


def _status(lang: str, ticket: Ticket) -> str:
    en, zh = STATUS_WORDS.get(ticket.status.value, (ticket.status.value, ticket.status.value))
    return say(lang, en, zh)


@flow("contact_human")
async def contact_human(turn: Turn) -> Reply:
    reply = Reply(text="", intent="contact_human", articles=["contact-support"])
    return await hand_off(turn, reply, "customer asked for a human")


@flow("ticket_status")
async def ticket_status(turn: Turn) -> Reply:
    lang = turn.lang
    if turn.customer is None:
        return Reply(
            text=say(
                lang,
                "Please sign in so I can show your tickets and where each one stands.",
                "请先登录，我可以为您查看工单及其进度。",
            ),
            intent="ticket_status",
            articles=["submit-ticket"],
            actions=[SIGN_IN],
        )
    tickets = list(
        await customer_tickets(turn.session, turn.customer, before_number=None, limit=20)
    )
    wanted = {
        int(digits)
        for ref in turn.remembered("ticket_ref")
        if (digits := re.sub(r"\D", "", str(ref)))
    }
    named = [t for t in tickets if t.number in wanted]
    checks: list[dict[str, object]] = [
        {"type": "tickets", "numbers": [t.number for t in (named or tickets)[:5]]}
    ]
    if wanted and not named:
        text = say(
            lang,
            f"I can't find ticket #{min(wanted)} on your account. Your recent tickets:",
            f"您的账户下没有找到工单 #{min(wanted)}。您最近的工单：",
        )
        shown = tickets[:5]
    elif named:
        text = ""
        shown = named
    elif tickets:
        text = say(lang, "Your recent tickets:", "您最近的工单：")
        shown = tickets[:5]
    else:
        return Reply(
            text=say(
                lang,
                "You have no tickets with us. Tell me what the problem is and I'll help or "
                "open one for you.",
                "您目前没有工单。请告诉我遇到了什么问题，我来帮您处理或为您创建工单。",
            ),
            intent="ticket_status",
            articles=["submit-ticket"],
            actions=[CONTACT_HUMAN],
            checks=checks,
        )
    lines = [
        say(
            lang,
            f'- #{t.number} "{t.subject}": {_status(lang, t)} (last update '
            f"{t.updated_at.strftime('%Y-%m-%d %H:%M UTC')})",
            f"- #{t.number}「{t.subject}」：{_status(lang, t)}（最近更新 "
            f"{t.updated_at.strftime('%Y-%m-%d %H:%M UTC')}）",
        )
        for t in shown
    ]
    text = "\n".join([text, *lines]).strip() + say(
        lang,
        "\nYou'll be notified of every reply; answering on the ticket keeps everything in "
        "one place.",
        "\n工单有任何回复都会通知您；直接在工单中回复可以让记录保持完整。",
    )
    return Reply(
        text=text,
        intent="ticket_status",
        articles=["submit-ticket"],
        actions=[SHOW_MY_TICKETS, CONTACT_HUMAN],
        checks=checks,
    )


@flow("complaint")
async def complaint(turn: Turn) -> Reply:
    lang = turn.lang
    reply = Reply(
        text=say(
            lang,
            "I'm sorry about your experience. Your complaint goes to a supervisor, not back to "
            "the same queue.",
            "很抱歉给您带来不好的体验。您的投诉会直接交给主管处理，而不是回到原来的队列。",
        ),
        intent="complaint",
        articles=["escalate-complaint"],
        actions=[CONTACT_HUMAN],
    )
    if turn.customer is None:
        reply.actions = [SIGN_IN, FILE_COMPLAINT]
        return reply
    return await hand_off(
        turn,
        reply,
        "complaint",
        ticket=TicketRequest(
            subject="Complaint",
            description=turn.text or "Complaint from the chat.",
            ticket_type=TicketType.COMPLAINT,
        ),
        live=False,
    )


@flow("vip_service")
async def vip_service(turn: Turn) -> Reply:
    lang = turn.lang
    profile = await turn.profile()
    if profile is None or profile.vip_tier <= 0:
        return Reply(
            text=say(
                lang,
                "VIP service (a personal account manager and a priority queue) comes with the "
                "VIP tiers, reached by 30-day trading volume or assets held. Until then I and "
                "our support team are here for you around the clock.",
                "VIP 服务（专属客户经理和优先队列）适用于 VIP 等级客户，等级根据 30 天交易量或资产"
                "量评定。"
                "在此之前，我和客服团队全天候为您服务。",
            ),
            intent="vip_service",
            articles=["vip-support"],
            actions=[CONTACT_HUMAN],
            checks=[{"type": "vip", "tier": profile.vip_tier if profile else None}],
        )
    manager = profile.account_manager
    text = say(
        lang,
        f"As a VIP {profile.vip_tier} customer you have a personal account manager"
        + (f", {manager}" if manager else "")
        + ", and your requests go to the priority VIP queue.",
        f"您是 VIP {profile.vip_tier} 客户，享有专属客户经理"
        + (f"（{manager}）" if manager else "")
        + "，您的请求会进入 VIP 优先队列。",
    )
    reply = Reply(
        text=text,
        intent="vip_service",
        articles=["vip-support"],
        actions=[CONTACT_ACCOUNT_MANAGER],
        checks=[{"type": "vip", "tier": profile.vip_tier, "account_manager": manager}],
    )
    return await hand_off(
        turn,
        reply,
        "VIP customer asked for the account manager",
        ticket=TicketRequest(
            subject=f"VIP {profile.vip_tier}: request for the account manager",
            description=turn.text or "VIP request from the chat.",
            priority=TicketPriority.HIGH,
        ),
    )
