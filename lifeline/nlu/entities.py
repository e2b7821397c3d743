"""Entity extraction for support messages in Chinese, English or a mix of both.

Order of work matters: e-mails, then addresses and txids (validated, see ``addresses``), then
coin and network names, then order and ticket numbers are taken out of the text before
amounts are read, so a txid's digits or an order number never become an amount. Dates and
times are resolved only against a known message time (``now``); without one, relative
expressions such as "yesterday at 3pm" cannot be placed and are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from lifeline.nlu.addresses import AddressMatch, TxidMatch, scan
from lifeline.nlu.amounts import AmountMention, find_amounts, format_decimal, parse_number
from lifeline.nlu.assets import find_mentions

__all__ = ["Amount", "Entities", "TimeMention", "extract", "extract_entities", "find_datetimes"]

_EMAIL_RE: Final = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_ID_FILLER: Final = r"\s*(?:(?:is|was|id|no\.?|是|为|:|#|=|号码?|编号)\s*)*"
_ID_JOINER: Final = r"\s*(?:和|与|及|以及|还有|或|、|,|/|&|and|or)\s*(?:#\s*)?"
_ORDER_RE: Final = re.compile(
    r"(?:订单编号|订单号码|订单号|订单|单号"
    r"|\border(?:s|\s+(?:id|number|no\.?|ref)|\s+ids|\s+numbers)?)"
    rf"{_ID_FILLER}(?P<id>\d{{8,20}})(?!\d)",
    re.IGNORECASE,
)
_HASH_ORDER_RE: Final = re.compile(r"(?<![\w&])#\s?(?P<id>\d{8,20})(?!\d)")
_TICKET_RE: Final = re.compile(
    r"(?:工单编号|工单号|工单|案件编号|案件号|案件|案例编号|申诉编号|服务单号"
    r"|\b(?:ticket|case)s?(?:\s+(?:ref(?:erence)?|number|no\.?|id))?"
    r"|\bref(?:erence)?(?:\s+(?:number|no\.?))?)"
    rf"{_ID_FILLER}(?P<id>(?-i:[A-Z]{{1,4}}-?)?\d{{3,20}})(?!\d)",
    re.IGNORECASE,
)
_MORE_ORDER_IDS: Final = re.compile(rf"{_ID_JOINER}(?:订单号?\s*)?(?P<id>\d{{8,20}})(?!\d)")
_MORE_TICKET_IDS: Final = re.compile(
    rf"{_ID_JOINER}(?:(?:工单号?|ticket|case)\s*#?\s*)?(?P<id>\d{{3,20}})(?!\d)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    asset: str | None  # ticker, ISO code for fiat, or None when the message does not say
    asset_stated: bool  # False when the asset was inferred from the only coin in the message
    is_fiat: bool = False

    def to_json(self) -> dict[str, str | None]:
        return {"value": format_decimal(self.value), "asset": self.asset}


@dataclass(frozen=True, slots=True)
class TimeMention:
    text: str
    value: datetime  # aware, UTC
    granularity: str  # minute, hour, part_of_day, day, week


@dataclass(frozen=True, slots=True)
class Entities:
    txids: tuple[TxidMatch, ...] = ()
    addresses: tuple[AddressMatch, ...] = ()  # valid and invalid; see ``AddressMatch.valid``
    order_ids: tuple[str, ...] = ()
    ticket_refs: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    amounts: tuple[Amount, ...] = ()
    networks: tuple[str, ...] = ()
    datetimes: tuple[TimeMention, ...] = ()

    @property
    def valid_addresses(self) -> tuple[AddressMatch, ...]:
        return tuple(a for a in self.addresses if a.valid)

    @property
    def invalid_addresses(self) -> tuple[AddressMatch, ...]:
        return tuple(a for a in self.addresses if not a.valid)

    def to_dict(self) -> dict[str, list[Any]]:
        """The JSON-ready form: only non-empty keys, datetimes as ISO 8601 UTC strings."""
        data: dict[str, list[Any]] = {
            "txid": [t.text for t in self.txids],
            "address": [a.text for a in self.valid_addresses],
            "invalid_address": [a.text for a in self.invalid_addresses],
            "order_id": list(self.order_ids),
            "ticket_ref": list(self.ticket_refs),
            "email": list(self.emails),
            "asset": list(self.assets),
            "amount": [a.to_json() for a in self.amounts],
            "network": list(self.networks),
            "datetime": [d.value.strftime("%Y-%m-%dT%H:%M:%SZ") for d in self.datetimes],
        }
        return {key: values for key, values in data.items() if values}


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> dict[int, str]:
    """Character table from OpenCC's data: str.translate is ~100x faster than a converter."""
    table: dict[int, str] = {}
    source = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    for line in source.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        target = simplified.split(" ")[0]
        if len(traditional) == 1 and len(target) == 1:
            table[ord(traditional)] = target
    return table


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII) and Simplified Chinese, case kept.

    The full-width comma separates list items in Chinese, so it must not become a thousands
    separator: "100，200" is two numbers.
    """
    folded = unicodedata.normalize("NFKC", text.replace("\uff0c", ", "))
    return folded.translate(_traditional_to_simplified())


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _unique(values: list[str], key: Callable[[str], str] = str) -> tuple[str, ...]:
    seen: set[str] = set()
    result = []
    for value in values:
        marker = key(value)
        if marker not in seen:
            seen.add(marker)
            result.append(value)
    return tuple(result)


def _find_ids(
    text: str, pattern: re.Pattern[str], more: re.Pattern[str], coin_starts: set[int]
) -> tuple[list[str], list[tuple[int, int]]]:
    """Ids named by a cue word, plus any listed after it ("订单 A 和 B", "orders A and B")."""
    ids: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        current: re.Match[str] | None = match
        while current is not None:
            after = current.end("id")
            # "case 500 USDT" is money, not a case number.
            if not any(after <= s <= after + 2 for s in coin_starts):
                ids.append(current.group("id"))
                spans.append(current.span("id"))
            current = more.match(text, after)
    return ids, spans


# --- dates and times ---------------------------------------------------------------------
# dateparser misses the commonest Chinese forms ("昨天下午3点", "12月1日", "两小时前") and
# costs about a millisecond per call, so the shapes customers use are parsed here: parts
# (relative offset, date, day word, weekday, part of day, clock time, zone) are matched
# separately and adjacent parts are read together ("yesterday at 3pm UTC").

_MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_CN_SMALL_NUMBER: Final = r"[零一二两三四五六七八九十]{1,3}"
_TIME_RE: Final = re.compile(
    r"(?P<rel>(?P<rel_n>\d+(?:\.\d+)?|[一二两三四五六七八九十半]+|half\s+an?|an?|one|two|three"
    r"|four|five|six|seven|eight|nine|ten|twelve|(?:a\s+)?few|several|(?:a\s+)?couple\s+of)"
    r"\s*个?\s*(?P<rel_u>分钟|小时|钟头|天|周|星期|月|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s*(?:之前|以前|前|ago))"
    r"|(?P<date>(?P<y1>\d{4})\s*[-/.年]\s*(?P<m1>\d{1,2})\s*[-/.月]\s*(?P<d1>\d{1,2})\s*[日号]?"
    r"|(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]"
    rf"|(?P<mon3>{_MONTH})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<y3>\d{{4}}))?"
    rf"|(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon4>{_MONTH})(?:,?\s+(?P<y4>\d{{4}}))?)"
    r"|(?P<dayp>昨晚|昨夜|今晚|今早|今晨|tonight|last\s+night"
    r"|this\s+(?:morning|afternoon|evening))"
    r"|(?P<day>大前天|前天|昨天|昨日|今天|今日|明天|the\s+day\s+before\s+yesterday|yesterday|today"
    r"|tomorrow)"
    r"|(?P<week>(?P<wk_prev>上个?|last\s+)?(?:(?:周|星期|礼拜)(?P<wk_zh>[一二三四五六日天])"
    r"|(?P<wk_en>monday|tuesday|wednesday|thursday|friday|saturday|sunday)))"
    r"|(?P<per>凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|半夜|深夜"
    r"|(?P<per_en>(?:in\s+the\s+)?(?:morning|afternoon|evening)|(?:at\s+)?(?:noon|midnight)))"
    rf"|(?P<clock>(?P<zh_h>\d{{1,2}}|{_CN_SMALL_NUMBER})\s*[点时](?:\s*(?P<zh_m>\d{{1,2}}"
    rf"|{_CN_SMALL_NUMBER})\s*分?|(?P<zh_half>半)|(?P<zh_q>[一三])刻)?"
    r"|(?:at\s+|@\s*)?(?P<en_h>\d{1,2})(?::(?P<en_m>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?(?![a-z])"
    r"|(?:at\s+)?(?P<hh>\d{1,2})[:：](?P<mm>\d{2})(?::\d{2})?(?!\d))"
    r"|(?P<tz>(?:utc|gmt)(?:\s*(?P<tz_sign>[+-])\s*(?P<tz_h>\d{1,2})(?::?(?P<tz_m>\d{2}))?)?"
    r"|北京时间|beijing\s+time|hkt|sgt)(?![a-z])",
    re.IGNORECASE,
)
# Where a part can start; _TIME_RE is only tried there (it is slow to try everywhere).
_TIME_TRIGGER_RE: Final = re.compile(
    r"(?<![0-9])\d|@|[A-Za-z]+|[一二两三四五六七八九十半零大前昨今明上周星礼凌早清中下傍晚夜深北]"
)
_TIME_TRIGGER_WORDS: Final = frozenset((
    "half", "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "twelve", "few", "several", "couple", "tonight", "last", "this", "the", "yesterday",
    "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "in", "morning", "afternoon", "evening", "at", "noon", "midnight", "utc", "gmt",
    "beijing", "hkt", "sgt", "jan", "january", "feb", "february", "mar", "march", "apr", "april",
    "may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct",
    "october", "nov", "november", "dec", "december",
))  # fmt: skip
_TIME_GAP_RE: Final = re.compile(r"[\s,]*(?:at|on|around|about|的|在|于|约|大约)?[\s,]*")
_DAY_OFFSETS: Final = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1,
    "the day before yesterday": -2, "yesterday": -1, "today": 0, "tomorrow": 1,
}  # fmt: skip
_DAY_PERIODS: Final = {
    "昨晚": (-1, "evening"), "昨夜": (-1, "night"), "今晚": (0, "evening"),
    "今早": (0, "morning"), "今晨": (0, "morning"), "tonight": (0, "evening"),
    "last night": (-1, "night"), "this morning": (0, "morning"),
    "this afternoon": (0, "afternoon"), "this evening": (0, "evening"),
}  # fmt: skip
_PERIODS: Final = {
    "凌晨": "early", "早上": "morning", "早晨": "morning", "清晨": "morning", "上午": "morning",
    "中午": "noon", "下午": "afternoon", "傍晚": "dusk", "晚上": "evening", "夜里": "night",
    "半夜": "night", "深夜": "night", "morning": "morning", "afternoon": "afternoon",
    "evening": "evening", "noon": "noon", "midnight": "midnight",
}  # fmt: skip
_PERIOD_HOURS: Final = {
    "early": 3, "morning": 9, "noon": 12, "afternoon": 15, "dusk": 18, "evening": 20,
    "night": 23, "midnight": 0,
}  # fmt: skip
_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_WEEKDAYS: Final = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_FIXED_ZONES: Final = {"北京时间": 8, "beijing time": 8, "hkt": 8, "sgt": 8}
_REL_WORDS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "few": 3, "a few": 3,
    "several": 3, "couple of": 2, "a couple of": 2,
}  # fmt: skip
_REL_UNITS: Final = (  # unit prefix -> (timedelta keyword, multiplier, granularity)
    (("min", "分"), "minutes", 1, "minute"),
    (("h", "小", "钟"), "hours", 1, "hour"),
    (("d", "天"), "days", 1, "day"),
    (("月",), "days", 30, "day"),
    (("w", "周", "星"), "weeks", 1, "week"),
)
_PM_PERIODS: Final = frozenset({"afternoon", "dusk", "evening", "night"})

_Parts = dict[str, re.Match[str]]


def _key(match: re.Match[str]) -> str:
    return " ".join(match.group().lower().split())


def _relative(match: re.Match[str], now: datetime) -> TimeMention | None:
    count_text = " ".join(match["rel_n"].lower().split())
    if count_text.startswith("half"):
        count: Decimal | None = Decimal("0.5")
    elif count_text in _REL_WORDS:
        count = Decimal(_REL_WORDS[count_text])
    else:
        count = parse_number(count_text)
    unit = match["rel_u"].lower()
    for prefixes, keyword, multiplier, granularity in _REL_UNITS:
        if count is not None and unit.startswith(prefixes):
            delta = timedelta(**{keyword: float(count) * multiplier})
            return TimeMention(match.group(), (now - delta).astimezone(UTC), granularity)
    return None


def _zone(match: re.Match[str], default: tzinfo) -> tzinfo:
    name = " ".join(match["tz"].lower().split())
    if name in _FIXED_ZONES:
        return timezone(timedelta(hours=_FIXED_ZONES[name]))
    if match["tz_h"]:
        offset = timedelta(hours=int(match["tz_h"]), minutes=int(match["tz_m"] or 0))
        return timezone(-offset if match["tz_sign"] == "-" else offset)
    return UTC if name in ("utc", "gmt") else default


def _clock(match: re.Match[str], period: str | None) -> tuple[int, int] | None:
    """(hour, minute) on a 24-hour clock, using the part of day for 下午3点 / 3 in the evening."""
    if match["zh_h"]:
        hour_value = parse_number(match["zh_h"])
        minute_value = parse_number(match["zh_m"]) if match["zh_m"] else Decimal(0)
        if hour_value is None or minute_value is None:
            return None
        hour, minute = int(hour_value), int(minute_value)
        if match["zh_half"]:
            minute = 30
        elif match["zh_q"]:
            minute = 15 if match["zh_q"] == "一" else 45
    elif match["en_h"]:
        hour, minute = int(match["en_h"]), int(match["en_m"] or 0)
        if hour > 12:
            return None
        return (hour % 12 + (12 if match["ampm"].lower() == "p" else 0), minute)
    else:
        hour, minute = int(match["hh"]), int(match["mm"])
    if (period in _PM_PERIODS and hour < 12) or (period == "noon" and hour < 6):
        hour += 12
    elif period == "early" and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else None


def _base_date(parts: _Parts, today: date) -> tuple[date, str | None] | None:
    """The calendar day the parts name (or ``today``) and a part of day implied by it."""
    if (found := parts.get("date")) is not None:
        year = found["y1"] or found["y3"] or found["y4"]
        month_name = (found["mon3"] or found["mon4"] or "")[:3].lower()
        month = int(found["m1"] or found["m2"] or 0) or _MONTHS.get(month_name, 0)
        day_number = int(found["d1"] or found["d2"] or found["d3"] or found["d4"])
        try:
            day = date(int(year or today.year), month, day_number)
        except ValueError:
            return None
        if not year and day > today:
            day = day.replace(year=day.year - 1)  # "12月1日" said in June is last December
        return day, None
    if (found := parts.get("day")) is not None:
        return today + timedelta(days=_DAY_OFFSETS[_key(found)]), None
    if (found := parts.get("dayp")) is not None:
        offset, period = _DAY_PERIODS[_key(found)]
        return today + timedelta(days=offset), period
    if (found := parts.get("week")) is not None:
        target = _WEEKDAYS[(found["wk_zh"] or found["wk_en"]).lower()]
        back = (today.weekday() - target) % 7
        if found["wk_prev"] and found["wk_prev"].startswith("上"):
            back = today.weekday() + 7 - target  # 上周五: Friday of the previous week
        elif found["wk_prev"] and back == 0:
            back = 7
        return today - timedelta(days=back), None
    return today, None


def _resolve(parts: _Parts, now: datetime, local_tz: tzinfo) -> datetime | None:
    """The instant a group of adjacent date/time parts names, or None if it names none."""
    zone = _zone(parts["tz"], local_tz) if "tz" in parts else local_tz
    local_now = now.astimezone(zone)
    based = _base_date(parts, local_now.date())
    if based is None:
        return None
    day, period = based
    if (period_match := parts.get("per")) is not None:
        period = _PERIODS.get(_key(period_match).split()[-1], period)
    if "clock" in parts:
        hour_minute = _clock(parts["clock"], period)
        if hour_minute is None:
            return None
    else:
        hour_minute = (_PERIOD_HOURS[period], 0) if period else (0, 0)
    value = datetime(day.year, day.month, day.day, *hour_minute, tzinfo=zone)
    undated = not parts.keys() & {"date", "day", "dayp", "week"}
    if undated and value > local_now + timedelta(minutes=5):
        value -= timedelta(days=1)  # "3pm" said at 10am is yesterday's 3pm
    if "clock" not in parts and day == local_now.date() and value > local_now:
        value = local_now.replace(second=0, microsecond=0)  # "this morning" said at 08:30
    return value.astimezone(UTC)


def _granularity(parts: _Parts) -> str:
    if "clock" in parts:
        return "minute"
    return "part_of_day" if "per" in parts or "dayp" in parts else "day"


def _is_weak(parts: _Parts) -> bool:
    """A bare "UTC", "good morning" or "三点" (three points) names no time on its own."""
    kinds = set(parts) - {"tz"}
    if not kinds:
        return True
    if kinds == {"per"}:
        return parts["per"]["per_en"] is not None
    if kinds == {"clock"}:
        clock = parts["clock"]
        spelled_hour = clock["zh_h"] is not None and not clock["zh_h"].isdigit()
        return spelled_hour and not (clock["zh_m"] or clock["zh_half"] or clock["zh_q"])
    return False


def _time_parts(text: str) -> list[tuple[int, int, _Parts]]:
    """Parts found in ``text``, adjacent ones grouped: (start, end, {kind: match})."""
    groups: list[tuple[int, int, _Parts]] = []
    taken_until = 0
    for trigger in _TIME_TRIGGER_RE.finditer(text):
        word = trigger.group()
        if trigger.start() < taken_until or (
            word.isascii() and word.isalpha() and word.lower() not in _TIME_TRIGGER_WORDS
        ):
            continue
        match = _TIME_RE.match(text, trigger.start())
        if match is None or not match.lastgroup:
            continue
        taken_until = match.end()
        kind = match.lastgroup  # the outermost group closes last: rel, date, day, ...
        if groups:
            start, end, parts = groups[-1]
            gap = text[end : match.start()]
            if kind not in parts and "rel" not in parts and _TIME_GAP_RE.fullmatch(gap):
                parts[kind] = match
                groups[-1] = (start, match.end(), parts)
                continue
        groups.append((match.start(), match.end(), {kind: match}))
    return groups


def find_datetimes(text: str, now: datetime, local_tz: tzinfo | None = None) -> list[TimeMention]:
    """Date and time expressions resolved to aware UTC datetimes (``now`` must be aware).

    Clock times without a zone are read in ``local_tz``, by default the zone of ``now``: a
    message sent at 10:00+08:00 saying "yesterday at 3pm" means 15:00 at +08:00.
    """
    if now.tzinfo is None:
        raise ValueError("the message time must be timezone-aware")
    local_tz = local_tz or now.tzinfo
    mentions: list[TimeMention] = []
    for start, end, parts in _time_parts(text):
        if "rel" in parts:
            relative = _relative(parts["rel"], now)
            if relative is not None:
                mentions.append(relative)
        elif not _is_weak(parts) and (value := _resolve(parts, now, local_tz)) is not None:
            mentions.append(TimeMention(text[start:end], value, _granularity(parts)))
    return mentions


def _amounts(found: list[AmountMention], assets: tuple[str, ...]) -> tuple[Amount, ...]:
    """Amounts, each once; a bare number takes the coin when the message names only one."""
    only_coin = assets[0] if len(assets) == 1 else None
    amounts: dict[tuple[Decimal, str | None], Amount] = {}
    for mention in found:
        asset = mention.asset or only_coin
        amounts.setdefault(
            (mention.value, asset),
            Amount(mention.value, asset, mention.asset_stated, mention.is_fiat),
        )
    return tuple(amounts.values())


def extract(text: str, now: datetime | None = None, *, local_tz: tzinfo | None = None) -> Entities:
    """All entities of one message, with typed details.

    ``now`` is the message time (aware); dates and times are resolved against it, reading
    clock times without a zone in ``local_tz`` (by default the zone of ``now``). Without
    ``now`` no datetimes are returned: "yesterday" means nothing without a today.
    """
    normalised = normalise(text)
    emails = [(m.group(), m.span()) for m in _EMAIL_RE.finditer(normalised)]
    rest = _mask(normalised, [span for _, span in emails])
    addresses, txids = scan(rest)
    rest = _mask(rest, [(a.start, a.end) for a in addresses] + [(t.start, t.end) for t in txids])

    mentions = find_mentions(rest)
    coin_starts = {m.start for m in mentions if m.kind == "asset"}
    tickets, ticket_spans = _find_ids(rest, _TICKET_RE, _MORE_TICKET_IDS, coin_starts)
    rest = _mask(rest, ticket_spans)
    orders, order_spans = _find_ids(rest, _ORDER_RE, _MORE_ORDER_IDS, coin_starts)
    for match in _HASH_ORDER_RE.finditer(rest):
        orders.append(match.group("id"))
        order_spans.append(match.span("id"))
    rest = _mask(rest, order_spans)

    found = find_amounts(rest, mentions)
    coins: list[tuple[int, str]] = [(m.start, m.value) for m in mentions if m.kind == "asset"]
    coins += [(a.start, a.asset) for a in found if a.asset and not a.is_fiat]
    assets = _unique([symbol for _, symbol in sorted(coins, key=lambda c: c[0])])
    networks = _unique([m.value for m in mentions if m.kind == "network"])
    datetimes = find_datetimes(rest, now, local_tz) if now is not None else []
    return Entities(
        txids=tuple({t.text.lower(): t for t in txids}.values()),
        addresses=tuple({a.text: a for a in addresses}.values()),
        order_ids=_unique(orders),
        ticket_refs=_unique(tickets),
        emails=_unique([e for e, _ in emails], key=str.lower),
        assets=assets,
        amounts=_amounts(found, assets),
        networks=networks,
        datetimes=tuple(datetimes),
    )


def extract_entities(
    text: str, now: datetime | None = None, *, local_tz: tzinfo | None = None
) -> dict[str, list[Any]]:
    """JSON-ready entities: only non-empty keys among txid, address, invalid_address,
    order_id, ticket_ref, email, asset, amount, network, datetime."""
    return extract(text, now, local_tz=local_tz).to_dict()
