"""The pure parts: number wording, reason codes, references, expected-answer wording; and a
fee that its rate does not explain goes to a person instead of being explained away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.assistant.facts import distance, money, num, percent, reason_text
from lifeline.assistant.tickets_bridge import expected_response_text
from lifeline.assistant.understanding import references
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.exchange import demo_data as d
from lifeline.exchange.schemas import Order
from tests.assistant.chat import Chat

NOW = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)


def test_numbers_read_as_the_exchange_reported_them() -> None:
    assert num(Decimal("3412.50")) == "3412.50"
    assert num(Decimal("1E+3")) == "1000"
    assert money(Decimal("17000")) == "17,000"
    assert money(Decimal("48.550")) == "48.55"
    assert percent(distance(Decimal(52000), Decimal(97250))) == "46.5%"


@given(
    st.decimals(min_value=1, max_value=10**9, places=4),
    st.decimals(min_value=1, max_value=10**9, places=4),
)
def test_distance_is_symmetric_in_sign_and_never_negative(a: Decimal, b: Decimal) -> None:  # fmt: skip
    assert distance(a, b) >= 0
    assert distance(a, b) == distance(b + (b - a), b)


def test_reason_codes_have_explanations_and_unknown_ones_are_named() -> None:
    why, fix = reason_text("zh", "blurry_photo")
    assert "模糊" in why and "重新" in fix
    why, fix = reason_text("en", "exchange_specific_code")
    assert "exchange specific code" in why and fix


def test_references_are_normalised() -> None:
    found = references("withdrawal w50001, then W-50002; position p-70003")
    assert found == {"withdrawal_id": ["W-50001", "W-50002"], "position_id": ["P-70003"]}
    assert references("BTC-PERP and 0x52908400098527886E0F7030069857D2E4169EE7") == {}


@pytest.mark.parametrize(
    ("due_in", "lang", "expected"),
    [
        (timedelta(minutes=5), "en", "within 5 minutes"),
        (timedelta(hours=5), "zh", "5 小时内"),
        (timedelta(days=2), "en", "by 2026-11-23 21:00 UTC"),
    ],
)
def test_expected_answer_wording(due_in: timedelta, lang: str, expected: str) -> None:
    assert expected_response_text(lang, NOW + due_in, NOW) == expected
    assert expected_response_text(lang, None, NOW) is None


@pytest.mark.usefixtures("demo_data", "articles", "desk")
async def test_a_fee_the_rate_does_not_explain_goes_to_a_person(
    client: httpx.AsyncClient,
    settings: Settings,
    context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = context.exchange.list_orders

    async def orders_with_an_odd_fee(user_id: str, limit: int = 20) -> list[Order]:
        orders = await original(user_id, limit)
        return [
            o.model_copy(update={"fee": Decimal("60")}) if o.order_id == d.ORDER_FILLED_ID else o
            for o in orders
        ]

    monkeypatch.setattr(context.exchange, "list_orders", orders_with_an_odd_fee)
    chat = await Chat.start(client, settings, d.ALICE, "en")
    reply: dict[str, Any] = await chat.say(
        "How was the trading fee on my BTC sale calculated?", "trading_fees"
    )
    assert "60 USDT" in reply["text"] and "48.55" in reply["text"]
    assert reply["handoff"]["state"] in {"queued", "ticket_created"}
    assert reply["handoff"]["team"] == "trading"
