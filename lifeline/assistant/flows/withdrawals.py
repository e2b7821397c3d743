"""Withdrawals, limits and network fees, explained with the customer's own records."""

from __future__ import annotations

from datetime import timedelta

from lifeline.assistant.facts import duration, num, percent, reason_text, when
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.funds import sign_in_reply
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    FREEZE_ACCOUNT,
    RAISE_LIMITS,
    SHOW_RECENT_WITHDRAWALS,
    UPLOAD_DOCUMENTS,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import KycStatus, ReviewState, Withdrawal, WithdrawalStatus
from lifeline.incidents.service import relevant_incidents

# A withdrawal still "processing" after this long is past what the help center promises.
PROCESSING_LIMIT = timedelta(hours=1)
REVIEW_WORDS = ("review", "审核", "审查", "documents", "资料", "材料")
NOT_RECEIVED_WORDS = ("not received", "haven't received", "didn't receive", "not arrived",
                      "没收到", "未收到", "没到账", "未到账", "没到")  # fmt: skip
PENDING = {WithdrawalStatus.PROCESSING, WithdrawalStatus.UNDER_REVIEW}
DELIVERED = {WithdrawalStatus.SENT, WithdrawalStatus.COMPLETED}


def describe(lang: str, w: Withdrawal) -> str:
    return say(
        lang,
        f"{w.id}: {num(w.amount)} {w.asset} on {w.network}",
        f"{w.id}：{num(w.amount)} {w.asset}（{w.network}）",
    )


def withdrawal_check(w: Withdrawal) -> dict[str, object]:
    return {
        "type": "withdrawal",
        "id": w.id,
        "asset": w.asset,
        "network": w.network,
        "amount": num(w.amount),
        "fee": num(w.fee),
        "status": w.status.value,
        "review_state": w.review_state.value if w.review_state else None,
        "failure_reason": w.failure_reason,
        "txid": w.txid,
    }


def withdrawal_fields(w: Withdrawal) -> dict[str, object]:
    return {
        "txid": w.txid,
        "asset": w.asset,
        "network": w.network,
        "amount": num(w.amount),
        "address": w.address,
    }


async def find_withdrawals(turn: Turn) -> tuple[list[Withdrawal], bool]:
    """The withdrawals the customer means: those they named, else their recent ones
    (``True`` when named)."""
    assert turn.user_id is not None
    named: list[Withdrawal] = []
    for reference in [*turn.remembered("withdrawal_id"), *turn.remembered("txid")]:
        found = await turn.exchange.find_withdrawal(turn.user_id, reference)
        if found is not None and found not in named:
            named.append(found)
    if named:
        return named, True
    recent = await turn.exchange.list_withdrawals(turn.user_id, limit=10)
    assets = {a.upper() for a in turn.remembered("asset")}
    narrowed = [w for w in recent if not assets or w.asset.upper() in assets]
    return narrowed or recent, False


def _pick_delayed(turn: Turn, withdrawals: list[Withdrawal]) -> list[Withdrawal]:
    text = turn.text.lower()
    open_ones = [w for w in withdrawals if w.status in PENDING | DELIVERED]
    if any(word in text for word in REVIEW_WORDS):
        reviewed = [w for w in open_ones if w.status == WithdrawalStatus.UNDER_REVIEW]
        if reviewed:
            return reviewed
    if any(word in text for word in NOT_RECEIVED_WORDS):
        delivered = [w for w in open_ones if w.status in DELIVERED]
        if len(delivered) == 1:
            return delivered
    pending = [w for w in open_ones if w.status in PENDING]
    return pending if len(pending) == 1 else open_ones


async def _incident_note(turn: Turn, w: Withdrawal) -> str:
    incidents = await relevant_incidents(turn.session, assets=[w.asset], networks=[w.network])
    concerning = [
        i for i in incidents if i.affected_network or i.affected_asset or i.affected_service
    ]
    if not concerning:
        return ""
    incident = concerning[0]
    return say(
        turn.lang,
        f"\nNote: there is an active service notice: {incident.title('en')}.",
        f"\n请注意，当前有服务公告：{incident.title('zh')}。",
    )


