"""One turn of the assistant: understand, run the intent's flow, keep the conversation's memory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.assistant.flows import FLOWS, load_flows
from lifeline.assistant.flows.funds import start_recovery
from lifeline.assistant.flows.general import answer_from_help_center
from lifeline.assistant.flows.security import freeze_now
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    FREEZE_ACCOUNT,
    Reply,
    intent_action,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.assistant.understanding import Understanding, understand
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.conversations.service import local_time
from lifeline.security.guard import check_outbound
from lifeline.security.masking import secret_warning

log = logging.getLogger(__name__)

# Short names of intents for clarifying questions.
INTENT_LABELS: dict[str, tuple[str, str]] = {
    "deposit_not_credited": ("a deposit that has not arrived", "充值未到账"),
    "withdrawal_delayed": ("a withdrawal that is delayed", "提现延迟或未到账"),
    "withdrawal_failed": ("a withdrawal that failed", "提现失败"),
    "wrong_network_or_memo": ("a wrong network or missing memo", "充错网络或漏填标签"),
    "deposit_withdrawal_limits": ("deposit or withdrawal limits", "充提限额"),
    "gas_fee_question": ("network or gas fees", "网络手续费"),
    "forgot_password": ("resetting your password", "重置密码"),
    "account_locked": ("a locked account", "账户被锁定"),
    "account_compromised": ("a stolen or hacked account", "账户被盗"),
    "two_factor_problem": ("a two-factor (2FA) problem", "二次验证问题"),
    "kyc_verification": ("identity verification (KYC)", "身份认证"),
    "api_key_issue": ("API keys", "API密钥"),
    "order_not_filled": ("an order that did not fill", "订单未成交"),
    "trading_fees": ("trading fees", "交易手续费"),
    "liquidation": ("a liquidation", "爆仓/强平"),
    "stop_order_not_triggered": ("a stop order that did not trigger", "止盈止损未触发"),
    "futures_order_problem": ("a futures order problem", "合约下单问题"),
    "large_trade_review": ("a large transaction review", "大额交易审核"),
    "p2p_dispute": ("a P2P trade dispute", "P2P交易纠纷"),
    "verify_official_channel": ("checking an official channel", "验证官方渠道"),
    "phishing_report": ("reporting a scam", "举报诈骗"),
    "web3_wallet": ("the Web3 wallet", "Web3钱包"),
    "app_technical_issue": ("the app or website not working", "APP或网页故障"),
    "incident_status": ("a service suspension", "服务暂停公告"),
    "vip_service": ("VIP service", "VIP服务"),
    "contact_human": ("talking to an agent", "转人工"),
    "ticket_status": ("an existing ticket", "工单进度"),
    "complaint": ("a complaint", "投诉"),
    "investment_advice": ("investment advice", "投资建议"),
}


# Buttons that simply run an intent's flow.
ACTION_INTENTS: dict[str, str] = {
    "contact_human": "contact_human",
    "verify_channel": "verify_official_channel",
    "report_scam": "phishing_report",
    "reset_password": "forgot_password",
    "reset_2fa": "two_factor_problem",
    "resubmit_kyc": "kyc_verification",
    "raise_limits": "kyc_verification",
    "risk_tools": "investment_advice",
    "show_recent_orders": "order_not_filled",
    "show_positions": "liquidation",
    "show_my_tickets": "ticket_status",
    "service_status": "incident_status",
    "contact_account_manager": "vip_service",
    "file_complaint": "complaint",
}


@dataclass(frozen=True)
class TurnResult:
    reply: Reply
    lang: str
    understanding: Understanding


async def respond(
    session: AsyncSession,
    context: AppContext,
    conversation: Conversation,
    customer: Customer | None,
    *,
    text: str,
    action: str | None,
    masked_kinds: list[str],
    now: datetime,
) -> TurnResult:
    load_flows()
    understanding = (
        understand(text, local_time(conversation, now))
        if text.strip()
        else Understanding(conversation.language, None, 1.0)
    )
    lang = understanding.lang if text.strip() else conversation.language
    lang = "zh" if lang.startswith("zh") else lang
    if lang not in context.settings.languages:
        lang = conversation.language
    turn = Turn(
        session, context, conversation, customer, lang, now, text, understanding, masked_kinds
    )
    continued = _continued_topic(turn)
    if action:
        reply = await _run_action(turn, action)
    elif continued is None and (
        understanding.needs_clarification and len(understanding.alternatives) >= 2
    ):
        reply = _clarify(turn)
    else:
        intent = continued or understanding.intent
        run = FLOWS.get(intent or "")
        reply = await run(turn) if run else await answer_from_help_center(turn, intent)
        reply.confidence = understanding.confidence
        reply.intent = reply.intent or intent
    if masked_kinds:
        reply = _warn_about_secrets(turn, reply)
    reply = _guarded(turn, reply)
    _remember(turn, reply)
    conversation.language = lang
    return TurnResult(reply, lang, understanding)


def _continued_topic(turn: Turn) -> str | None:
    """An unsure reading that includes the topic already under way is read as that topic: a
    follow-up ("I tried, the email never comes") continues the conversation rather than
    starting a new one."""
    understanding = turn.understanding
    last = turn.state.get("last_intent")
    if not understanding.needs_clarification or not last:
        return None
    close = [intent for intent, _ in understanding.alternatives[:2]]
    return str(last) if last in close else None


def _clarify(turn: Turn) -> Reply:
    (first, _), (second, _) = turn.understanding.alternatives[:2]
    labels = [INTENT_LABELS.get(i, (i.replace("_", " "), i)) for i in (first, second)]
    return Reply(
        text=say(
            turn.lang,
            f"Just to be sure: is this about {labels[0][0]}, or {labels[1][0]}?",
            f"想确认一下：您的问题是关于「{labels[0][1]}」，还是「{labels[1][1]}」？",
        ),
        intent=None,
        confidence=turn.understanding.confidence,
        actions=[
            intent_action(first, labels[0][0].capitalize(), labels[0][1]),
            intent_action(second, labels[1][0].capitalize(), labels[1][1]),
        ],
    )


async def _run_action(turn: Turn, action: str) -> Reply:
    if action.startswith("intent:"):
        intent = action.split(":", 1)[1]
        run = FLOWS.get(intent)
        # The clarified message was the previous one: its entities are remembered.
        turn.text = turn.state.get("last_text", "")
        reply = await run(turn) if run else await answer_from_help_center(turn, intent)
        reply.intent = reply.intent or intent
        reply.confidence = 1.0
        return reply
    if action in {"show_recent_deposits", "check_another_deposit"}:
        turn.understanding = Understanding(turn.lang, "deposit_not_credited", 1.0)
        turn.state.setdefault("entities", {}).pop("txid", None)
        return await FLOWS["deposit_not_credited"](turn)
    if action == "show_recent_withdrawals":
        turn.understanding = Understanding(turn.lang, "withdrawal_delayed", 1.0)
        for key in ("txid", "withdrawal_id", "asset"):
            turn.state.setdefault("entities", {}).pop(key, None)
        return await FLOWS["withdrawal_delayed"](turn)
    if action == "freeze_account":
        return await freeze_now(turn)
    if action == "start_recovery":
        return await start_recovery(turn)
    if action == "open_ticket":
        last_intent: str | None = turn.state.get("last_intent")
        reply = Reply(text="", intent=last_intent)
        return await hand_off(
            turn,
            reply,
            "customer asked for a ticket",
            ticket=TicketRequest(
                subject=f"Request from the chat ({last_intent or 'general'})",
                description=turn.state.get("last_text", "") or "Ticket requested in the chat.",
            ),
        )
    if action == "upload_documents":
        link = f"{turn.context.settings.public_base_url}/help/{turn.lang}/tickets"
        return Reply(
            text=say(
                turn.lang,
                f"Upload your documents on your ticket or the verification page: {link}. Only "
                "upload on our own site; never send documents through social media.",
                f"请在工单或认证页面上传材料：{link}。请只在官方网站上传，切勿通过社交媒体发送证件。",
            ),
            intent=turn.state.get("last_intent"),
            actions=[CONTACT_HUMAN],
        )
    if action == "verify_identity":
        reply = Reply(text="", intent=turn.state.get("last_intent"))
        return await hand_off(turn, reply, "identity verification needed")
    mapped_intent = ACTION_INTENTS.get(action)
    if mapped_intent is not None:
        run = FLOWS.get(mapped_intent)
        turn.text = ""
        return await run(turn) if run else await answer_from_help_center(turn, mapped_intent)
    return Reply(
        text=say(turn.lang, "How can I help you?", "请问有什么可以帮您？"), actions=[CONTACT_HUMAN]
    )


def _warn_about_secrets(turn: Turn, reply: Reply) -> Reply:
    warning = secret_warning(turn.masked_kinds, turn.lang) or ""
    reply.text = f"{warning}\n\n{reply.text}".strip()
    if FREEZE_ACCOUNT not in reply.actions:
        reply.actions = [FREEZE_ACCOUNT, *reply.actions]
    if "never-share-secrets" not in reply.articles:
        reply.articles = [*reply.articles, "never-share-secrets"]
    return reply


def _guarded(turn: Turn, reply: Reply) -> Reply:
    """The assistant is held to the same rule as agents: it never asks for a secret."""
    verdict = check_outbound(reply.text)
    if verdict.allowed:
        return reply
    log.error("assistant reply blocked by the outbound guard: %s", verdict.reason_code)
    return Reply(
        text=say(
            turn.lang,
            "Let me pass you to a colleague who can help with this.",
            "我为您转接人工同事处理这个问题。",
        ),
        intent=reply.intent,
        actions=[CONTACT_HUMAN],
    )


def _remember(turn: Turn, reply: Reply) -> None:
    state: dict[str, Any] = dict(turn.state)
    entities: dict[str, Any] = dict(state.get("entities", {}))
    for key, values in turn.understanding.entities.items():
        merged = list(entities.get(key, []))
        for value in values:
            if value not in merged:
                merged.append(value)
        entities[key] = merged[-10:]
    state["entities"] = entities
    if reply.intent:
        state["last_intent"] = reply.intent
    if turn.text.strip():
        state["last_text"] = turn.text[:2000]
    state["checks"] = (list(state.get("checks", [])) + reply.checks)[-20:]
    state["said"] = [*state.get("said", []), reply.text[:300]][-10:]
    state["masked_kinds"] = sorted(set(state.get("masked_kinds", [])) | set(turn.masked_kinds))
    # Reassign so SQLAlchemy sees the JSON change.
    turn.conversation.state = state
