"""Quantities in customer messages: Arabic and Chinese numerals, multipliers and units.

"两千五百U" is 2500 USDT, "1.2万" is 12000, "12k" is 12000, "3,000.25" is 3000.25 and
"0.5个 BTC" is 0.5 BTC. A number only counts as an amount when something says so: a coin or
currency next to it, a decimal point or thousands separator, a multiplier, a classifier (个)
or a cue word (金额, amount, sent, 转了, ...). Clock times, durations, counts of things and
dates are not amounts; ids and addresses are masked out before this module sees the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from lifeline.nlu.assets import Mention

_CN_DIGITS: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_SMALL_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS: Final = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS: Final = "零〇一二两三四五六七八九十百千万亿"
_SUFFIX_MULTIPLIERS: Final = {"k": 1_000, "w": 10_000, "m": 1_000_000}
_FIAT_WORDS: Final = {
    "美元": "USD", "美金": "USD", "刀": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "bucks": "USD", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "rmb": "CNY",
    "cny": "CNY", "欧元": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
}  # fmt: skip
_FIAT_SIGNS: Final = {"$": "USD", "US$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR"}
_EN_NUMBERS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
_EN_SCALES: Final = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
# "a" and "an" only ever precede another number word, which triggers on its own.
_EN_TRIGGERS: Final = frozenset((_EN_NUMBERS.keys() - {"a", "an"}) | _EN_SCALES.keys() | {"half"})
_SATOSHI: Final = Decimal("0.00000001")

_ARABIC: Final = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
# "1 000 USDT": space-grouped thousands, only trusted right before a unit or coin name.
_SPACED_THOUSANDS: Final = r"\d{1,3}(?: \d{3})+(?= ?[A-Za-z\u4e00-\u9fff])"
# Digits may follow a Chinese numeral ("1万5千") but never other digits ("3.2.1" is no number).
_MIXED_NUMERAL: Final = (
    rf"(?:{_ARABIC}|[{_CN_CHARS}])(?:[{_CN_CHARS}]| (?=[万亿])|(?<=[{_CN_CHARS}])(?:{_ARABIC}))*"
    r"(?:点[零〇一二两三四五六七八九]+)?"
)
_NUMBER_RE: Final = re.compile(
    r"(?<![A-Za-z0-9_.+#])(?<!\d[,:：/-])(?:US\$|[$¥￥€]\s?)?"
    rf"(?P<num>{_SPACED_THOUSANDS}|{_MIXED_NUMERAL}|半)"
    r"(?:\s?(?P<mult>[kKwWmM])(?![A-Za-z]))?"
)
_EN_WORD_NUMBER_RE: Final = re.compile(
    r"(?<![A-Za-z])(?P<num>(?:(?:"
    + "|".join([*_EN_NUMBERS, *_EN_SCALES, "and", "half"])
    + r")[\s-]+)+)",
    re.IGNORECASE,
)
_ASCII_WORD_RE: Final = re.compile(r"[A-Za-z]+")
_NEXT_WORD_RE: Final = re.compile(r"\s*([A-Za-z]+)")
# "8000多U", "两千来个USDT": approximation words and classifiers between number and coin.
_CLASSIFIER_RE: Final = re.compile(r"\s*(?:多|余|来)?\s*(?:个|枚|颗)?\s*")
_CLAUSE_END_CLASSIFIER_RE: Final = re.compile(r"\s*(?:个|枚|颗)(?=\s*(?:[^\w]|$))")
_USDT_LETTER_RE: Final = re.compile(r"\s?[Uu](?![A-Za-z0-9])")
_SATS_RE: Final = re.compile(r"\s*(?:sats?|satoshis?|聪)(?![A-Za-z])", re.IGNORECASE)
_FIAT_AFTER_RE: Final = re.compile(
    r"\s*(" + "|".join(sorted(_FIAT_WORDS, key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE,
)
# What follows a number that is a time, a count of things or part of a date or version.
_NOT_AN_AMOUNT_AFTER: Final = re.compile(
    r"\s*(?:[%％‰]|[:：]\d|\.\d|/\d|-\d|[年月日号点時时秒天周]|个?(?:小时|钟头|月|星期|礼拜)"
    r"|分钟?|笔|次|遍|单|条|位|张|岁|倍|楼|层|人|家|台|页|行|字|步|级|期|代|折"
    r"|(?:hours?|hrs?|h|minutes?|mins?|seconds?|secs?|s|days?|d|weeks?|wks?|months?|years?"
    r"|yrs?|am|pm|a\.m|p\.m|times?|x|transactions?|txs?|txns?|orders?|tickets?|confirmations?"
    r"|confs?|blocks?|attempts?|tries|people|users?|accounts?|addresses|st|nd|rd|th|fa|gb|mb"
    r"|kb|percent|pcs|digits?|characters?|chars?|words?|steps?|levels?)(?![A-Za-z]))",
    re.IGNORECASE,
)
_CUE_BEFORE_RE: Final = re.compile(
    r"(?:金额|数量|数额|总额|一共|共计|合计|总共|余额|还剩|剩下|剩|大约|约|转了|转账|充了"
    r"|充值了?|提了|提现了?|收到了?|扣了|扣除了?|亏了|损失了?|少了|付了|支付了?|买了|卖了"
    r"|\b(?:amount|total|sum|qty|quantity|balance|sent|send|transferred|withdrew|withdrawn"
    r"|deposited|received|lost|paid|charged|deducted|bought|sold)"
    r"(?:\s+(?:of|about|around|is|was))?)"
    r"\s*[:：]?\s*(?:了|为|是|约|大约)?\s*$",
    re.IGNORECASE,
)
_MAX_BARE_INTEGER_DIGITS: Final = 8  # longer bare numbers are ids and phone numbers
# Words that may follow "USDT 500" when the number is the quantity and not a name or version.
_CLAUSE_WORDS: Final = frozenset((
    "to", "from", "on", "via", "into", "in", "was", "were", "is", "has", "have", "had", "for",
    "and", "but", "already", "still", "not", "yet", "just", "got", "arrived", "missing",
))  # fmt: skip


@dataclass(frozen=True, slots=True)
class AmountMention:
    start: int
    end: int
    value: Decimal
    asset: str | None  # ticker, or ISO code for fiat (USD, CNY, EUR)
    asset_stated: bool  # the asset is written next to the number
    is_fiat: bool = False


def format_decimal(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 12000, 0.25, 3000.25."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parse_chinese(text: str) -> Decimal | None:
    """Chinese (or mixed) numerals: 两千五百, 1.2万, 1万5千, 一万二, 三点五."""
    integer_part, _, fraction = text.partition("点")
    total = Decimal(0)  # everything already scaled by 万 / 亿
    section = Decimal(0)  # the part below 万
    current: Decimal | None = None
    last_unit = 0
    zero_seen = False
    tokens = re.findall(rf"{_ARABIC}|[{_CN_CHARS}]", integer_part)
    if not any(t[0].isdigit() or t[0] == "." or t in _CN_DIGITS or t == "十" for t in tokens):
        return None  # a bare unit ("万") is no number
    for token in tokens:
        if token in _CN_DIGITS:
            zero_seen = zero_seen or _CN_DIGITS[token] == 0
            current = Decimal(_CN_DIGITS[token])
        elif token in _CN_SMALL_UNITS:
            section += (current if current is not None else Decimal(1)) * _CN_SMALL_UNITS[token]
            current, last_unit, zero_seen = None, _CN_SMALL_UNITS[token], False
        elif token in _CN_BIG_UNITS:
            unit = _CN_BIG_UNITS[token]
            value = section + (current or 0)
            total = (total + value) * unit if unit > 10_000 else total + value * unit
            section, current, last_unit, zero_seen = Decimal(0), None, unit, False
        else:
            current = Decimal(token.replace(",", ""))
    if current is not None and last_unit and not zero_seen and current < 10:
        current *= Decimal(last_unit) / 10  # 两千五 is 2500, 一万二 is 12000
    result = total + section + (current or 0)
    if fraction:
        digits = "".join(str(_CN_DIGITS[c]) for c in fraction)
        result += Decimal("0." + digits)
    return result


def parse_number(text: str) -> Decimal | None:
    """A number written with Arabic digits, Chinese numerals or a mix; None if not one."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if cleaned == "半":
        return Decimal("0.5")
    try:
        if re.fullmatch(_ARABIC, cleaned) or re.fullmatch(r"\d{1,3}(?: \d{3})+", cleaned):
            return Decimal(cleaned.replace(",", "").replace(" ", ""))
        return _parse_chinese(cleaned)
    except (InvalidOperation, KeyError):
        return None