@flow("withdrawal_delayed")
async def withdrawal_delayed(turn: Turn) -> Reply:
    return await _withdrawal_flow(turn, "withdrawal_delayed")


@flow("withdrawal_failed")
async def withdrawal_failed(turn: Turn) -> Reply:
    return await _withdrawal_flow(turn, "withdrawal_failed")


async def _withdrawal_flow(turn: Turn, intent: str) -> Reply:
    lang = turn.lang
    if turn.user_id is None:
        reply = sign_in_reply(
            turn,
            intent,
            "Please sign in so that I can look up your withdrawal: its status, the review "
            "state and the TxID once it is sent.",
            "请先登录，我可以为您查询提现的状态、审核进度以及发出后的 TxID。",
        )
        reply.articles = ["withdrawal-delayed", "withdrawal-failed"]
        return reply
    withdrawals, named = await find_withdrawals(turn)
    if not named:
        if intent == "withdrawal_failed":
            failed = [w for w in withdrawals if w.status == WithdrawalStatus.FAILED]
            withdrawals = failed[:1] if failed else withdrawals
        else:
            withdrawals = _pick_delayed(turn, withdrawals)
    if len(withdrawals) == 1:
        return await explain_withdrawal(turn, withdrawals[0], intent)
    if not withdrawals:
        return Reply(
            text=say(
                lang,
                "I don't see any withdrawal on your account. If one failed before it was "
                "created, tell me the error message you saw.",
                "您的账户中没有提现记录。如果提交时就报错，请告诉我您看到的错误提示。",
            ),
            intent=intent,
            articles=["withdrawal-failed"],
            actions=[CONTACT_HUMAN],
            checks=[{"type": "recent_withdrawals", "count": 0}],
        )
    lines = [f"- {describe(lang, w)}: {w.status.value}" for w in withdrawals[:5]]
    return Reply(
        text=say(
            lang,
            "Here are your recent withdrawals:\n"
            + "\n".join(lines)
            + "\nWhich one do you mean? Tell me its id (e.g. W-...) or TxID.",
            "这是您最近的提现记录：\n"
            + "\n".join(lines)
            + "\n请问是哪一笔？请告诉我提现编号（如 W-...）或 TxID。",
        ),
        intent=intent,
        articles=["withdrawal-delayed"],
        actions=[CONTACT_HUMAN],
        checks=[withdrawal_check(w) for w in withdrawals[:5]],
    )


