"""Security: stolen accounts first of all, then official-channel checks and scam reports."""

from __future__ import annotations

import re

from lifeline.assistant.facts import when
from lifeline.assistant.flows import flow
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    FREEZE_ACCOUNT,
    REPORT_SCAM,
    VERIFY_CHANNEL,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.security.audit import Actor, record_audit
from lifeline.security.verifier import configured_registry, verify
from lifeline.tickets.models import TicketPriority

_CANDIDATE = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d|@\w{3,}|"
    r"\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b",
    re.IGNORECASE,
)


def _candidates(text: str) -> list[str]:
    return list(dict.fromkeys(match.group().strip() for match in _CANDIDATE.finditer(text)))


@flow("account_compromised")
async def account_compromised(turn: Turn) -> Reply:
    """Freeze first (it stops the damage at once), then passwords and 2FA, and our security
    team on an urgent ticket with what the customer told us."""
    lang = turn.lang
    reply = Reply(
        text=say(
            lang,
            "First, freeze your account now with the button below: logins, trading and "
            "withdrawals stop at once, and only our security team can unfreeze it after "
            "checking your identity. Then change your email password and your exchange "
            "password, and reset 2FA. Keep any suspicious emails, messages and TxIDs as "
            "evidence.",
            "请先点击下方按钮立即冻结账户：登录、交易和提现会马上停止，之后只有安全团队在核实您的身份后才能解冻。"
            "然后请修改邮箱密码和交易所登录密码，并重置二次验证。请保留可疑邮件、消息和 TxID 作为证"
            "据。",
        ),
        intent="account_compromised",
        articles=["account-compromised", "disable-account"],
        actions=[FREEZE_ACCOUNT, CONTACT_HUMAN],
    )
    if turn.customer is None:
        return reply
    fields: dict[str, object] = {}
    for key in ("txid", "address", "asset", "network"):
        values = turn.remembered(key)
        if values:
            fields[key] = values[0]
    reply = await hand_off(
        turn,
        reply,
        "account compromised",
        ticket=TicketRequest(
            subject="Account compromised: urgent security review",
            description=turn.text or "The customer reports that their account is compromised.",
            priority=TicketPriority.URGENT,
            funds_at_risk=True,
            fields=fields,
        ),
    )
    reply.actions = [FREEZE_ACCOUNT, CONTACT_HUMAN]
    return reply


async def freeze_now(turn: Turn) -> Reply:
    """The customer pressed "freeze": freeze at the exchange, or link the page for visitors."""
    lang = turn.lang
    link = f"{turn.context.settings.public_base_url}/help/{lang}/freeze"
    if turn.user_id is None:
        return Reply(
            text=say(
                lang,
                f"Freeze your account here: {link} (it works even if you cannot sign in).",
                f"请在此冻结账户：{link}（无法登录时也可以使用）。",
            ),
            intent="account_compromised",
            articles=["disable-account"],
            actions=[CONTACT_HUMAN],
        )
    result = await turn.exchange.freeze_account(turn.user_id, "customer request in chat")
    await record_audit(
        turn.session,
        Actor(type="customer", id=str(turn.customer.id) if turn.customer else None),
        "account.freeze",
        object_type="exchange_user",
        object_id=turn.user_id,
        details={"via": "assistant", "status": result.account_status.value},
    )
    return Reply(
        text=say(
            lang,
            f"Your account is now {result.account_status.value} (since "
            f"{when(result.frozen_at)}): nobody can sign in, trade or withdraw. Next, change "
            "your email password, then our security team will verify your identity to "
            "unfreeze it.",
            f"您的账户已冻结（{when(result.frozen_at)} 起）：任何人都无法登录、交易或提现。"
            "接下来请修改邮箱密码，安全团队核实您的身份后会为您解冻。",
        ),
        intent="account_compromised",
        articles=["disable-account", "account-compromised"],
        actions=[CONTACT_HUMAN],
        checks=[
            {
                "type": "freeze",
                "status": result.account_status.value,
                "frozen_at": when(result.frozen_at),
            }
        ],
    )