def parse_english_number(text: str) -> Decimal | None:
    """'two hundred and fifty' -> 250; None unless every word is a number word."""
    total = current = 0
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w and w != "and"]
    if words in (["half"], ["half", "a"], ["half", "an"]):
        return Decimal("0.5")
    if not words or set(words) <= {"a", "an"}:
        return None  # "a BTC address" is no quantity
    for word in words:
        if word in _EN_NUMBERS:
            current += _EN_NUMBERS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALES:
            total += max(current, 1) * _EN_SCALES[word]
            current = 0
        else:
            return None
    return Decimal(total + current)


@dataclass(frozen=True, slots=True)
class _Unit:
    symbol: str
    end: int
    is_fiat: bool = False
    scale: Decimal = Decimal(1)


def _unit_after(text: str, position: int, coins_by_start: dict[int, Mention]) -> _Unit | None:
    """The coin or currency written right after ``position`` (after an optional 个)."""
    classifier = _CLASSIFIER_RE.match(text, position)
    after = classifier.end() if classifier else position
    start = after
    while start < len(text) and text[start].isspace():
        start += 1
    if start in coins_by_start and start - position <= 4:
        mention = coins_by_start[start]
        return _Unit(mention.value, mention.end)
    if (letter := _USDT_LETTER_RE.match(text, after)) is not None:
        return _Unit("USDT", letter.end())
    if (sats := _SATS_RE.match(text, after)) is not None:
        return _Unit("BTC", sats.end(), scale=_SATOSHI)
    if (fiat := _FIAT_AFTER_RE.match(text, after)) is not None:
        return _Unit(_FIAT_WORDS[fiat.group(1).lower()], fiat.end(), is_fiat=True)
    return None


