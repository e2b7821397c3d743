"""Account access, verification and security end to end: self-service first, the freeze
first of all for a stolen account, identity checks and a person when self-service fails."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from lifeline.tickets.models import TicketCategory, TicketPriority
from tests.assistant.chat import Chat, action_ids, conversation_row, slugs, ticket_row

pytestmark = pytest.mark.usefixtures("demo_data", "articles", "desk")


@pytest.mark.parametrize(
    ("lang", "text", "freeze_word"),
    [
        ("en", "Someone logged into my account from another country and withdrew my USDT, I was hacked!",
         "freeze your account now"),
        ("zh", "我的账号被盗了，有人在异地登录还把我的币提走了", "立即冻结账户"),
    ],
)  # fmt: skip
async def test_a_stolen_account_is_offered_the_freeze_first_and_gets_an_urgent_ticket(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
    freeze_word: str,
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "account_compromised")
    assert freeze_word in reply["text"]
    assert reply["text"].index(freeze_word) < 40  # the first thing said
    assert action_ids(reply)[0] == "freeze_account"
    assert slugs(reply) == ["account-compromised", "disable-account"]
    handoff = reply["handoff"]
    assert handoff["state"] == "ticket_created" and handoff["team"] == "account-security"
    ticket = await ticket_row(sessionmaker, handoff["ticket_number"])
    assert ticket.priority == TicketPriority.URGENT and ticket.funds_at_risk
    assert ticket.category == TicketCategory.ACCOUNT_SECURITY
    frozen = await chat.post(action="freeze_account", text="")
    assert "frozen" in frozen["text"] or "冻结" in frozen["text"]
    assert frozen["intent"] == "account_compromised"
    # The exchange froze it: the next look-up says so.
    conversation = await conversation_row(sessionmaker, chat.conversation_id)
    assert conversation.state["checks"][-1]["status"] == "frozen"


@pytest.mark.parametrize(
    ("lang", "first", "failed"),
    [
        ("en", "I forgot my login password", "I tried the reset but the email never arrives"),
        ("zh", "我忘记登录密码了", "我试过重置了，但是一直收不到邮件"),
    ],
)
async def test_a_forgotten_password_gets_self_service_then_identity_checks(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    first: str,
    failed: str,
) -> None:
    chat = await Chat.start(client, settings, d.BOB, lang)
    reply = await chat.say(first, "forgot_password")
    assert "24" in reply["text"] and reply["handoff"]["state"] == "none"
    assert slugs(reply)[0] == "forgot-password"
    assert action_ids(reply)[0] == "reset_password"
    # Bob's account is locked too: the reply says why, from the exchange.
    assert ("too many failed sign-in" in reply["text"]) or ("多次登录失败" in reply["text"])
    second = await chat.say(failed, "forgot_password")
    assert second["handoff"]["state"] == "queued"
    assert second["handoff"]["team"] == "account-security"
    assert "verify_identity" in action_ids(second)
    summary = (await conversation_row(sessionmaker, chat.conversation_id)).handoff
    assert summary["intent"] == "forgot_password"
    assert summary["customer"]["account_status"] == "locked"
    assert summary["reason"] == "password reset self-service failed"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I got a new phone and lost my Google Authenticator, how do I get back in?"),
        ("zh", "我换了手机，谷歌验证器没了，登录不了怎么办"),
    ],
)
async def test_a_lost_authenticator_gets_the_reset_steps(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "two_factor_problem")
    assert slugs(reply) == ["reset-2fa", "enable-2fa"]
    assert action_ids(reply)[0] == "reset_2fa"
    assert "1-3" in reply["text"] and reply["handoff"]["state"] == "none"


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", "Why is my account locked? I can't log in", "too many failed sign-in attempts"),
        ("zh", "我的账户为什么被锁定了，登不上去", "多次登录失败"),
    ],
)
async def test_a_locked_account_says_the_exchanges_reason(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, reason: str
) -> None:
    chat = await Chat.start(client, settings, d.BOB, lang)
    reply = await chat.say(text, "account_locked")
    assert reason in reply["text"]
    assert slugs(reply)[0] == "account-locked"


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", "My identity verification got rejected, why?", "blurry"),
        ("zh", "我的身份认证被拒绝了，是什么原因", "模糊"),
    ],
)
async def test_a_rejected_kyc_gives_the_reason_and_the_fix(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, reason: str
) -> None:
    chat = await Chat.start(client, settings, d.WEI, lang)
    reply = await chat.say(text, "kyc_verification")
    assert reason in reply["text"]
    assert ("four corners" in reply["text"]) or ("四角" in reply["text"])
    assert slugs(reply) == ["kyc-verification", "kyc-rejected"]
    assert action_ids(reply)[0] == "resubmit_kyc"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "My API key keeps returning an invalid signature error"),
        ("zh", "我的API密钥一直报签名错误"),
    ],
)
async def test_an_api_problem_gets_the_checklist_without_asking_for_the_secret(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "api_key_issue")
    assert slugs(reply) == ["api-keys", "never-share-secrets"]
    assert ("whitelist" in reply["text"]) or ("白名单" in reply["text"])
    assert reply["handoff"]["state"] == "none"


@pytest.mark.parametrize(
    ("lang", "text", "verdict"),
    [
        ("en", "Is demoexchange-support.com really your website?", "NOT ours"),
        ("zh", "demoexchange.com 是你们的官网吗", "官方渠道"),
    ],
)
async def test_a_channel_is_checked_with_the_verifier(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, verdict: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "verify_official_channel")
    assert verdict in reply["text"]
    assert slugs(reply)[0] == "verify-official-channels"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I got a text saying my account is suspended with a link to demoexchange-verify.top, is this a scam? reporting it"),
        ("zh", "有人冒充客服发短信让我登录 demoexchange-verify.top 验证账户，我要举报"),
    ],
)  # fmt: skip
async def test_a_scam_report_checks_the_link_and_files_a_report(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    lang: str,
    text: str,
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "phishing_report")
    assert "demoexchange-verify.top" in reply["text"]
    assert slugs(reply) == ["report-scam", "never-share-secrets"]
    assert reply["handoff"]["state"] == "ticket_created"
    ticket = await ticket_row(sessionmaker, reply["handoff"]["ticket_number"])
    assert ticket.category == TicketCategory.ACCOUNT_SECURITY
    assert "demoexchange-verify.top" in ticket.description