async def explain_withdrawal(turn: Turn, w: Withdrawal, intent: str) -> Reply:
    lang = turn.lang
    what = describe(lang, w)
    check = withdrawal_check(w)
    age = turn.now - w.created_at
    note = await _incident_note(turn, w)
    if w.status == WithdrawalStatus.UNDER_REVIEW:
        if w.review_state == ReviewState.DOCUMENTS_REQUESTED:
            text = say(
                lang,
                f"Your withdrawal {what} is under review, and the reviewer has asked for "
                f"documents (submitted {duration(lang, age)} ago). A review usually needs: a "
                "valid ID, proof of the source of the funds (e.g. the deposit or trade history "
                "with TxIDs, or a bank statement) and, for a new address, proof that it is "
                "yours. Upload them in one go on the documents page; most reviews finish "
                "within 24-48 hours after all documents are in.",
                f"您的提现 {what} 正在审核中，审核人员已要求补充材料（提交于{duration(lang, age)}前"
                "）。"
                "审核通常需要：有效身份证件、资金来源证明（如带 TxID 的充值或交易记录、银行流水），"
                "如为新地址还需证明地址归您所有。请在材料页面一次性上传；材料齐全后通常 24-48 小时"
                "内完成审核。",
            )
            actions = [UPLOAD_DOCUMENTS, CONTACT_HUMAN]
        else:
            text = say(
                lang,
                f"Your withdrawal {what} is under a routine review (submitted "
                f"{duration(lang, age)} ago; review state: "
                f"{(w.review_state or ReviewState.PENDING_REVIEW).value.replace('_', ' ')}). "
                "Most reviews finish within a few hours, complex ones within 24-48 hours; we "
                "will email you if anything is needed. Your funds stay safe meanwhile.",
                f"您的提现 {what} 正在例行审核（提交于{duration(lang, age)}前）。"
                "多数审核在几小时内完成，复杂情况需 24-48 小时；如需材料我们会发邮件通知您，期间资"
                "金安全。",
            )
            actions = [CONTACT_HUMAN]
        return Reply(
            text=text + note,
            intent=intent,
            articles=["withdrawal-delayed", "large-transaction-review"],
            actions=actions,
            checks=[check],
        )
    if w.status == WithdrawalStatus.PROCESSING:
        if age > PROCESSING_LIMIT:
            reply = Reply(
                text=say(
                    lang,
                    f"Your withdrawal {what} has been processing for {duration(lang, age)}, "
                    "longer than it should." + note,
                    f"您的提现 {what} 已处理{duration(lang, age)}，超出了正常时间。" + note,
                ),
                intent=intent,
                articles=["withdrawal-delayed"],
                checks=[check | {"overdue": True}],
            )
            return await hand_off(
                turn,
                reply,
                "withdrawal processing beyond one hour",
                ticket=TicketRequest(
                    subject=f"Withdrawal {w.id} processing for too long",
                    description=f"Withdrawal {w.id} created {when(w.created_at)}, processing.",
                    fields=withdrawal_fields(w),
                ),
            )
        return Reply(
            text=say(
                lang,
                f"Your withdrawal {what} is being processed (submitted {duration(lang, age)} "
                "ago). It is usually sent within an hour; the TxID appears in your withdrawal "
                "history as soon as it is broadcast." + note,
                f"您的提现 {what} 正在处理中（提交于{duration(lang, age)}前），通常一小时内发出，"
                "广播后即可在提现记录中看到 TxID。" + note,
            ),
            intent=intent,
            articles=["withdrawal-delayed"],
            actions=[SHOW_RECENT_WITHDRAWALS],
            checks=[check],
        )
    if w.status in DELIVERED:
        link = w.explorer_url or ""
        done = when(w.completed_at) if w.completed_at else ""
        return Reply(
            text=say(
                lang,
                f"Your withdrawal {what} was sent{' on ' + done if done else ''}. TxID: "
                f"{w.txid}. You can follow it here: {link}\nIf the receiving platform has not "
                f"credited it yet, give them this TxID and check that the address ({w.address}) "
                "and network are the ones they expect; they may need more confirmations.",
                f"您的提现 {what} 已发出{'（' + done + '）' if done else ''}。TxID：{w.txid}。"
                f"可在此查看：{link}\n如果收款平台尚未入账，请向对方提供该 TxID，"
                f"并确认地址（{w.address}）和网络正确；对方可能需要更多确认数。",
            ),
            intent=intent,
            articles=["withdrawal-delayed"],
            actions=[SHOW_RECENT_WITHDRAWALS, CONTACT_HUMAN],
            checks=[check],
        )
    if w.status == WithdrawalStatus.FAILED:
        why, fix = reason_text(lang, w.failure_reason)
        actions = [CONTACT_HUMAN]
        if w.failure_reason and "security_hold" in w.failure_reason:
            actions = [FREEZE_ACCOUNT, CONTACT_HUMAN]
        return Reply(
            text=say(
                lang,
                f"Your withdrawal {what} failed: {why}. {fix} The amount was not sent." + note,
                f"您的提现 {what} 失败：{why}。{fix}该笔资金没有转出。" + note,
            ),
            intent="withdrawal_failed",
            articles=["withdrawal-failed"],
            actions=actions,
            checks=[check],
        )
    return Reply(
        text=say(
            lang,
            f"Your withdrawal {what} was cancelled, so nothing was sent. You can submit it again.",
            f"您的提现 {what} 已取消，资金未转出，您可以重新提交。",
        ),
        intent=intent,
        articles=["withdrawal-failed"],
        actions=[CONTACT_HUMAN],
        checks=[check],
    )


