"""Entity extraction from support messages: ids, coins, networks, amounts and times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.nlu.amounts import format_decimal, parse_english_number, parse_number
from lifeline.nlu.assets import asset_symbol, canonical_network, needs_memo, networks_for
from lifeline.nlu.entities import extract, extract_entities

KEYS = [
    "txid", "address", "invalid_address", "order_id", "ticket_ref", "email", "asset", "amount",
    "network", "datetime",
]  # fmt: skip
TRON_USDT_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
EIP55_EXAMPLE = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
MESSAGE_TIME = datetime(2025, 3, 12, 6, 45, tzinfo=UTC)  # a Wednesday


def _amounts(text: str) -> list[tuple[str, str | None]]:
    return [(a["value"], a["asset"]) for a in extract_entities(text).get("amount", [])]


# --- whole messages ----------------------------------------------------------------------


def test_chinese_deposit_report() -> None:
    txid = "7e" * 32
    text = f"昨晚充的三千二百U一直没到，走的波场，交易哈希 {txid}，订单号 66120934187"
    assert extract_entities(text) == {
        "txid": [txid],
        "order_id": ["66120934187"],
        "asset": ["USDT"],
        "amount": [{"value": "3200", "asset": "USDT"}],
        "network": ["TRC20"],
    }


def test_english_withdrawal_report() -> None:
    txid = "0x" + "ab12" * 16
    text = f"Withdrew 0.8 ether to {EIP55_EXAMPLE} over Arbitrum One, tx {txid}. Ticket #4410"
    assert extract_entities(text) == {
        "txid": [txid],
        "address": [EIP55_EXAMPLE],
        "ticket_ref": ["4410"],
        "asset": ["ETH"],
        "amount": [{"value": "0.8", "asset": "ETH"}],
        "network": ["Arbitrum"],
    }


def test_address_failing_its_checksum_is_an_invalid_address() -> None:
    flipped = EIP55_EXAMPLE[:2] + EIP55_EXAMPLE[2].upper() + EIP55_EXAMPLE[3:]  # 0xFB69...
    result = extract_entities(f"wallet rejects {flipped} and {TRON_USDT_CONTRACT[:-1]}T")
    assert result == {"invalid_address": [flipped, TRON_USDT_CONTRACT[:-1] + "T"]}


def test_rich_result_carries_families_and_checksums() -> None:
    entities = extract(
        f"从 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa 转到 {TRON_USDT_CONTRACT}，"
        f"哈希 {'0x' + 'cd' * 32} 和 {'9a' * 32}，金额 0.75"
    )
    assert [(a.family, a.kind, a.valid) for a in entities.addresses] == [
        ("bitcoin", "p2pkh", True),
        ("tron", "account", True),
    ]
    assert [t.family for t in entities.txids] == ["evm", "other"]
    assert [(a.value, a.asset, a.asset_stated) for a in entities.amounts] == [
        (Decimal("0.75"), None, False)
    ]


def test_only_non_empty_keys_in_catalog_order() -> None:
    result = extract_entities(f"email me at kim@example.net about 2 BTC sent to {EIP55_EXAMPLE}")
    assert list(result) == [k for k in KEYS if k in result]
    assert result["email"] == ["kim@example.net"]
    assert extract_entities("你好，请问客服几点上班") == {}


def test_traditional_chinese_and_full_width_characters() -> None:
    result = extract_entities("提幣１５０個泰達幣，用的波場網路，訂單號：８８７７６６５５４４")
    assert result == {
        "order_id": ["8877665544"],
        "asset": ["USDT"],
        "amount": [{"value": "150", "asset": "USDT"}],
        "network": ["TRC20"],
    }


def test_repeated_mentions_are_reported_once() -> None:
    result = extract_entities(
        "USDT USDT usdt, ticket 5501 and ticket 5501, a@example.com A@example.com"
    )
    assert result == {"ticket_ref": ["5501"], "email": ["a@example.com"], "asset": ["USDT"]}


# --- ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "orders", "tickets"),
    [
        ("订单编号：20250312000187 一直未成交", ["20250312000187"], []),
        ("my order id is 887766554433", ["887766554433"], []),
        ("orders 11223344556 and 99887766554 were cancelled", ["11223344556", "99887766554"], []),
        ("订单 55667788990、55667788991 都失败", ["55667788990", "55667788991"], []),
        ("please check #73910028451", ["73910028451"], []),
        ("工单号 7781 和 7790 是同一个问题", [], ["7781", "7790"]),
        ("re: case number 20931, still waiting", [], ["20931"]),
        ("案件 3345 还在处理吗", [], ["3345"]),
        ("ticket CS-88123 was closed", [], ["CS-88123"]),
        ("in that case 200 USDT is gone", [], []),
        ("call me on 13900001111 or +44 20 7946 0958", [], []),
    ],
)
def test_order_and_ticket_numbers(text: str, orders: list[str], tickets: list[str]) -> None:
    result = extract_entities(text)
    assert result.get("order_id", []) == orders
    assert result.get("ticket_ref", []) == tickets
    amount_values = {amount["value"] for amount in result.get("amount", [])}
    assert not amount_values & {*orders, *tickets}


def test_ids_and_txids_never_become_amounts() -> None:
    text = f"order 40028922551 hash {'12' * 32} address {TRON_USDT_CONTRACT}"
    assert "amount" not in extract_entities(text)


# --- coins and networks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("大饼", "BTC"), ("比特币", "BTC"), ("bitcoin", "BTC"), ("姨太", "ETH"), ("以太坊", "ETH"),
        ("ether", "ETH"), ("泰达币", "USDT"), ("tether", "USDT"), ("狗狗币", "DOGE"),
        ("莱特币", "LTC"), ("瑞波币", "XRP"), ("Stellar", "XLM"), ("LINK", "LINK"),
    ],
)  # fmt: skip
def test_coin_names_and_slang(name: str, symbol: str) -> None:
    assert asset_symbol(name) == symbol
    assert extract_entities(f"关于{name}的问题")["asset"] == [symbol]


def test_tickers_that_are_english_words_need_capitals() -> None:
    assert extract_entities("click the link and dot the i") == {}
    assert extract_entities("LINK and DOT withdrawals")["asset"] == ["LINK", "DOT"]


def test_trading_pairs_name_both_coins() -> None:
    assert extract_entities("SOLUSDT 和 ETH/BTC 的手续费")["asset"] == ["SOL", "USDT", "ETH", "BTC"]


@pytest.mark.parametrize(
    ("phrase", "network"),
    [
        ("波场", "TRC20"), ("trc-20", "TRC20"), ("TRON network", "TRC20"), ("via tron", "TRC20"),
        ("BSC", "BEP20"), ("币安智能链", "BEP20"), ("BNB Smart Chain", "BEP20"),
        ("以太坊网络", "ERC20"), ("eth mainnet", "ERC20"), ("ERC20", "ERC20"),
        ("Arbitrum One", "Arbitrum"), ("OP mainnet", "Optimism"), ("Polygon", "Polygon"),
        ("Solana链", "Solana"), ("Lightning Network", "Lightning"), ("BEP2", "BEP2"),
    ],
)  # fmt: skip
def test_network_aliases(phrase: str, network: str) -> None:
    assert canonical_network(phrase) == network
    assert extract_entities(f"用 {phrase} 转的")["network"] == [network]


def test_ethereum_alone_is_the_coin_not_the_network() -> None:
    assert extract_entities("以太坊提现多久到账") == {"asset": ["ETH"]}
    assert extract_entities("以太坊网络拥堵吗") == {"network": ["ERC20"]}


def test_networks_and_memo_rules() -> None:
    assert "TRC20" in networks_for("usdt")
    assert needs_memo("XRP") and needs_memo("TON") and needs_memo("ATOM")
    assert not needs_memo("BTC")
    assert needs_memo("BNB", "BEP2") and not needs_memo("BNB", "BEP20")


# --- amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到账少了四千五百U", [("4500", "USDT")]),
        ("亏了2.6万U", [("26000", "USDT")]),
        ("lost 45k USDT on the short", [("45000", "USDT")]),
        ("买了0.4个比特币", [("0.4", "BTC")]),
        ("sent 7,250.5 usdc", [("7250.5", "USDC")]),
        ("提了 1 000 USDT", [("1000", "USDT")]),
        ("卖了半个大饼", [("0.5", "BTC")]),
        ("two hundred and fifty XRP", [("250", "XRP")]),
        ("充了 30 USDT 和 0.02 ETH", [("30", "USDT"), ("0.02", "ETH")]),
        ("USDT 640 to my wallet", [("640", "USDT")]),
        ("fee was $12.50", [("12.5", "USD")]),
        ("paid 300 元 for it", [("300", "CNY")]),
        ("50000 sats via lightning", [("0.0005", "BTC")]),
        ("1.5M USDT withdrawal limit?", [("1500000", "USDT")]),
    ],
)
def test_amounts_with_their_coin(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert _amounts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("提了 6666 个狗狗币，少到了一些，数量 6600", [("6666", "DOGE"), ("6600", "DOGE")]),
        ("SOL 提现, 数量 12.5", [("12.5", "SOL")]),
        ("余额显示 1,024.75", [("1024.75", None)]),
        ("BTC 和 ETH 一共 0.9", [("0.9", None)]),
    ],
)
def test_bare_numbers_take_the_only_coin_of_the_message(
    text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _amounts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "等了3个小时了",
        "充了 2 笔都没到",
        "sent at 9:15, waited 40 min, still 0 confirmations",
        "enable 2FA on the P2P page",
        "ERC20 or TRC20?",
        "手续费是 5% 吗",
        "打我电话 13700001111",
        "ETH 2.0 staking",
        "10x leverage",
        "app version 3.2.1",
        "on 2025-01-15 or 1/15",
        "三天了还没处理",
    ],
)
def test_numbers_that_are_not_amounts(text: str) -> None:
    assert "amount" not in extract_entities(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两千五百", "2500"), ("1.2万", "12000"), ("一万二", "12000"), ("两千五", "2500"),
        ("1万5千", "15000"), ("两千零五", "2005"), ("十五", "15"), ("三点五", "3.5"),
        ("一亿两千万", "120000000"), ("3,000.25", "3000.25"), ("半", "0.5"), ("0.50", "0.5"),
    ],
)  # fmt: skip
def test_parse_number(text: str, value: str) -> None:
    parsed = parse_number(text)
    assert parsed is not None
    assert format_decimal(parsed) == value


def test_parse_english_number() -> None:
    assert parse_english_number("three thousand five hundred") == Decimal(3500)
    assert parse_english_number("a BTC") is None
    assert parse_english_number("a") is None


_CN = "零一二三四五六七八九"


def _chinese_numeral(number: int) -> str:
    """Standard written form (一万零五百, 三千零二十) to check the parser against."""

    def below_10000(n: int) -> str:
        out, pending_zero = "", False
        for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            digit = n // size % 10
            if digit:
                out += ("零" if pending_zero and out else "") + _CN[digit] + unit
                pending_zero = False
            else:
                pending_zero = True
        return out

    if number < 10000:
        return below_10000(number)
    high, low = divmod(number, 10000)
    return (
        below_10000(high) + "万" + (("零" if low < 1000 else "") + below_10000(low) if low else "")
    )


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numerals_round_trip(number: int) -> None:
    assert parse_number(_chinese_numeral(number)) == number


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False))
def test_grouped_numbers_round_trip(value: Decimal) -> None:
    assert parse_number(f"{value:,}") == value
    assert Decimal(format_decimal(value)) == value
    assert "e" not in format_decimal(value).lower()


# --- dates and times ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昨天下午4点半充的", "2025-03-11T16:30:00Z"),
        ("前天晚上9点", "2025-03-10T21:00:00Z"),
        ("3小时前提的", "2025-03-12T03:45:00Z"),
        ("two days ago", "2025-03-10T06:45:00Z"),
        ("yesterday at 11am", "2025-03-11T11:00:00Z"),
        ("at 5:20 UTC", "2025-03-12T05:20:00Z"),
        ("at 10pm", "2025-03-11T22:00:00Z"),  # later than the message time: the day before
        ("Feb 28 13:05 UTC", "2025-02-28T13:05:00Z"),
        ("2024年11月3日 08:00", "2024-11-03T08:00:00Z"),
        ("上周五", "2025-03-07T00:00:00Z"),
        ("北京时间 14:00", "2025-03-12T06:00:00Z"),
        ("9:30 UTC+8", "2025-03-12T01:30:00Z"),
    ],
)
def test_datetimes_resolve_against_the_message_time(text: str, expected: str) -> None:
    assert extract_entities(text, MESSAGE_TIME)["datetime"] == [expected]


def test_no_datetimes_without_a_message_time() -> None:
    assert extract_entities("yesterday at 3pm I sent 1 BTC") == {
        "asset": ["BTC"],
        "amount": [{"value": "1", "asset": "BTC"}],
    }


def test_local_zone_applies_to_clock_times_without_one() -> None:
    shanghai = timezone(timedelta(hours=8))
    entities = extract("今天上午10点", MESSAGE_TIME, local_tz=shanghai)
    assert [d.value for d in entities.datetimes] == [datetime(2025, 3, 12, 2, 0, tzinfo=UTC)]
    assert entities.datetimes[0].granularity == "minute"


def test_clock_times_are_read_in_the_message_times_own_zone() -> None:
    sent_in_shanghai = datetime(2026, 11, 22, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert extract_entities("昨天下午3点充的", sent_in_shanghai)["datetime"] == [
        "2026-11-21T07:00:00Z"
    ]
    # A zone named in the text still wins.
    assert extract_entities("sent at 01:40 UTC", sent_in_shanghai)["datetime"] == [
        "2026-11-22T01:40:00Z"
    ]


def test_words_that_only_look_like_times() -> None:
    assert "datetime" not in extract_entities("good morning, I have 三点 questions", MESSAGE_TIME)


def test_naive_message_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract("yesterday", datetime(2025, 3, 12, 6, 45))  # noqa: DTZ001


# --- robustness --------------------------------------------------------------------------


@given(st.text(max_size=200))
def test_any_text_gives_json_ready_known_keys(text: str) -> None:
    result = extract_entities(text, MESSAGE_TIME)
    assert set(result) <= set(KEYS)
    assert all(result.values())
    json.dumps(result)
    for amount in result.get("amount", []):
        Decimal(amount["value"])
