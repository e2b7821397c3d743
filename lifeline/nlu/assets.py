"""Coins, tokens and networks: names and slang to symbols, aliases to canonical networks.

Matching runs on text that is already NFKC-folded and in Simplified Chinese, with its case
kept: tickers that are also English words (LINK, DOT, TON, OP, NEAR, ...) only count when
written in capitals. Network phrases are matched before coin names so that "以太坊网络" or
"ETH network" is the ERC20 network, while a bare "以太坊" is the coin ETH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

# Symbol -> names matched case-insensitively (tickers, English and Chinese names, slang).
_ASSET_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "BTC": ("btc", "xbt", "bitcoin", "bitcoins", "比特币", "比特", "大饼"),
    "ETH": ("eth", "ether", "ethereum", "以太坊", "以太币", "以太", "姨太", "二饼"),
    "USDT": ("usdt", "tether", "泰达币", "泰达"),
    "USDC": ("usdc", "usd coin"),
    "BNB": ("bnb", "币安币"),
    "SOL": ("sol", "索拉纳"),
    "XRP": ("xrp", "ripple", "瑞波币", "瑞波"),
    "DOGE": ("doge", "dogecoin", "狗狗币", "狗币"),
    "LTC": ("ltc", "litecoin", "莱特币"),
    "TRX": ("trx", "tron", "波场币"),
    "ADA": ("cardano", "艾达币"),
    "DOT": ("polkadot", "波卡"),
    "MATIC": ("matic",),
    "AVAX": ("avax", "avalanche", "雪崩币"),
    "LINK": ("chainlink",),
    "SHIB": ("shib", "shiba inu", "柴犬币"),
    "TON": ("toncoin",),
    "XLM": ("xlm", "stellar lumens", "恒星币"),
    "ATOM": ("cosmos",),
    "BCH": ("bch", "bitcoin cash", "比特现金"),
    "ETC": ("ethereum classic", "以太经典"),
    "FIL": ("filecoin",),
    "XMR": ("xmr", "monero", "门罗币"),
    "FDUSD": ("fdusd",),
    "BUSD": ("busd",),
    "TUSD": ("tusd",),
    "PEPE": ("pepe",),
    "HBAR": ("hbar", "hedera"),
    "UNI": ("uniswap",),
    "APT": ("aptos",),
    "ZEC": ("zec", "zcash"),
}
# Tickers that are ordinary English words (or names) in lower case: capitals only.
_STRICT_TICKERS: Final[dict[str, str]] = {
    t: t
    for t in (
        "ADA", "DOT", "LINK", "TON", "ATOM", "ETC", "FIL", "ARB", "OP", "DAI", "UNI", "APT",
        "SUI", "NEAR", "EOS", "ALGO", "DASH", "POL", "ONE", "SAND", "MANA", "APE", "WLD",
        "TIA", "INJ", "STX", "KAS", "ORDI", "SEI", "PYUSD", "WBTC", "STETH",
    )
} | {"Stellar": "XLM"}  # fmt: skip

# Canonical network -> alias regexes (case-insensitive). Coin names that double as chain
# names only count as a network with a network word after them or a routing cue before.
_SUFFIX: Final = r"[\s-]*(?:main\s?net|network|chain|网络|网路|主网|公链|链)"
_ROUTE: Final = r"(?:(?:via|through|over|on|using)\s+(?:the\s+)?|走的?|用的?|选的?)"
_NETWORK_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "ERC20": (r"erc[\s-]?20", rf"(?:eth|ethereum|以太坊|以太币|以太){_SUFFIX}"),
    "TRC20": (
        r"trc[\s-]?20",
        rf"波场(?!币)(?:{_SUFFIX})?",
        rf"(?:tron|trx){_SUFFIX}",
        rf"{_ROUTE}(?:tron|trx)",
    ),
    "BEP20": (
        rf"bep[\s-]?20|bsc(?:{_SUFFIX})?",
        r"币安智能链|币安链|binance\s+smart\s+chain",
        rf"bnb(?:\s+smart)?{_SUFFIX}",
    ),
    "BEP2": (r"bep[\s-]?2(?!\d)", r"bnb\s+beacon\s+chain"),
    "Arbitrum": (rf"arbitrum(?:\s+(?:one|nova))?(?:{_SUFFIX})?", rf"arb{_SUFFIX}"),
    "Optimism": (rf"optimism(?:{_SUFFIX})?", rf"op{_SUFFIX}"),
    "Polygon": (rf"polygon(?:\s+pos)?(?:{_SUFFIX})?", rf"(?:matic|pol){_SUFFIX}"),
    "Solana": (rf"solana(?:{_SUFFIX})?", rf"(?:sol|索拉纳){_SUFFIX}", r"spl"),
    "Base": (rf"base{_SUFFIX}",),
    "Avalanche C-Chain": (r"(?:(?:avalanche|avax)[\s-]*)?c[\s-]chain", r"avaxc"),
    "zkSync Era": (r"zksync(?:\s+era)?",),
    "Linea": (r"linea",),
    "Bitcoin": (rf"(?:btc|bitcoin|比特币){_SUFFIX}",),
    "Lightning": (r"lightning(?:\s+network)?", r"闪电网络"),
    "TON": (rf"ton{_SUFFIX}",),
    "XRP Ledger": (r"xrpl|xrp\s+ledger",),
    "Omni": (r"omni(?:\s+layer)?",),
}

# Which networks each coin travels on (the exchange's usual list, first = default).
ASSET_NETWORKS: Final[dict[str, tuple[str, ...]]] = {
    "BTC": ("Bitcoin", "Lightning", "BEP20"),
    "ETH": ("ERC20", "Arbitrum", "Optimism", "Base", "zkSync Era", "Linea", "BEP20"),
    "USDT": ("TRC20", "ERC20", "BEP20", "Solana", "Polygon", "Arbitrum", "Optimism", "TON",
             "Avalanche C-Chain", "Omni"),
    "USDC": ("ERC20", "Solana", "BEP20", "Polygon", "Arbitrum", "Optimism", "Base",
             "Avalanche C-Chain"),
    "BNB": ("BEP20", "BEP2"),
    "SOL": ("Solana",),
    "TRX": ("TRC20",),
    "XRP": ("XRP Ledger",),
    "DOGE": ("Dogecoin", "BEP20"),
    "LTC": ("Litecoin", "BEP20"),
    "POL": ("Polygon", "ERC20"),
    "MATIC": ("Polygon", "ERC20"),
    "ARB": ("Arbitrum",),
    "OP": ("Optimism",),
    "AVAX": ("Avalanche C-Chain",),
    "TON": ("TON",),
    "XLM": ("Stellar",),
    "ATOM": ("Cosmos",),
    "EOS": ("EOS",),
    "ADA": ("Cardano",),
    "DOT": ("Polkadot",),
    "BCH": ("Bitcoin Cash",),
    "LINK": ("ERC20", "BEP20"),
    "SHIB": ("ERC20", "BEP20"),
}  # fmt: skip

# Coins whose deposits need a memo / tag besides the address, and what customers call it.
MEMO_LABELS: Final[dict[str, str]] = {
    "XRP": "destination tag",
    "XLM": "memo",
    "EOS": "memo",
    "ATOM": "memo",
    "TON": "comment",
    "HBAR": "memo",
    "STX": "memo",
    "KAVA": "memo",
    "INJ": "memo",
}

# Address families and the networks an address of that family can receive on.
FAMILY_NETWORKS: Final[dict[str, tuple[str, ...]]] = {
    "evm": ("ERC20", "BEP20", "Arbitrum", "Optimism", "Polygon", "Base", "Avalanche C-Chain",
            "zkSync Era", "Linea"),
    "tron": ("TRC20",),
    "bitcoin": ("Bitcoin",),
    "solana": ("Solana",),
    "ton": ("TON",),
    "xrp": ("XRP Ledger",),
    "bnb-beacon": ("BEP2",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    kind: Literal["asset", "network"]
    value: str


def _alternation(words: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


_NAME_TO_SYMBOL: Final = {n: s for s, names in _ASSET_NAMES.items() for n in names}
_NETWORK_RE: Final = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(
        f"(?P<n{i}>{'|'.join(aliases)})" for i, aliases in enumerate(_NETWORK_ALIASES.values())
    )
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NETWORK_BY_GROUP: Final = {f"n{i}": name for i, name in enumerate(_NETWORK_ALIASES)}
# Digits may touch a coin name ("0.5ETH"); letters may not ("ETHER" is not "ETH" + "ER").
_ASSET_RE: Final = re.compile(
    r"(?<![A-Za-z])(?:(?i:"
    + _alternation(list(_NAME_TO_SYMBOL))
    + r")|"
    + _alternation(list(_STRICT_TICKERS))
    + r")(?![A-Za-z0-9])"
)
_PAIR_TICKERS: Final = sorted({*_ASSET_NAMES, *_STRICT_TICKERS.values()}, key=len, reverse=True)
_PAIR_RE: Final = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join(_PAIR_TICKERS) + r")(USDT|USDC|FDUSD|BUSD|BTC|ETH)"
    r"(?![A-Za-z0-9])"
)
# Chinese slang: "买U", "出U", "换U" is USDT (but "U盘" is a USB stick).
_U_SLANG_RE: Final = re.compile(r"(?<=[买卖出收换充提转])[Uu](?![A-Za-z0-9盘])")


def asset_symbol(name: str) -> str | None:
    """The ticker for a coin name, ticker or slang word; None if unknown."""
    key = " ".join(name.split())
    if key in _STRICT_TICKERS:
        return _STRICT_TICKERS[key]
    return _NAME_TO_SYMBOL.get(key.lower()) or (
        key.upper() if key.upper() in _STRICT_TICKERS else None
    )


def canonical_network(name: str) -> str | None:
    """The canonical network for an alias ("波场" -> "TRC20", "BSC" -> "BEP20")."""
    match = _NETWORK_RE.fullmatch(name.strip())
    return _NETWORK_BY_GROUP[match.lastgroup] if match and match.lastgroup else None


def networks_for(symbol: str) -> tuple[str, ...]:
    return ASSET_NETWORKS.get(symbol.upper(), ())


def needs_memo(symbol: str, network: str | None = None) -> bool:
    """Whether a deposit of this coin needs a memo / tag (BNB only on its BEP2 chain)."""
    if symbol.upper() == "BNB":
        return network == "BEP2"
    return symbol.upper() in MEMO_LABELS


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# Where a match can start: running the big alternations only there is ~10x faster than
# letting the regex engine try every alternative at every position.
_ASSET_TRIGGER_WORDS: Final = frozenset(
    {n.split()[0].lower() for n in _NAME_TO_SYMBOL if n.isascii()}
    | {t.lower() for t in _STRICT_TICKERS}
)
_NETWORK_TRIGGER_WORDS: Final = frozenset((
    "erc", "trc", "bep", "bsc", "binance", "bnb", "arbitrum", "arb", "optimism", "op",
    "polygon", "matic", "pol", "solana", "sol", "spl", "base", "avalanche", "avax", "avaxc", "c",
    "zksync", "linea", "btc", "bitcoin", "lightning", "ton", "xrpl", "xrp", "omni", "eth",
    "ethereum", "tron", "trx", "via", "through", "over", "on", "using",
))  # fmt: skip
_ASSET_TRIGGER_RE: Final = re.compile(
    r"[A-Za-z]+|[" + "".join(sorted({n[0] for n in _NAME_TO_SYMBOL if not n.isascii()})) + "]"
)
_NETWORK_TRIGGER_RE: Final = re.compile(r"[A-Za-z]+|[以波币比闪索走用选]")


def _anchored(
    text: str, pattern: re.Pattern[str], triggers: re.Pattern[str], words: frozenset[str]
) -> list[re.Match[str]]:
    matches: list[re.Match[str]] = []
    taken_until = 0
    for trigger in triggers.finditer(text):
        start = trigger.start()
        if start < taken_until:
            continue
        word = trigger.group()
        if word.isascii() and word.lower() not in words:
            continue
        match = pattern.match(text, start)
        if match is not None:
            matches.append(match)
            taken_until = match.end()
    return matches


def find_mentions(text: str) -> list[Mention]:
    """Network and coin mentions in order of appearance (text normalised, case kept)."""
    mentions: list[Mention] = []
    for match in _anchored(text, _NETWORK_RE, _NETWORK_TRIGGER_RE, _NETWORK_TRIGGER_WORDS):
        if match.lastgroup:
            network = _NETWORK_BY_GROUP[match.lastgroup]
            mentions.append(Mention(match.start(), match.end(), "network", network))
    rest = _mask(text, [(m.start, m.end) for m in mentions])
    for match in _anchored(rest, _ASSET_RE, _ASSET_TRIGGER_RE, _ASSET_TRIGGER_WORDS):
        symbol = asset_symbol(match.group())
        if symbol is not None:
            mentions.append(Mention(match.start(), match.end(), "asset", symbol))
    if "U" in rest or "u" in rest:
        for match in _U_SLANG_RE.finditer(rest):
            mentions.append(Mention(match.start(), match.end(), "asset", "USDT"))
    for match in _PAIR_RE.finditer(rest):
        for group in (1, 2):
            mentions.append(Mention(match.start(group), match.end(group), "asset", match[group]))
    mentions.sort(key=lambda m: m.start)
    return mentions