@flow("verify_official_channel")
async def verify_official_channel(turn: Turn) -> Reply:
    registry = configured_registry(turn.context.settings.official_channels_file)
    candidates = _candidates(turn.text)
    if not candidates:
        return Reply(
            text=say(
                turn.lang,
                "Send me the link, email address, phone number or social account you want to "
                "check, and I'll tell you whether it is really ours.",
                "请发送您想核实的链接、邮箱、电话号码或社交账号，我来告诉您它是否为官方渠道。",
            ),
            intent="verify_official_channel",
            articles=["verify-official-channels"],
            actions=[VERIFY_CHANNEL],
        )
    lines: list[str] = []
    worst = "official"
    checks = []
    for value in candidates[:5]:
        verdict = verify(value, registry)
        checks.append(
            {"type": "verify", "value": value, "verdict": verdict.verdict, "reason": verdict.reason}
        )
        if verdict.verdict == "official":
            lines.append(say(turn.lang, f"- {value}: official.", f"- {value}：官方渠道。"))
        elif verdict.verdict == "lookalike":
            worst = "lookalike"
            lines.append(
                say(
                    turn.lang,
                    f"- {value}: NOT ours. It imitates us ({verdict.reason.replace('_', ' ')}).",
                    f"- {value}：不是官方渠道，是仿冒（{verdict.reason}）。",
                )
            )
        else:
            worst = "unknown" if worst == "official" else worst
            lines.append(
                say(
                    turn.lang,
                    f"- {value}: not one of our official channels.",
                    f"- {value}：不在官方渠道列表中。",
                )
            )
    advice = ""
    if worst != "official":
        advice = say(
            turn.lang,
            "\nDo not log in, pay, or share any code through it. Our staff never ask for your "
            "password, 2FA codes, seed phrase or private keys.",
            "\n请勿通过它登录或付款。我们的工作人员永远不会索要您的密码和验证码，"
            "也不会索要助记词或私钥。",
        )
    return Reply(
        text="\n".join(lines) + advice,
        intent="verify_official_channel",
        articles=["verify-official-channels", "never-share-secrets"],
        actions=[REPORT_SCAM] if worst == "lookalike" else [],
        checks=checks,
    )


@flow("phishing_report")
async def phishing_report(turn: Turn) -> Reply:
    lang = turn.lang
    registry = configured_registry(turn.context.settings.official_channels_file)
    candidates = _candidates(turn.text)
    checks = [
        {"type": "verify", "value": value, "verdict": verdict.verdict, "reason": verdict.reason}
        for value, verdict in ((v, verify(v, registry)) for v in candidates[:5])
    ]
    lines = [
        say(
            lang,
            f"- {c['value']}: {'official' if c['verdict'] == 'official' else 'NOT ours'}",
            f"- {c['value']}：{'官方渠道' if c['verdict'] == 'official' else '不是官方渠道'}",
        )
        for c in checks
    ]
    text = say(
        lang,
        "Thank you for reporting it. Please don't click the link or reply to the sender. "
        "If you already typed your password or a code there, freeze your account now.",
        "感谢您的举报。请不要点击该链接或回复对方。如果您已经在那里输入过密码或验证码，请立即冻结账户。",
    )
    if lines:
        text = "\n".join(lines) + "\n" + text
    reply = Reply(
        text=text,
        intent="phishing_report",
        articles=["report-scam", "never-share-secrets"],
        actions=[FREEZE_ACCOUNT, VERIFY_CHANNEL],
        checks=checks,
    )
    if turn.customer is None:
        return reply
    return await hand_off(
        turn,
        reply,
        "scam report",
        ticket=TicketRequest(
            subject="Scam or phishing report",
            description=turn.text or "Scam report from the chat.",
            priority=TicketPriority.HIGH,
        ),
        live=False,
    )
