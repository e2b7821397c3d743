"""Reviews, disputes, service status, tickets, complaints, humans, VIPs and small talk end to
end; and the hand-off outside a team's working hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role, Team
from lifeline.config import Settings
from lifeline.conversations.models import ConversationStatus
from lifeline.exchange import demo_data as d
from lifeline.tickets.models import BusinessCalendar, TicketCategory, TicketType
from tests.assistant.chat import (
    Chat,
    action_ids,
    conversation_row,
    customer_headers,
    slugs,
    ticket_row,
)
from tests.support.factories import make_agent, sign_in

pytestmark = pytest.mark.usefixtures("demo_data", "articles", "desk")


async def set_team_hours(
    sessionmaker: async_sessionmaker[AsyncSession], slug: str, *, open_now: bool
) -> None:
    """Open around the clock, or open only on a weekday that is not today (closed now)."""
    async with sessionmaker() as session:
        team = await session.scalar(select(Team).where(Team.slug == slug))
        assert team is not None
        row = await session.scalar(
            select(BusinessCalendar).where(BusinessCalendar.team_id == team.id)
        )
        assert row is not None
        other_day = (datetime.now(UTC) + timedelta(days=3)).weekday()
        row.timezone = "UTC"
        row.always_open = open_now
        row.weekly_hours = {} if open_now else {str(other_day): [["09:00", "18:00"]]}
        row.holidays = []
        await session.commit()


@pytest.mark.parametrize(
    ("lang", "text", "closed_words"),
    [
        ("en", "My 250000 USDT withdrawal is under compliance review, what documents do you need from me?",
         "outside its working hours"),
        ("zh", "我25万USDT的大额提现在合规审核，需要我提供什么资金来源证明材料", "不在工作时间"),
    ],
)  # fmt: skip
async def test_a_large_review_outside_working_hours_files_a_ticket_and_says_when(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
    closed_words: str,
) -> None:
    await set_team_hours(sessionmaker, "compliance", open_now=False)
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "large_trade_review")
    assert d.WITHDRAWAL_REVIEW_ID in reply["text"] and "250000 USDT" in reply["text"]
    assert "24-48" in reply["text"]
    assert slugs(reply) == ["large-transaction-review"]
    handoff = reply["handoff"]
    assert handoff["state"] == "ticket_created" and handoff["team"] == "compliance"
    assert closed_words in reply["text"]
    assert handoff["expected_response"] and handoff["expected_response"] in reply["text"]
    ticket = await ticket_row(sessionmaker, handoff["ticket_number"])
    assert ticket.category == TicketCategory.LARGE_TRANSACTIONS
    assert ticket.fields["amount"] == "250000" and ticket.fields["asset"] == "USDT"
    assert ticket.first_response_due_at is not None
    conversation = await conversation_row(sessionmaker, chat.conversation_id)
    # Nobody is there to take the chat now: the assistant keeps answering meanwhile.
    assert conversation.status == ConversationStatus.BOT
    assert conversation.handoff["ticket_number"] == int(handoff["ticket_number"])
    assert conversation.handoff["intent"] == "large_trade_review"


@pytest.mark.parametrize(
    ("lang", "first", "ask", "no_repeat"),
    [
        ("en", f"deposit not showing up, txid {d.DEPOSIT_CONFIRMING_TXID}",
         "I want to talk to a real person please", "not need to repeat"),
        ("zh", f"充值一直没到账，txid {d.DEPOSIT_CONFIRMING_TXID}", "我要转人工客服", "无需重复"),
    ],
)  # fmt: skip
async def test_a_hand_off_inside_working_hours_queues_the_chat(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    first: str,
    ask: str,
    no_repeat: str,
) -> None:
    await set_team_hours(sessionmaker, "funds", open_now=True)
    chat = await Chat.start(client, settings, d.ALICE, lang)
    await chat.say(first, "deposit_not_credited")
    reply = await chat.say(ask, "contact_human")
    assert reply["handoff"]["state"] == "queued" and reply["handoff"]["team"] == "funds"
    assert no_repeat in reply["text"]
    assert slugs(reply) == ["contact-support"]
    conversation = await conversation_row(sessionmaker, chat.conversation_id)
    assert conversation.status == ConversationStatus.QUEUED
    summary = conversation.handoff
    assert summary["team"] == "funds"
    assert summary["intent"] == "deposit_not_credited"
    assert summary["asked_for"] == "contact_human"
    assert summary["entities"]["txid"] == [d.DEPOSIT_CONFIRMING_TXID]
    assert any(c.get("confirmations") == "3/12" for c in summary["checks"])
    assert any("3/12" in said for said in summary["said"])
    assert summary["customer"]["language"] == lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "P2P buyer says he paid but I never got the money in my bank, order 20931866231"),
        ("zh", "P2P交易买家说已经付款了，但我银行卡没收到钱，订单号 20931866231"),
    ],
)
async def test_a_p2p_dispute_collects_the_evidence_for_the_p2p_team(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
) -> None:
    chat = await Chat.start(client, settings, d.WEI, lang)
    reply = await chat.say(text, "p2p_dispute")
    assert slugs(reply) == ["p2p-disputes"]
    assert "upload_documents" in action_ids(reply)
    assert reply["handoff"]["state"] == "ticket_created" and reply["handoff"]["team"] == "p2p"
    ticket = await ticket_row(sessionmaker, reply["handoff"]["ticket_number"])
    assert ticket.category == TicketCategory.P2P and ticket.funds_at_risk
    assert ticket.fields["order_id"] == "20931866231"


@pytest.mark.parametrize(
    ("lang", "text", "title"),
    [
        ("en", "Are USDT withdrawals on TRC20 suspended right now?", "TRC20 USDT withdrawals paused"),
        ("zh", "现在USDT的TRC20提现是不是暂停了", "TRC20 USDT 提现暂停"),
    ],
)  # fmt: skip
async def test_service_status_reports_the_active_incidents(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
    title: str,
) -> None:
    await make_agent(sessionmaker, "lead@example.com", role=Role.SUPERVISOR)
    staff = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with staff:
        await sign_in(staff, "lead@example.com")
        created = await staff.post(
            "/api/v1/incidents",
            json={
                "title_en": "TRC20 USDT withdrawals paused",
                "title_zh": "TRC20 USDT 提现暂停",
                "body_en": "Network upgrade in progress.",
                "body_zh": "网络升级中。",
                "affected_service": "withdrawals",
                "affected_asset": "usdt",
                "affected_network": "trc20",
            },
        )
        assert created.status_code == 201, created.text
        chat = await Chat.start(client, settings, d.ALICE, lang)
        reply = await chat.say(text, "incident_status")
        assert title in reply["text"]
        assert slugs(reply)[0] == "withdrawal-suspended"
        resolved = await staff.post(f"/api/v1/incidents/{created.json()['public_id']}/resolve")
        assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    again = await chat.say(text, "incident_status")
    assert title not in again["text"]
    assert ("no active incident" in again["text"]) or ("没有正在进行" in again["text"])


async def test_incidents_are_managed_only_with_the_permission(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "agent@example.com", role=Role.AGENT)
    await sign_in(client, "agent@example.com")
    body = {"title_en": "Trading halted", "title_zh": "交易暂停"}
    assert (await client.post("/api/v1/incidents", json=body)).status_code == 403
    assert (await client.get("/api/v1/incidents")).json() == []


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_ticket_status_lists_the_customers_own_tickets(
    client: httpx.AsyncClient, settings: Settings, lang: str
) -> None:
    headers = customer_headers(settings, d.ALICE, lang)
    created = await client.post(
        "/api/v1/customer/tickets",
        json={
            "subject": "BTC deposit question",
            "description": "My deposit from yesterday, please check.",
            "category": "deposits_withdrawals",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    chat = await Chat.start(client, settings, d.ALICE, lang)
    text = {
        "en": f"Any update on my ticket #{number}?",
        "zh": f"我的工单 {number} 现在处理到哪一步了",
    }[lang]
    reply = await chat.say(text, "ticket_status")
    assert f"#{number}" in reply["text"] and "BTC deposit question" in reply["text"]
    assert ("waiting for an agent" in reply["text"]) or ("等待客服处理" in reply["text"])
    assert slugs(reply) == ["submit-ticket"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I want to file a formal complaint, nobody has answered me for three days"),
        ("zh", "我要投诉，三天了都没人处理我的问题，太差劲了"),
    ],
)
async def test_a_complaint_becomes_a_complaint_ticket_for_a_supervisor(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "complaint")
    assert reply["handoff"]["state"] == "ticket_created"
    ticket = await ticket_row(sessionmaker, reply["handoff"]["ticket_number"])
    assert ticket.type == TicketType.COMPLAINT
    assert ("supervisor" in reply["text"]) or ("主管" in reply["text"])
    assert slugs(reply) == ["escalate-complaint"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I'd like to speak with my dedicated account manager"),
        ("zh", "我是VIP，帮我联系我的专属客户经理"),
    ],
)
async def test_a_vip_reaches_the_account_manager(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
) -> None:
    await make_agent(sessionmaker, "vipdesk@example.com", languages=("en", "zh"), teams=("vip",))
    chat = await Chat.start(client, settings, d.GRACE, lang)
    reply = await chat.say(text, "vip_service")
    assert "Sophie Lambert" in reply["text"] and "VIP 3" in reply["text"]
    assert reply["handoff"]["team"] == "vip"
    conversation = await conversation_row(sessionmaker, chat.conversation_id)
    assert conversation.handoff["customer"]["vip_tier"] == 3
    ticket = await ticket_row(sessionmaker, reply["handoff"]["ticket_number"])
    assert ticket.assignee_id is not None  # the VIP desk has it, not the general queue
    assert slugs(reply) == ["vip-support"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Should I buy more BTC now or wait for the price to drop?"),
        ("zh", "现在适合买入比特币吗，你觉得会涨吗"),
    ],
)
async def test_investment_advice_is_declined_with_risk_tools(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "investment_advice")
    assert ("cannot give investment advice" in reply["text"]) or ("不提供投资建议" in reply["text"])
    assert slugs(reply)[0] == "investment-advice-policy"
    assert action_ids(reply) == ["risk_tools"]


@pytest.mark.parametrize(
    ("lang", "text", "intent", "expected"),
    [
        ("en", "hello there", "greeting", "Hi!"),
        ("zh", "你好", "greeting", "您好"),
        ("en", "thanks a lot, bye!", "greeting", "You're welcome"),
        ("en", "Can you recommend a good pizza place nearby?", "out_of_scope", "I can only help"),
        ("zh", "明天北京天气怎么样", "out_of_scope", "我只能协助"),
    ],
)
async def test_small_talk_is_brief(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, intent: str,
    expected: str,
) -> None:  # fmt: skip
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, intent)
    assert reply["text"].startswith(expected) and len(reply["text"]) < 200
    assert reply["handoff"]["state"] == "none"


@pytest.mark.parametrize(
    ("lang", "text", "intent", "slug"),
    [
        ("en", "The app keeps crashing when I open the trading page", "app_technical_issue",
         "app-troubleshooting"),
        ("zh", "APP一打开交易页面就闪退", "app_technical_issue", "app-troubleshooting"),
        ("en", "How do I move USDT from my Web3 wallet to my exchange account?", "web3_wallet",
         "web3-wallet"),
        ("zh", "Web3钱包里的币怎么转到交易所账户", "web3_wallet", "web3-wallet"),
    ],
)  # fmt: skip
async def test_product_questions_cite_their_article(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, intent: str, slug: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, intent)
    assert slugs(reply)[0] == slug
