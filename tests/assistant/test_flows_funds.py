"""Deposits, withdrawals, limits and fees end to end, in English and Chinese, on the demo
exchange: the facts in each reply come from the customer's own records."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from lifeline.tickets.models import TicketCategory
from tests.assistant.chat import Chat, action_ids, conversation_row, slugs, ticket_row

pytestmark = pytest.mark.usefixtures("demo_data", "articles", "desk")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", f"My USDT deposit hasn't arrived yet, txid {d.DEPOSIT_CONFIRMING_TXID}"),
        ("zh", f"我充值的USDT还没有到账，交易哈希是 {d.DEPOSIT_CONFIRMING_TXID}"),
    ],
)
async def test_a_confirming_deposit_reports_its_confirmations_and_wait(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "deposit_not_credited")
    assert "3/12" in reply["text"]
    assert "1500 USDT" in reply["text"]
    # 9 blocks of about 12 seconds on ERC20.
    assert ("about 2 minutes" if lang == "en" else "约 2 分钟") in reply["text"]
    assert slugs(reply) == ["deposit-not-credited"]
    assert "check_another_deposit" in action_ids(reply)
    assert reply["handoff"]["state"] == "none"
    assert reply["lang"] == lang


@pytest.mark.parametrize(
    ("lang", "text", "said"),
    [
        ("en", f"where is my bitcoin? I sent it two days ago, tx {d.DEPOSIT_CREDITED_TXID}",
         "was credited"),
        ("zh", f"我两天前充了比特币，txid {d.DEPOSIT_CREDITED_TXID}，怎么还没到账", "已于"),
    ],
)  # fmt: skip
async def test_a_credited_deposit_says_where_it_went(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, said: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "deposit_not_credited")
    assert "0.25 BTC" in reply["text"] and said in reply["text"]
    assert ("Spot" if lang == "en" else "现货") in reply["text"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", f"My 2 ETH deposit from this morning still isn't in my account. TxID {d.DEPOSIT_STUCK_TXID}"),
        ("zh", f"我早上充的2个ETH到现在还没到账，TxID {d.DEPOSIT_STUCK_TXID}"),
    ],
)  # fmt: skip
async def test_a_stuck_deposit_opens_a_funds_ticket_with_the_evidence(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "deposit_not_credited")
    assert "5/64" in reply["text"]
    handoff = reply["handoff"]
    assert handoff["state"] == "ticket_created" and handoff["team"] == "funds"
    assert handoff["ticket_number"] and f"#{handoff['ticket_number']}" in reply["text"]
    assert handoff["expected_response"]
    ticket = await ticket_row(sessionmaker, handoff["ticket_number"])
    assert ticket.category == TicketCategory.DEPOSITS_WITHDRAWALS
    assert ticket.fields["txid"] == d.DEPOSIT_STUCK_TXID
    assert ticket.fields["amount"] == "2" and ticket.fields["network"] == "ERC20"
    assert ticket.language == lang
    assert "hand-off summary" in ticket.description and "5/64" in ticket.description
    conversation = await conversation_row(sessionmaker, chat.conversation_id)
    summary = conversation.handoff
    assert summary["intent"] == "deposit_not_credited"
    assert summary["ticket_number"] == int(handoff["ticket_number"])
    assert summary["customer"] == {
        "user_id": d.ALICE,
        "name": "Alice Martin",
        "vip_tier": 0,
        "language": lang,
        "kyc_status": "approved",
        "account_status": "active",
    }
    assert d.DEPOSIT_STUCK_TXID in summary["entities"]["txid"]
    assert any(c.get("stuck") and c["confirmations"] == "5/64" for c in summary["checks"])
    assert summary["said"] and "5/64" in summary["said"][-1]


@pytest.mark.parametrize(
    ("lang", "text", "recovery_word"),
    [
        ("en", "I deposited 800 USDT but I think I picked BEP20 instead of ERC20, what now?",
         "recovery"),
        ("zh", "我充了800 USDT，好像选错了网络，选成了BEP20，怎么找回", "找回"),
    ],
)  # fmt: skip
async def test_a_wrong_network_deposit_starts_the_recovery_path(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
    recovery_word: str,
) -> None:
    chat = await Chat.start(client, settings, d.WEI, lang)
    reply = await chat.say(text, "wrong_network_or_memo")
    assert "800 USDT" in reply["text"] and "BEP20" in reply["text"] and "ERC20" in reply["text"]
    assert recovery_word in reply["text"]
    assert slugs(reply) == ["wrong-network-deposit"]
    assert action_ids(reply)[0] == "start_recovery"
    filed = await chat.press("start_recovery")
    assert filed["handoff"]["state"] == "ticket_created"
    ticket = await ticket_row(sessionmaker, filed["handoff"]["ticket_number"])
    assert ticket.fields["txid"] == d.DEPOSIT_WRONG_NETWORK_TXID
    assert "wrong_network" in ticket.subject


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_deposit_without_its_memo_is_explained(
    client: httpx.AsyncClient, settings: Settings, lang: str
) -> None:
    text = {
        "en": f"I sent XRP from another exchange but forgot the destination tag. TxID {d.DEPOSIT_MISSING_MEMO_TXID}",
        "zh": f"我从别的平台转XRP过来忘了填标签，TxID {d.DEPOSIT_MISSING_MEMO_TXID}",
    }[lang]  # fmt: skip
    chat = await Chat.start(client, settings, d.WEI, lang)
    reply = await chat.say(text, "wrong_network_or_memo")
    assert "XRP" in reply["text"] and "350" in reply["text"]
    assert slugs(reply) == ["missing-memo-tag"]
    assert "start_recovery" in action_ids(reply)


@pytest.mark.parametrize(
    ("lang", "text", "documents"),
    [
        ("en", "My USDT withdrawal has been stuck in review for hours", "source of the funds"),
        ("zh", "我的USDT提现一直在审核中，已经好几个小时了", "资金来源证明"),
    ],
)
async def test_a_withdrawal_under_review_says_which_documents_it_needs(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, documents: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "withdrawal_delayed")
    assert d.WITHDRAWAL_REVIEW_ID in reply["text"] and "250000 USDT" in reply["text"]
    assert documents in reply["text"] and "24-48" in reply["text"]
    assert slugs(reply) == ["withdrawal-delayed", "large-transaction-review"]
    assert action_ids(reply)[0] == "upload_documents"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", f"Withdrawal {d.WITHDRAWAL_SENT_ID} says completed but my wallet hasn't received the BTC"),
        ("zh", f"提现 {d.WITHDRAWAL_SENT_ID} 显示已完成，但是我的钱包没收到BTC"),
    ],
)  # fmt: skip
async def test_a_sent_withdrawal_gives_its_txid_and_explorer_link(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "withdrawal_delayed")
    assert d.WITHDRAWAL_SENT_TXID in reply["text"]
    assert f"https://mempool.space/tx/{d.WITHDRAWAL_SENT_TXID}" in reply["text"]
    assert "0.1 BTC" in reply["text"]


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", "Why did my ETH withdrawal fail?", "24 hours after a password change"),
        ("zh", "为什么我的ETH提现失败了", "修改密码后提现会暂停 24 小时"),
    ],
)
async def test_a_failed_withdrawal_explains_its_reason_and_fix(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, reason: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "withdrawal_failed")
    assert reason in reply["text"] and "1.5 ETH" in reply["text"]
    assert d.WITHDRAWAL_FAILED_ID in reply["text"]
    assert slugs(reply) == ["withdrawal-failed"]
    assert "freeze_account" in action_ids(reply)


@pytest.mark.parametrize(
    ("user", "lang", "text", "facts"),
    [
        (d.ALICE, "en", "What is my daily withdrawal limit?", ["level 2", "2,000,000 USD"]),
        (d.WEI, "zh", "我每天最多能提现多少？限额是多少", ["0 级", "2,000 美元", "模糊"]),
    ],
)
async def test_limits_are_the_customers_own(
    client: httpx.AsyncClient,
    settings: Settings,
    user: str,
    lang: str,
    text: str,
    facts: list[str],
) -> None:
    chat = await Chat.start(client, settings, user, lang)
    reply = await chat.say(text, "deposit_withdrawal_limits")
    for fact in facts:
        assert fact in reply["text"], (fact, reply["text"])
    assert slugs(reply)[0] == "deposit-withdrawal-limits"
    assert "raise_limits" in action_ids(reply)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Why was the network fee on my ETH withdrawal so high?"),
        ("zh", "为什么我提ETH的手续费这么高"),
    ],
)
async def test_a_fee_question_uses_the_customers_withdrawal(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "gas_fee_question")
    # 0.0016 ETH on 1.5 ETH is 0.1% of the amount.
    assert "0.0016 ETH" in reply["text"] and "0.1%" in reply["text"]
    assert slugs(reply) == ["network-fees"]


async def test_a_visitor_is_asked_to_sign_in_and_told_what_to_check(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    chat = await Chat.start(client, settings, None, "en")
    reply = await chat.say("my deposit never showed up", "deposit_not_credited")
    assert "sign_in" in action_ids(reply) and "TxID" in reply["text"]
    assert slugs(reply) == ["deposit-not-credited"]


async def test_asking_again_in_a_new_chat_adds_to_the_open_ticket(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    text = f"My ETH deposit is still not credited, TxID {d.DEPOSIT_STUCK_TXID}"
    first = await (await Chat.start(client, settings, d.ALICE)).say(text, "deposit_not_credited")
    again = await (await Chat.start(client, settings, d.ALICE)).say(text, "deposit_not_credited")
    number = first["handoff"]["ticket_number"]
    assert number and again["handoff"]["ticket_number"] == number
    assert f"same issue as your open ticket #{number}" in again["text"]