@flow("deposit_withdrawal_limits")
async def deposit_withdrawal_limits(turn: Turn) -> Reply:
    lang = turn.lang
    profile = await turn.profile()
    if profile is None:
        reply = sign_in_reply(
            turn,
            "deposit_withdrawal_limits",
            "Limits depend on your verification level. Sign in and I'll tell you yours.",
            "限额取决于您的身份认证等级。登录后我可以告诉您具体限额。",
        )
        reply.articles = ["deposit-withdrawal-limits"]
        return reply
    limit = profile.withdrawal_limit_24h_usd
    limit_text = (
        say(lang, f"{limit:,.0f} USD", f"{limit:,.0f} 美元")
        if limit is not None
        else say(lang, "not set", "未设置")
    )
    text = say(
        lang,
        f"Your account is at verification level {profile.kyc_level}, with a 24-hour "
        f"withdrawal limit of {limit_text}.",
        f"您的账户身份认证等级为 {profile.kyc_level} 级，24 小时提现限额为 {limit_text}。",
    )
    if profile.kyc_status == KycStatus.REJECTED:
        why, fix = reason_text(lang, profile.kyc_rejection_reason)
        text += say(
            lang,
            f" Your last verification was rejected ({why}). {fix} A higher level raises the limit.",
            f"您上次的认证未通过（{why}）。{fix}完成更高等级认证即可提高限额。",
        )
    elif profile.kyc_status == KycStatus.PENDING:
        text += say(
            lang,
            " Your verification is being reviewed; the limit rises once it is approved.",
            "您的认证正在审核中，通过后限额会相应提高。",
        )
    else:
        text += say(
            lang,
            " To raise it, complete the next verification level on the identity page. "
            "Minimum amounts per coin and network are shown on the deposit and withdrawal "
            "pages.",
            "如需提高限额，请在身份认证页面完成更高等级认证。各币种和网络的最小金额显示在充提页面。",
        )
    return Reply(
        text=text,
        intent="deposit_withdrawal_limits",
        articles=["deposit-withdrawal-limits", "kyc-verification"],
        actions=[RAISE_LIMITS, CONTACT_HUMAN],
        checks=[
            {
                "type": "limits",
                "kyc_level": profile.kyc_level,
                "kyc_status": profile.kyc_status.value,
                "withdrawal_limit_24h_usd": str(limit) if limit is not None else None,
            }
        ],
    )


@flow("gas_fee_question")
async def gas_fee_question(turn: Turn) -> Reply:
    lang = turn.lang
    general = say(
        lang,
        "Network fees pay the blockchain's validators, not us: they rise when the network is "
        "busy (on Ethereum, gas price × gas used), and our fee is set ahead to cover that. "
        "A cheaper network (for USDT, e.g. TRC20 instead of ERC20) costs less, if the "
        "receiving platform supports it.",
        "网络手续费支付给区块链的验证者，而不是平台：网络拥堵时费用会上升（以太坊为 Gas 价格 × Gas "
        "用量），"
        "平台的手续费会预先设定以覆盖链上成本。如果收款方支持，选择更便宜的网络（如 USDT 用 TRC20 "
        "而不是 ERC20）"
        "可以降低费用。",
    )
    checks: list[dict[str, object]] = []
    if turn.user_id is not None:
        withdrawals, _named = await find_withdrawals(turn)
        if withdrawals:
            w = withdrawals[0]
            share = percent(w.fee / w.amount) if w.amount else "-"
            general = (
                say(
                    lang,
                    f"Your withdrawal {w.id} of {num(w.amount)} {w.asset} on {w.network} had a "
                    f"network fee of {num(w.fee)} {w.asset} ({share} of the amount). ",
                    f"您的提现 {w.id}（{num(w.amount)} {w.asset}，{w.network}）的网络手续费为 "
                    f"{num(w.fee)} {w.asset}（占金额的 {share}）。",
                )
                + general
            )
            checks.append(withdrawal_check(w))
    return Reply(
        text=general,
        intent="gas_fee_question",
        articles=["network-fees"],
        actions=[SHOW_RECENT_WITHDRAWALS, CONTACT_HUMAN],
        checks=checks,
    )
