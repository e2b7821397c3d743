"""Secret masking: every catalog kind is masked, and nothing that support needs is."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re

import base58
import bech32m
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from lifeline.security.bip39 import checksum_valid, is_valid_phrase
from lifeline.security.masking import (
    SECRET_KINDS,
    Finding,
    mask_secrets,
    mask_token,
    secret_warning,
)

# --- generators ---------------------------------------------------------------------------


def _phrase(language: str, strength: int, seed: int) -> list[str]:
    entropy = random.Random(seed).randbytes(strength // 8)
    return Mnemonic(language).to_mnemonic(entropy).split()


def _luhn_complete(prefix_and_body: str) -> str:
    """Append the check digit that makes the number Luhn-valid."""
    for check in "0123456789":
        candidate = prefix_and_body + check
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char)
            if position % 2:
                value = value * 2 - 9 if value > 4 else value * 2
            total += value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _base58check(version: bytes, payload: bytes) -> str:
    raw = version + payload
    checksum = hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    return base58.b58encode(raw + checksum).decode()


hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)
phrase_languages = st.sampled_from(["english", "chinese_simplified", "chinese_traditional"])
strengths = st.sampled_from([128, 160, 192, 224, 256])
filler = st.sampled_from(
    [
        "",
        "please check",
        "麻烦帮我查一下",
        "it has been 3 hours",
        "谢谢",
        "the deposit is still pending",
        "thanks!",
    ]
)

# --- each kind ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("the new password: Blue$ky2031 does not work", ["password"]),
        ("密码是 zxc!2468 登不上去", ["password"]),
        ("我的支付密码 135246，请帮我看看", ["password"]),
        ("passwd = 'Gr33nTea#'", ["password"]),
        ("verification code 274615", ["otp_code"]),
        ("Google code: 903 114", ["otp_code"]),
        ("短信验证码是 5531，输入后还是失败", ["otp_code"]),
        ("谷歌验证器上显示 660912", ["otp_code"]),
        ("the 2FA code I got by SMS was 40981276", ["otp_code"]),
        ("apiSecret: Qm9vN2xYc3RyaW5nMTIzNDU2Nzg5MEFCQ0RFRg", ["api_secret"]),
        ("API_SECRET=8f1c2d3e4b5a69788796a5b4c3d2e1f0 in my .env", ["api_secret"]),
        ("请帮我查下 私钥 " + "1f" * 32, ["private_key"]),
        ("here is my private key 0x" + "a3" * 32 + " please import it", ["private_key"]),
        ("visa 4111 1111 1111 1111 was charged", ["card_number"]),
        ("卡号：5500-0000-0000-0004", ["card_number"]),
    ],
)
def test_each_kind_is_masked(text: str, kinds: list[str]) -> None:
    result = mask_secrets(text)
    assert result.kinds == kinds
    for kind in kinds:
        assert mask_token(kind) in result.masked


@pytest.mark.parametrize(
    "text",
    [
        "my password is wrong",
        "I forgot my password, can you reset it?",
        "the password has to be 8-32 characters",
        "密码忘了怎么办",
        "资金密码输入错误被锁",
        "order 123456 is not filled",
        "订单号 483920 还在处理",
        "I waited 6 hours for the deposit",
        "my 2FA code is not working",
        "验证码一直收不到",
        "error code -1021, timestamp outside recvWindow",
        "my referral code is 884421",
        "memo 104938271 for the XRP deposit",
        "ticket 5521903 any update?",
        "withdrawal of 250000 USDT under review",
        "call me on +1 415 555 0142",
        "my API key stopped working, how do I make a new one?",
        "never share your seed phrase or private key",
        "请不要向任何人透露助记词",
        "the last 4 digits of my card are 4417",
        "I have 12 words written on paper, is that safe?",
    ],
)
def test_ordinary_messages_are_untouched(text: str) -> None:
    result = mask_secrets(text)
    assert result.masked == text
    assert result.kinds == []


def test_txid_stays_visible_but_the_same_hex_named_as_key_is_masked() -> None:
    value = "5e" * 32
    assert mask_secrets(f"TxID {value} not credited").masked.count(value) == 1
    assert mask_secrets(f"交易哈希 0x{value}").kinds == []
    assert mask_secrets(f"private key: {value}").kinds == ["private_key"]
    assert mask_secrets(f"私钥 0x{value}").kinds == ["private_key"]


def test_wif_and_extended_private_keys_are_masked_without_any_label() -> None:
    rng = random.Random(7)
    wif = _base58check(b"\x80", rng.randbytes(32) + b"\x01")
    assert wif[0] in "KL"
    assert mask_secrets(f"sweep {wif} please").kinds == ["private_key"]
    xprv = _base58check(b"\x04\x88\xad\xe4", rng.randbytes(74))
    assert xprv.startswith("xprv")
    assert mask_secrets(xprv).kinds == ["private_key"]
    # One changed character breaks the base58 checksum: not a key any more.
    broken = wif[:-1] + ("a" if wif[-1] != "a" else "b")
    assert mask_secrets(f"sweep {broken} please").kinds == []


def test_near_complete_phrase_offered_by_the_customer_is_masked() -> None:
    words = _phrase("english", 128, seed=11)
    eleven = " ".join(words[:11])
    assert mask_secrets(f"I lost the last word of my seed phrase: {eleven}").kinds == [
        "seed_phrase"
    ]
    # The same eleven words with nothing saying they are a phrase: not enough evidence.
    assert "seed_phrase" not in mask_secrets(eleven).kinds
    typo = [*words]
    typo[4] = typo[4][:-1] + ("x" if typo[4][-1] != "x" else "z")
    assert mask_secrets("my recovery words: " + " ".join(typo)).kinds == ["seed_phrase"]


def test_chinese_phrase_written_without_spaces() -> None:
    words = _phrase("chinese_simplified", 128, seed=5)
    result = mask_secrets("助记词" + "".join(words) + "帮我恢复钱包")
    assert result.kinds == ["seed_phrase"]
    assert "".join(words) not in result.masked
    assert result.masked.endswith("帮我恢复钱包")


def test_long_ordinary_chinese_is_not_taken_for_a_phrase() -> None:
    text = "请问我上周提交的充值问题工单处理得怎么样了，以太坊网络拥堵的时候提现手续费会变高吗"
    assert mask_secrets(text).kinds == []
    assert mask_secrets("我的助记词丢了，" + text).kinds == []


def test_findings_hold_kind_and_span_never_the_value() -> None:
    text = "pwd: Xk9#mQ2v then code 481516"
    result = mask_secrets(text)
    assert [f.name for f in dataclasses.fields(Finding)] == ["kind", "start", "end"]
    assert [(f.kind, text[f.start : f.end]) for f in result.findings] == [
        ("password", "Xk9#mQ2v"),
        ("otp_code", "481516"),
    ]
    assert "Xk9#mQ2v" not in repr(result.kinds)


def test_kinds_are_sorted_unique_catalog_names() -> None:
    result = mask_secrets("code 111222 and code 333444, password: Abc12345!")
    assert result.kinds == ["password", "otp_code"]
    assert set(result.kinds) <= set(SECRET_KINDS)


def test_checksum_and_phrase_helpers() -> None:
    words = _phrase("english", 256, seed=3)
    assert is_valid_phrase(words)
    assert not is_valid_phrase([*words[:-1], "abandon" if words[-1] != "abandon" else "zoo"])
    assert checksum_valid([0] * 11 + [3])  # "abandon" x11 + "about"
    assert not checksum_valid([0] * 12)


def test_warning_in_both_languages() -> None:
    assert secret_warning([], "en") is None
    english = secret_warning(["seed_phrase"], "en")
    chinese = secret_warning(["private_key", "password"], "zh-CN")
    assert english is not None and "new wallet" in english and "freeze" in english
    assert chinese is not None and "冻结" in chinese and "修改密码" in chinese
    otp_only = secret_warning(["otp_code"], "en")
    assert otp_only is not None and "freeze" not in otp_only


# --- properties ---------------------------------------------------------------------------

fragments = st.one_of(
    filler,
    st.text(max_size=40),
    st.sampled_from(
        [
            "password: Tr0ub4dor&3",
            "密码 qwe@123456",
            "2FA code 123456",
            "验证码 8899",
            "card 4111111111111111",
            "TxID 0x" + "ab" * 32,
            "order 8842210093",
            "secret key: Zx8Kq2LmN5pR7sT9vW1yB3cD",
            "‹password masked›",
        ]
    ),
    st.builds(
        lambda w: " ".join(w), st.builds(_phrase, phrase_languages, strengths, st.integers())
    ),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragments, max_size=5).map(" ".join))
def test_masking_is_idempotent(text: str) -> None:
    once = mask_secrets(text)
    twice = mask_secrets(once.masked)
    assert twice.masked == once.masked
    assert twice.findings == []


@settings(max_examples=150)
@given(
    hex64,
    st.sampled_from(["", "0x"]),
    st.sampled_from(["TxID", "txid:", "tx hash", "hash", "哈希", "交易ID", "交易哈希：", "tx"]),
    filler,
)
def test_transaction_ids_are_never_masked(value: str, prefix: str, label: str, tail: str) -> None:
    text = f"{label} {prefix}{value} {tail}"
    assert prefix + value in mask_secrets(text).masked


@settings(max_examples=150)
@given(st.binary(min_size=20, max_size=20), st.binary(min_size=32, max_size=32), filler)
def test_addresses_are_never_masked(payload20: bytes, payload32: bytes, tail: str) -> None:
    addresses = [
        "0x" + payload20.hex(),
        bech32m.encode("bc", 0, payload20),
        bech32m.encode("bc", 1, payload32),
        _base58check(b"\x00", payload20),
        _base58check(b"\x41", payload20),
    ]
    for address in addresses:
        for template in ("deposit address {} {}", "提币地址 {} {}", "withdraw to {} {}", "{} {}"):
            text = template.format(address, tail)
            assert address in mask_secrets(text).masked, text


@settings(max_examples=200)
@given(
    st.integers(min_value=10**5, max_value=10**19 - 1),
    st.sampled_from(["order", "order id", "订单号", "提现单号", "ticket", "UID", "参考号", "memo"]),
)
def test_order_and_reference_numbers_are_never_masked(number: int, label: str) -> None:
    text = f"{label} {number} still pending"
    assert str(number) in mask_secrets(text).masked


@settings(max_examples=200, deadline=None)
@given(
    phrase_languages,
    strengths,
    st.integers(),
    st.sampled_from(["space", "comma", "numbered", "newline", "capitalised", "compact"]),
    filler,
)
def test_generated_valid_phrases_are_always_masked(
    language: str, strength: int, seed: int, layout: str, tail: str
) -> None:
    words = _phrase(language, strength, seed)
    if layout == "comma":
        phrase = ", ".join(words)
    elif layout == "numbered":
        phrase = " ".join(f"{i}.{w}" for i, w in enumerate(words, start=1))
    elif layout == "newline":
        phrase = "\n".join(words)
    elif layout == "capitalised":
        phrase = " ".join(w.capitalize() for w in words)
    elif layout == "compact" and language != "english":
        phrase = "".join(words)
    else:
        phrase = " ".join(words)
    text = f"{phrase} {tail}"
    result = mask_secrets(text)
    assert result.kinds == ["seed_phrase"]
    if language == "english":
        visible = set(re.findall(r"[a-z]+", result.masked.lower()))
        assert not set(words) & visible - set(re.findall(r"[a-z]+", tail + " seed_phrase masked"))
    else:
        assert all(word not in result.masked for word in set(words) - set(tail))


_CARD_PREFIXES = ["4", "51", "55", "2221", "34", "37", "6011", "62", "35"]
_CARD_LENGTHS = {"34": 15, "37": 15}


@settings(max_examples=200)
@given(
    st.sampled_from(_CARD_PREFIXES),
    st.integers(min_value=0),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["card", "卡号", "my visa", "", "bank card no."]),
)
def test_luhn_valid_cards_are_masked_and_invalid_ones_are_not(
    prefix: str, body_seed: int, separator: str, label: str
) -> None:
    length = _CARD_LENGTHS.get(prefix, 16)
    rng = random.Random(body_seed)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    valid = _luhn_complete(body)
    invalid = valid[:-1] + str((int(valid[-1]) + 1) % 10)

    def spaced(number: str) -> str:
        return separator.join(number[i : i + 4] for i in range(0, len(number), 4))

    assert mask_secrets(f"{label} {spaced(valid)} declined").kinds == ["card_number"]
    assert mask_secrets(f"{label} {spaced(invalid)} declined").kinds == []
