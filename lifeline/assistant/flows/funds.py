"""Deposits: look the transfer up at the exchange and explain it with its facts."""

from __future__ import annotations

from datetime import timedelta

from lifeline.assistant.facts import duration, num, when
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.general import answer_from_help_center
from lifeline.assistant.handoff import TicketRequest, hand_off
from lifeline.assistant.replies import (
    CHECK_ANOTHER_DEPOSIT,
    CONTACT_HUMAN,
    SHOW_RECENT_DEPOSITS,
    SIGN_IN,
    START_RECOVERY,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import Deposit, DepositIssue, DepositStatus

# Typical seconds per block, to turn missing confirmations into an expected wait.
BLOCK_SECONDS: dict[str, float] = {
    "BTC": 600,
    "ERC20": 12,
    "ETH": 12,
    "TRC20": 3,
    "BEP20": 3,
    "SOL": 0.5,
    "XRP": 4,
    "ARBITRUM": 1,
    "OPTIMISM": 2,
    "POLYGON": 2,
    "LTC": 150,
    "DOGE": 60,
    "TON": 5,
}
# A deposit still confirming after this many times its expected duration needs a person.
STUCK_FACTOR = 3
STUCK_MINIMUM = timedelta(minutes=60)


def expected_wait(deposit: Deposit) -> timedelta:
    remaining = max(deposit.required_confirmations - deposit.confirmations, 0)
    return timedelta(seconds=remaining * BLOCK_SECONDS.get(deposit.network.upper(), 30))


def is_stuck(deposit: Deposit, age: timedelta) -> bool:
    return age > max(STUCK_MINIMUM, expected_wait(deposit) * STUCK_FACTOR + STUCK_MINIMUM)


def minutes_text(lang: str, wait: timedelta) -> str:
    return duration(lang, wait)


def describe_deposit(lang: str, deposit: Deposit) -> str:
    return say(
        lang,
        f"{num(deposit.amount)} {deposit.asset} on {deposit.network}",
        f"{num(deposit.amount)} {deposit.asset}（{deposit.network}）",
    )


def deposit_check(deposit: Deposit) -> dict[str, object]:
    return {
        "type": "deposit",
        "id": deposit.id,
        "txid": deposit.txid,
        "asset": deposit.asset,
        "network": deposit.network,
        "amount": num(deposit.amount),
        "status": deposit.status.value,
        "confirmations": f"{deposit.confirmations}/{deposit.required_confirmations}",
        "issue": deposit.issue.value if deposit.issue else None,
    }


def deposit_fields(deposit: Deposit) -> dict[str, object]:
    return {
        "txid": deposit.txid,
        "asset": deposit.asset,
        "network": deposit.network,
        "amount": num(deposit.amount),
        "address": deposit.address,
    }


def sign_in_reply(turn: Turn, intent: str, en: str, zh: str) -> Reply:
    """For an anonymous visitor: what to check alone, and signing in so we can look it up."""
    return Reply(
        text=say(turn.lang, en, zh),
        intent=intent,
        actions=[SIGN_IN, CONTACT_HUMAN],
    )


@flow("deposit_not_credited")
async def deposit_not_credited(turn: Turn) -> Reply:
    lang = turn.lang
    if turn.user_id is None:
        reply = await answer_from_help_center(turn, "deposit_not_credited")
        reply.text = say(
            lang,
            "I can check your deposit once you are signed in. Meanwhile, here is what to check "
            "yourself: the TxID on a block explorer, the number of confirmations, and that the "
            "network and memo match the deposit page.",
            "登录后我可以直接为您查询充值。您也可以先自行检查：在区块浏览器查看 TxID、确认数，"
            "以及网络和标签(Memo)是否与充值页面一致。",
        )
        reply.actions = [SIGN_IN, CONTACT_HUMAN]
        return reply
    txids = turn.remembered("txid")
    if not txids:
        return await _recent_deposits(turn)
    deposit = await turn.exchange.find_deposit(turn.user_id, txids[0])
    if deposit is None:
        return Reply(
            text=say(
                lang,
                f"I could not find a deposit with TxID {txids[0]} on your account. Please check "
                "on a block explorer that the transaction succeeded and was sent to your "
                "deposit address on the same network. New deposits appear after their first "
                "confirmation.",
                f"您的账户中没有找到 TxID 为 {txids[0]} 的充值。请在区块浏览器确认该交易已成功，"
                "并且转入的是您在同一网络下的充值地址。新的充值在获得第一个确认后才会显示。",
            ),
            intent="deposit_not_credited",
            articles=["deposit-not-credited", "wrong-network-deposit"],
            actions=[SHOW_RECENT_DEPOSITS, CONTACT_HUMAN],
            checks=[{"type": "deposit", "txid": txids[0], "found": False}],
        )
    return await explain_deposit(turn, deposit)


def _matching(turn: Turn, deposits: list[Deposit]) -> list[Deposit]:
    """Narrow a list of deposits by the coin, network or amount the customer mentioned."""
    assets = {a.upper() for a in turn.remembered("asset")}
    networks = {n.upper() for n in turn.remembered("network")}
    narrowed = [
        d
        for d in deposits
        if (not assets or d.asset.upper() in assets)
        and (not networks or d.network.upper() in networks or (d.sent_network or "") in networks)
    ]
    return narrowed or deposits


async def _recent_deposits(turn: Turn) -> Reply:
    assert turn.user_id is not None
    lang = turn.lang
    deposits = await turn.exchange.list_deposits(turn.user_id, limit=5)
    pending = _matching(turn, [d for d in deposits if d.status != DepositStatus.CREDITED])
    if len(pending) == 1:
        return await explain_deposit(turn, pending[0])
    if not deposits:
        text = say(
            lang,
            "I don't see any deposit on your account yet. Please send me the TxID (transaction "
            "hash) so I can look it up.",
            "您的账户暂时没有充值记录。请发送 TxID（交易哈希），我来帮您查询。",
        )
    else:
        lines = [
            f"- {describe_deposit(lang, d)}: {d.status.value} "
            f"({d.confirmations}/{d.required_confirmations})"
            for d in deposits
        ]
        text = say(
            lang,
            "Here are your recent deposits:\n"
            + "\n".join(lines)
            + "\nWhich one do you mean? You can paste its TxID.",
            "这是您最近的充值记录：\n" + "\n".join(lines) + "\n请问是哪一笔？可以直接发送 TxID。",
        )
    return Reply(
        text=text,
        intent="deposit_not_credited",
        articles=["deposit-not-credited"],
        actions=[CONTACT_HUMAN],
        checks=[{"type": "recent_deposits", "count": len(deposits)}],
    )


async def explain_deposit(turn: Turn, deposit: Deposit) -> Reply:
    lang = turn.lang
    check = deposit_check(deposit)
    what = describe_deposit(lang, deposit)
    if deposit.status == DepositStatus.CREDITED:
        credited = when(deposit.credited_at)
        return Reply(
            text=say(
                lang,
                f"Good news: your deposit of {what} was credited {credited} to your Spot "
                "account. If you don't see it, check the Spot wallet rather than Funding or "
                "Futures.",
                f"好消息：您的 {what} 充值已于 {credited} 入账到现货账户。如果没有看到，"
                "请在现货钱包（而非资金或合约账户）中查看。",
            ),
            intent="deposit_not_credited",
            articles=["deposit-not-credited"],
            actions=[CHECK_ANOTHER_DEPOSIT],
            checks=[check],
        )
    if deposit.status == DepositStatus.CONFIRMING:
        wait = expected_wait(deposit)
        confirmations = f"{deposit.confirmations}/{deposit.required_confirmations}"
        if is_stuck(deposit, turn.now - deposit.created_at):
            waited = duration(lang, turn.now - deposit.created_at)
            reply = Reply(
                text=say(
                    lang,
                    f"Your deposit of {what} has {confirmations} confirmations after "
                    f"{waited}, much longer than usual for {deposit.network}. This needs our "
                    "funds team to check it; your funds are not lost.",
                    f"您的 {what} 充值已等待{waited}，目前只有 {confirmations} 个确认，"
                    f"远超 {deposit.network} 网络的正常时间，需要资金团队人工核查，您的资产不会丢失"
                    "。",
                ),
                intent="deposit_not_credited",
                articles=["deposit-not-credited"],
                actions=[CONTACT_HUMAN],
                checks=[check | {"stuck": True}],
            )
            return await hand_off(
                turn,
                reply,
                "deposit stuck beyond its expected time",
                ticket=TicketRequest(
                    subject=f"Deposit stuck: {num(deposit.amount)} {deposit.asset} "
                    f"({deposit.network}) at {confirmations} confirmations",
                    description=(
                        f"Deposit {deposit.id}, TxID {deposit.txid}, created "
                        f"{when(deposit.created_at)}, {confirmations} confirmations, expected "
                        f"to complete in {duration('en', wait)} from now by block time."
                    ),
                    fields=deposit_fields(deposit),
                ),
            )
        return Reply(
            text=say(
                lang,
                f"I found your deposit of {what}. It has {confirmations} confirmations; it is "
                f"credited automatically at {deposit.required_confirmations}, expected in "
                f"{minutes_text(lang, wait)}. You don't need to do anything.",
                f"已找到您的 {what} 充值，目前 {confirmations} 个确认，达到 "
                f"{deposit.required_confirmations} 个确认后将自动入账，预计还需"
                f"{minutes_text(lang, wait)}，您无需任何操作。",
            ),
            intent="deposit_not_credited",
            articles=["deposit-not-credited"],
            actions=[CHECK_ANOTHER_DEPOSIT],
            checks=[check],
        )
    if deposit.status == DepositStatus.NEEDS_RECOVERY:
        return recovery_reply(turn, deposit, check)
    reply = Reply(
        text=say(
            lang,
            f"Your deposit of {what} failed at the exchange. A colleague needs to look at it.",
            f"您的 {what} 充值处理失败，需要人工同事核查。",
        ),
        intent="deposit_not_credited",
        articles=["deposit-not-credited"],
        checks=[check],
    )
    return await hand_off(
        turn,
        reply,
        "deposit failed",
        ticket=TicketRequest(
            subject=f"Deposit failed: {num(deposit.amount)} {deposit.asset}",
            description=f"Deposit {deposit.id}, TxID {deposit.txid}, status failed.",
            fields=deposit_fields(deposit),
            funds_at_risk=True,
        ),
    )


def recovery_reply(turn: Turn, deposit: Deposit, check: dict[str, object]) -> Reply:
    lang = turn.lang
    amount = num(deposit.amount)
    if deposit.issue == DepositIssue.MISSING_MEMO:
        text = say(
            lang,
            f"Your {deposit.asset} deposit ({amount}) arrived without the memo/tag that "
            f"{deposit.asset} deposits need, so it could not be matched to your account "
            "automatically. It can usually be recovered: start a recovery request with the "
            "TxID and a screenshot of the withdrawal from the sending platform.",
            f"您的 {deposit.asset} 充值（{amount}）缺少必填的标签(Memo/Tag)，"
            "系统无法自动匹配到您的账户。通常可以找回：请提交找回申请，"
            "并提供 TxID 和转出平台的提现截图。",
        )
        articles = ["missing-memo-tag"]
    elif deposit.issue == DepositIssue.CONTRACT_ADDRESS:
        text = say(
            lang,
            f"Your deposit of {amount} {deposit.asset} was sent to a token contract address "
            "instead of your deposit address. Such transfers can often not be recovered, but "
            "our funds team will check: start a recovery request and keep the TxID.",
            f"您的 {amount} {deposit.asset} 被转入了代币合约地址而不是您的充值地址。"
            "此类转账往往无法找回，但资金团队会为您核查：请提交找回申请并保留 TxID。",
        )
        articles = ["wrong-network-deposit"]
    else:
        sent = deposit.sent_network or say(lang, "another network", "其他网络")
        text = say(
            lang,
            f"Your deposit of {amount} {deposit.asset} was sent on {sent}, but your "
            f"deposit address is for {deposit.network}. The funds are not lost in most such "
            "cases, but they need a manual recovery (it can take several days and may carry a "
            "fee). Start a recovery request and keep the TxID.",
            f"您的 {amount} {deposit.asset} 是通过 {sent} 网络转入的，但充值地址属于 "
            f"{deposit.network} 网络。这种情况多数可以找回，"
            "但需要人工处理（可能需要数天并收取手续费）。请提交找回申请并保留 TxID。",
        )
        articles = ["wrong-network-deposit"]
    return Reply(
        text=text,
        intent="wrong_network_or_memo",
        articles=articles,
        actions=[START_RECOVERY, CONTACT_HUMAN],
        checks=[check],
    )


async def deposits_needing_recovery(turn: Turn) -> list[Deposit]:
    assert turn.user_id is not None
    txids = turn.remembered("txid")
    if txids:
        found = await turn.exchange.find_deposit(turn.user_id, txids[0])
        if found is not None and found.status == DepositStatus.NEEDS_RECOVERY:
            return [found]
    deposits = await turn.exchange.list_deposits(turn.user_id, limit=20)
    return _matching(turn, [d for d in deposits if d.status == DepositStatus.NEEDS_RECOVERY])


@flow("wrong_network_or_memo")
async def wrong_network_or_memo(turn: Turn) -> Reply:
    lang = turn.lang
    if turn.user_id is None:
        reply = await answer_from_help_center(turn, "wrong_network_or_memo")
        reply.actions = [SIGN_IN, CONTACT_HUMAN]
        return reply
    candidates = await deposits_needing_recovery(turn)
    if len(candidates) == 1:
        return recovery_reply(turn, candidates[0], deposit_check(candidates[0]))
    if candidates:
        lines = [
            f"- {describe_deposit(lang, d)}: "
            + say(
                lang,
                "missing memo/tag" if d.issue == DepositIssue.MISSING_MEMO else "wrong network",
                "缺少标签" if d.issue == DepositIssue.MISSING_MEMO else "充错网络",
            )
            + f" (TxID {d.txid})"
            for d in candidates
        ]
        return Reply(
            text=say(
                lang,
                "These deposits arrived but need a recovery:\n"
                + "\n".join(lines)
                + "\nTell me which one (its TxID), and I'll start the recovery request.",
                "以下充值已到达，但需要人工找回：\n"
                + "\n".join(lines)
                + "\n请告诉我是哪一笔（发送 TxID），我来为您提交找回申请。",
            ),
            intent="wrong_network_or_memo",
            articles=["wrong-network-deposit", "missing-memo-tag"],
            actions=[START_RECOVERY, CONTACT_HUMAN],
            checks=[deposit_check(d) for d in candidates],
        )
    return Reply(
        text=say(
            lang,
            "I don't see a deposit waiting for recovery on your account. If the transfer was "
            "sent on another network or without a memo/tag, it may need its first "
            "confirmations before it shows up: send me the TxID and I'll check it.",
            "您的账户中暂时没有待找回的充值。如果是充错网络或漏填标签，可能需要等到链上确认后才会显示："
            "请发送 TxID，我来帮您查询。",
        ),
        intent="wrong_network_or_memo",
        articles=["wrong-network-deposit", "missing-memo-tag"],
        actions=[SHOW_RECENT_DEPOSITS, CONTACT_HUMAN],
        checks=[{"type": "recovery_deposits", "count": 0}],
    )


async def start_recovery(turn: Turn) -> Reply:
    """The customer asked to recover a deposit: a ticket for the funds team with its facts."""
    lang = turn.lang
    if turn.user_id is None:
        return sign_in_reply(
            turn,
            "wrong_network_or_memo",
            "Please sign in so that I can find the deposit and file the recovery request.",
            "请先登录，我才能找到这笔充值并为您提交找回申请。",
        )
    candidates = await deposits_needing_recovery(turn)
    if len(candidates) != 1:
        return await wrong_network_or_memo(turn)
    deposit = candidates[0]
    issue = deposit.issue.value if deposit.issue else "recovery"
    reply = Reply(
        text=say(
            lang,
            f"I have filed the recovery request for your {num(deposit.amount)} {deposit.asset} "
            f"deposit (TxID {deposit.txid}). Please add a screenshot of the withdrawal record "
            "from the sending platform to the ticket.",
            f"已为您的 {num(deposit.amount)} {deposit.asset} 充值（TxID {deposit.txid}）提交找回申"
            "请。"
            "请在工单中补充转出平台的提现记录截图。",
        ),
        intent="wrong_network_or_memo",
        articles=[
            "missing-memo-tag"
            if deposit.issue == DepositIssue.MISSING_MEMO
            else "wrong-network-deposit"
        ],
        checks=[deposit_check(deposit)],
    )
    return await hand_off(
        turn,
        reply,
        "deposit recovery request",
        ticket=TicketRequest(
            subject=f"Recovery request ({issue}): {num(deposit.amount)} {deposit.asset}",
            description=(
                f"Deposit {deposit.id} needs recovery: {issue}. Deposit network "
                f"{deposit.network}, sent on {deposit.sent_network or deposit.network}, TxID "
                f"{deposit.txid}, {deposit.confirmations}/{deposit.required_confirmations} "
                "confirmations."
            ),
            fields=deposit_fields(deposit),
        ),
        live=False,
    )
