"""Orders, stop orders, futures, liquidations and fees end to end: each explained with its
own numbers from the exchange and the numbers derived from them."""

from __future__ import annotations

import httpx
import pytest

from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from tests.assistant.chat import Chat, action_ids, slugs

pytestmark = pytest.mark.usefixtures("demo_data", "articles", "desk")


@pytest.mark.parametrize(
    ("lang", "text", "below"),
    [
        ("en", f"My buy order {d.ORDER_LIMIT_FAR_ID} has been open since yesterday and never filled", "below"),
        ("zh", f"我的订单 {d.ORDER_LIMIT_FAR_ID} 挂了一天了还没成交", "低"),
    ],
)  # fmt: skip
async def test_an_open_limit_order_is_compared_with_the_market(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, below: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "order_not_filled")
    # (97250 - 52000) / 97250 = 46.5%
    assert "52000" in reply["text"] and "97250" in reply["text"] and "46.5%" in reply["text"]
    assert below in reply["text"]
    assert slugs(reply) == ["order-not-filled"]


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", f"Why was my order {d.ORDER_REJECTED_ID} rejected?", "not enough"),
        ("zh", f"订单号 {d.ORDER_REJECTED_ID} 下单失败被拒绝了，为什么", "可用余额不足"),
    ],
)
async def test_a_rejected_order_gives_the_reason_with_the_amount_needed(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, reason: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "order_not_filled")
    # 3400 x 5 = 17,000 USDT
    assert reason in reply["text"] and "17,000 USDT" in reply["text"]
    assert "3400 × 5" in reply["text"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "My stop-loss on SOL didn't trigger, why?"),
        ("zh", "我设置的SOL止损单为什么没有触发"),
    ],
)
async def test_a_stop_order_compares_trigger_limit_and_market(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "stop_order_not_triggered")
    # (182.40 - 180) / 182.40 = 1.3%
    for fact in ("180", "179", "182.40", "1.3%", d.ORDER_STOP_UNTRIGGERED_ID):
        assert fact in reply["text"], fact
    assert slugs(reply) == ["stop-orders"]


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", "I can't open my BTC perpetual long, it says margin is insufficient", "margin"),
        ("zh", "合约开仓失败，提示保证金不足，怎么回事", "保证金不足"),
    ],
)
async def test_a_rejected_futures_order_gives_its_size_and_reason(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, reason: str
) -> None:
    chat = await Chat.start(client, settings, d.MING, lang)
    reply = await chat.say(text, "futures_order_problem")
    # 97000 x 2 = 194,000 USDT of position value.
    assert d.ORDER_FUTURES_REJECTED_ID in reply["text"] and "194,000 USDT" in reply["text"]
    assert reason in reply["text"]
    assert slugs(reply) == ["futures-orders"]
    assert "show_positions" in action_ids(reply)


@pytest.mark.parametrize(
    ("user", "lang", "text", "facts"),
    [
        # (101000 - 96455) / 101000 = 4.5% at 20x.
        (d.ALICE, "en", "My BTC futures position got liquidated, how did that happen?",
         ["96455", "2525 USDT", "20x", "4.5%", "101000"]),
        # (3500 - 3447.50) / 3500 = 1.5% at 50x.
        (d.MING, "zh", "我的ETH合约仓位被强平了，为什么会爆仓", ["3447.50", "1400 USDT", "50 倍", "1.5%"]),
    ],
)  # fmt: skip
async def test_a_liquidation_is_explained_with_margin_and_prices(
    client: httpx.AsyncClient,
    settings: Settings,
    user: str,
    lang: str,
    text: str,
    facts: list[str],
) -> None:
    chat = await Chat.start(client, settings, user, lang)
    reply = await chat.say(text, "liquidation")
    for fact in facts:
        assert fact in reply["text"], (fact, reply["text"])
    assert slugs(reply) == ["liquidation"]
    assert "risk_tools" in action_ids(reply)


@pytest.mark.parametrize(
    ("lang", "text", "role"),
    [
        ("en", "How was the trading fee on my BTC sale calculated?", "taker"),
        ("zh", "我卖BTC的交易手续费是怎么算的", "Taker"),
    ],
)
async def test_a_fee_is_recomputed_from_price_quantity_and_rate(
    client: httpx.AsyncClient, settings: Settings, lang: str, text: str, role: str
) -> None:
    chat = await Chat.start(client, settings, d.ALICE, lang)
    reply = await chat.say(text, "trading_fees")
    assert "97100 × 0.5 × 0.001 = 48.55 USDT" in reply["text"]
    assert role in reply["text"] and "0.1%" in reply["text"]
    assert slugs(reply) == ["trading-fees"]
