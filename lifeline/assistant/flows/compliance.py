"""Large transaction reviews and P2P disputes: collect the evidence, file it with the team."""

from __future__ import annotations

from lifeline.assistant.facts import duration, num
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.funds import sign_in_reply
from lifeline.assistant.flows.withdrawals import (
    describe,
    find_withdrawals,
    withdrawal_check,
    withdrawal_fields,
)
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import CONTACT_HUMAN, UPLOAD_DOCUMENTS, Reply, say
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import ReviewState, WithdrawalStatus


@flow("large_trade_review")
async def large_trade_review(turn: Turn) -> Reply:
    lang = turn.lang
    documents = say(
        lang,
        "A review needs: a valid ID; proof of where the funds come from (deposit or trade "
        "history from the other platform with the TxIDs, a bank statement of the purchase, "
        "or a sale or salary document); and for a new destination address, proof that it "
        "is yours. Upload everything in one go; most reviews finish within 24-48 hours once "
        "the documents are complete.",
        "审核需要：有效身份证件；资金来源证明（其他平台带 TxID 的充值或交易记录、购买时的银行流水，"
        "或出售、工资等证明）；如提现到新地址，还需证明该地址归您所有。请一次性上传全部材料，"
        "材料齐全后通常 24-48 小时内完成审核。",
    )
    if turn.user_id is None:
        reply = sign_in_reply(turn, "large_trade_review", documents, documents)
        reply.articles = ["large-transaction-review"]
        return reply
    withdrawals, _named = await find_withdrawals(turn)
    reviewed = [w for w in withdrawals if w.status == WithdrawalStatus.UNDER_REVIEW]
    if not reviewed:
        return Reply(
            text=say(
                lang,
                "I don't see a transaction of yours under review right now. " + documents,
                "目前没有查到您正在审核中的交易。" + documents,
            ),
            intent="large_trade_review",
            articles=["large-transaction-review"],
            actions=[CONTACT_HUMAN],
            checks=[{"type": "reviews", "count": 0}],
        )
    w = reviewed[0]
    state = (w.review_state or ReviewState.PENDING_REVIEW).value
    asked = w.review_state == ReviewState.DOCUMENTS_REQUESTED
    reply = Reply(
        text=say(
            lang,
            f"Your withdrawal {describe(lang, w)} is under compliance review (state: "
            f"{state.replace('_', ' ')}, submitted {duration(lang, turn.now - w.created_at)} "
            f"ago).{' The reviewer has asked for documents.' if asked else ''} " + documents,
            f"您的提现 {describe(lang, w)} 正在合规审核中（状态：{state}，提交于"
            f"{duration(lang, turn.now - w.created_at)}前）。"
            f"{'审核人员已要求补充材料。' if asked else ''}" + documents,
        ),
        intent="large_trade_review",
        articles=["large-transaction-review"],
        actions=[UPLOAD_DOCUMENTS],
        checks=[withdrawal_check(w)],
    )
    reply = await hand_off(
        turn,
        reply,
        "large transaction review",
        ticket=TicketRequest(
            subject=f"Large transaction review: {w.id} {num(w.amount)} {w.asset}",
            description=(
                f"Withdrawal {w.id} of {num(w.amount)} {w.asset} ({w.network}) to {w.address} "
                f"is under review ({state}). Customer message: {turn.text}"
            ),
            fields=withdrawal_fields(w),
        ),
        live=False,
    )
    reply.actions = [UPLOAD_DOCUMENTS, CONTACT_HUMAN]
    return reply


@flow("p2p_dispute")
async def p2p_dispute(turn: Turn) -> Reply:
    lang = turn.lang
    evidence = say(
        lang,
        "Do not release the coins before the money is really in your account (check your "
        "bank app, not a screenshot), and do not pay or talk outside the trade chat. "
        "Evidence that settles a dispute: the P2P order number, the payment proof (bank "
        "statement or transfer receipt showing the amount, time and the names), and the "
        "trade chat. Add them to the ticket; both sides must answer within the deadline "
        "shown in the appeal.",
        "在确认款项真实到账前（请查看银行 App，而不是截图）不要放币，也不要在交易聊天之外付款或沟通"
        "。"
        "申诉所需证据：P2P 订单号、付款凭证（显示金额、时间和双方姓名的银行流水或转账回单）以及交易"
        "聊天记录。"
        "请把这些补充到工单中；双方都需要在申诉显示的期限内回复。",
    )
    orders = turn.remembered("order_id")
    amounts = turn.remembered("amount")
    reply = Reply(
        text=evidence,
        intent="p2p_dispute",
        articles=["p2p-disputes"],
        actions=[UPLOAD_DOCUMENTS, CONTACT_HUMAN],
        checks=[{"type": "p2p_evidence", "order_id": orders[0] if orders else None}],
    )
    if turn.customer is None:
        reply.actions = [CONTACT_HUMAN]
        return reply
    fields: dict[str, object] = {}
    if orders:
        fields["order_id"] = orders[0]
    if amounts and isinstance(amounts[0], dict):
        fields["amount"] = amounts[0].get("value")
        fields["asset"] = amounts[0].get("asset")
    return await hand_off(
        turn,
        reply,
        "P2P dispute",
        ticket=TicketRequest(
            subject=f"P2P dispute{' on order ' + orders[0] if orders else ''}",
            description=turn.text or "P2P dispute reported in the chat.",
            funds_at_risk=True,
            fields=fields,
        ),
    )
