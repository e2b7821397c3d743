"""Language detection: scripts first, statistics for the rest, English for the undecidable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.nlu.language import detect, detect_language, is_chinese


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("充值一直没到账", "zh"),
        ("提现审核要多久", "zh"),
        ("請問提現審核要多久", "zh-Hant"),
        ("帳戶被凍結了怎麼辦", "zh-Hant"),
        ("台湾", "zh"),  # a character both scripts share is not evidence of Traditional
        ("my withdrawal has been pending since yesterday", "en"),
        ("why is my account locked", "en"),
        ("hi", "en"),
        ("ok", "en"),
        ("thanks!", "en"),
        ("kyc?", "en"),
        ("2fa not working", "en"),
        ("lost my password", "en"),  # short English that trigram statistics call Italian
        ("withdraw went to the wrong chain", "en"),
        ("need to speak to a manager", "en"),
        ("saldo saya belum bertambah setelah transfer", "id"),
        ("mon retrait est bloqué depuis hier soir", "fr"),
        ("¿por qué mi retiro sigue pendiente?", "es"),
        ("meine Auszahlung ist seit gestern nicht angekommen", "de"),
        ("почему мой вывод до сих пор не пришел", "ru"),
        ("出金がまだ届いていません", "ja"),
        ("출금이 아직 안 됐어요", "ko"),
        ("123456789", "und"),
        ("", "und"),
    ],
)
def test_detects_the_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我的USDT提现pending了", "zh"),
        ("帮忙看下 withdrawal 的 status", "zh"),
        ("My withdrawal to my hardware wallet is stuck since this morning, 谢谢", "en"),
    ],
)
def test_mixed_chinese_and_english_reports_the_dominant_language(text: str, lang: str) -> None:
    result = detect(text)
    assert result.is_mixed
    assert result.lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "充值USDT没到账",  # coin tickers are not English
        "TxID 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060 充值没到",
        "地址 TSvhHZtS34JivWKwyg8hDgkMcj4tiGvmvm 不对",
        "打开 https://example.com/help 看不到",
    ],
)
def test_codes_links_and_tickers_do_not_make_chinese_mixed(text: str) -> None:
    result = detect(text)
    assert result.lang == "zh"
    assert not result.is_mixed


def test_an_address_alone_is_not_english_evidence() -> None:
    assert detect_language(
        "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
    ) == ("und")


def test_is_chinese_covers_both_scripts() -> None:
    assert is_chinese("zh")
    assert is_chinese("zh-Hant")
    assert not is_chinese("en")


@given(st.text(max_size=60))
def test_always_answers_with_a_language_code(text: str) -> None:
    result = detect(text)
    assert result.lang == "und" or result.lang == "zh-Hant" or len(result.lang) == 2
    assert isinstance(result.is_mixed, bool)