def _coin_before(text: str, match: re.Match[str], coins_by_end: dict[int, Mention]) -> str | None:
    """A coin written just before the number: "USDT 500", "BTC: 0.5".

    Returns "" when the number is part of a name instead ("ETH 2.0 staking").
    """
    start = match.start()
    gap = re.search(r"[\s:：]*$", text[max(0, start - 4) : start])
    mention = coins_by_end.get(start - (len(gap.group()) if gap else 0))
    if mention is None:
        return None
    following = _NEXT_WORD_RE.match(text, match.end())
    if following is not None and following.group(1).lower() not in _CLAUSE_WORDS:
        return ""
    return mention.value


def _bare_number_is_amount(text: str, match: re.Match[str]) -> bool:
    number = match.group("num")
    if re.search(r"[., 万千亿]", number) or match.group("mult"):
        return True
    if any(c in _CN_CHARS for c in number) or number == "半":
        return False  # 三天, 一共, 两个订单: Chinese numerals need a coin next to them
    if len(number) > _MAX_BARE_INTEGER_DIGITS:
        return False
    if _CLAUSE_END_CLASSIFIER_RE.match(text, match.end()) is not None:
        return True  # "提了 8888 个，" names the coin elsewhere
    preceding = text[max(0, match.start() - 24) : match.start()]
    return _CUE_BEFORE_RE.search(preceding) is not None


def _numeric_amount(
    text: str,
    match: re.Match[str],
    coins_by_start: dict[int, Mention],
    coins_by_end: dict[int, Mention],
) -> AmountMention | None:
    value = parse_number(match.group("num"))
    if value is None:
        return None
    multiplier = (match.group("mult") or "").lower()
    unit = _unit_after(text, match.end(), coins_by_start)
    if unit is None and (
        multiplier in ("m", "w") or _NOT_AN_AMOUNT_AFTER.match(text, match.end()) is not None
    ):
        return None  # "30m", "3pm", "3 笔", "24h", "5%": not a quantity of money
    if multiplier:
        value *= _SUFFIX_MULTIPLIERS[multiplier]
    start, end = match.span()
    if unit is not None:
        return AmountMention(start, unit.end, value * unit.scale, unit.symbol, True, unit.is_fiat)
    sign = match.group()[: match.start("num") - start].strip()
    if sign in _FIAT_SIGNS:
        return AmountMention(start, end, value, _FIAT_SIGNS[sign], True, True)
    coin = _coin_before(text, match, coins_by_end) if match.group("num")[0].isdigit() else None
    if coin is not None:
        return AmountMention(start, end, value, coin, True) if coin else None
    if _bare_number_is_amount(text, match):
        return AmountMention(start, end, value, None, False)
    return None


def _spelled_amounts(text: str, coins_by_start: dict[int, Mention]) -> list[AmountMention]:
    """'two hundred USDT', 'half a BTC': only with the coin written right after."""
    amounts: list[AmountMention] = []
    taken_until = 0
    for word in _ASCII_WORD_RE.finditer(text):
        if word.start() < taken_until or word.group().lower() not in _EN_TRIGGERS:
            continue
        match = _EN_WORD_NUMBER_RE.match(text, word.start())
        if match is None:
            continue
        taken_until = match.end()
        unit = _unit_after(text, match.end("num") - 1, coins_by_start)
        value = parse_english_number(match.group("num"))
        if unit is not None and value:
            amounts.append(
                AmountMention(
                    match.start(), unit.end, value * unit.scale, unit.symbol, True, unit.is_fiat
                )
            )
    return amounts


def find_amounts(text: str, mentions: Sequence[Mention]) -> list[AmountMention]:
    """Amounts in ``text``; ``mentions`` are the coin and network mentions of the same text."""
    coins = [m for m in mentions if m.kind == "asset"]
    coins_by_start = {m.start: m for m in coins}
    coins_by_end = {m.end: m for m in coins}
    amounts = [
        amount
        for match in _NUMBER_RE.finditer(text)
        if (amount := _numeric_amount(text, match, coins_by_start, coins_by_end)) is not None
    ]
    amounts += _spelled_amounts(text, coins_by_start)
    amounts.sort(key=lambda a: a.start)
    return amounts
