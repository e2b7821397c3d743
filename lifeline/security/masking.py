"""Mask secrets in inbound customer text before it is stored, indexed, logged or shown.

Every kind in `shared/catalog/secrets.tsv` is recognised by its shape *and* by how the customer
names it, because the same 64 hex characters are a private key after "私钥" and a harmless
transaction hash after "TxID", and the same six digits are a one-time code after "验证码" and an
order number after "订单号". Each candidate value is given the label that most closely precedes
it in the same sentence; the label decides what it is.

A masked secret is replaced by a language-neutral token, ``‹<kind> masked›`` (for example
``‹seed_phrase masked›``), so agents in any language see what was removed and nothing of it.
Masking is idempotent: existing tokens are opaque to every detector.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import base58

from lifeline.security import bip39

__all__ = [
    "SECRET_KINDS",
    "Finding",
    "MaskResult",
    "mask_secrets",
    "mask_token",
    "secret_warning",
    "warm_up",
]

SECRET_KINDS: tuple[str, ...] = (
    "seed_phrase",
    "private_key",
    "password",
    "otp_code",
    "api_secret",
    "card_number",
)
# When two findings overlap, the more dangerous (or more specific) kind keeps the span.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        ("seed_phrase", "private_key", "api_secret", "password", "card_number", "otp_code")
    )
}
MASK_TOKEN = re.compile(r"‹(?:" + "|".join(SECRET_KINDS) + r") masked›")
_OPAQUE = "\ue000"
_MAX_PASSES = 4


def mask_token(kind: str) -> str:
    return f"‹{kind} masked›"


@dataclass(frozen=True)
class Finding:
    """A secret's kind and where it was in the original text (never the value)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class MaskResult:
    masked: str
    kinds: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_secrets(self) -> bool:
        return bool(self.findings)


def _en(words: str) -> str:
    """English label words, matched whole (Chinese labels need no boundaries)."""
    return rf"(?<![A-Za-z0-9_])(?:{words})(?![A-Za-z0-9_])"


# Labels, most specific first where two start at the same place. Classes other than the
# secret kinds ("neutral", "txid", "address") name values that must stay visible.
_LABEL_CLASSES: dict[str, str] = {
    "neutral": _en(
        r"error\s*code|status\s*code|http\s*code|reason\s*code|(?:referral|invite|invitation"
        r"|promo|promotion|coupon|voucher|bonus|gift|redeem|zip|postal|post|country|area|swift"
        r"|bank|branch|qr|source)\s*code|api[\s_-]?key|apikey|access[\s_-]?key|public\s*key"
        r"|pubkey|xpub|order(?:\s*(?:id|no|number))?|orders|ticket|case|uid|user\s*id|id"
        r"|account|acct|phone|mobile|tel|call|whatsapp|wechat|amount|qty|quantity|total"
        r"|balance|price|limit|fee|fees|memo|tag|block|height|nonce|invoice|ref|reference"
        r"|serial|cvv|cvc|expiry|exp|withdrawal(?:\s*id)?|deposit(?:\s*id)?|transfer|payout"
        r"|payment\s*id"
    )
    + r"|错误码|错误代码|邀请码|推荐码|优惠码|兑换码|礼品码|邮编|区号|二维码|订单|訂單|单号|單號"
    r"|工单|工單|编号|編號|账号|帳號|帐号|账户|帳戶|用户ID|手机|手機|电话|電話|回电|号码|號碼"
    r"|金额|金額|数量|數量|余额|餘額|价格|價格|额度|額度|手续费|手續費|备注|標籤|标签|高度|流水号"
    r"|参考号|參考號|凭证|微信|QQ|有效期|公钥|公鑰|提现|提現|提币|提幣|充值|转账|轉賬|划转",
    "txid": _en(
        r"tx\s*id|txid|tx\s*hash|txhash|tx|txn|transaction(?:\s*(?:id|hash))?|hash|etherscan"
        r"|bscscan|tronscan|solscan|explorer|mempool"
    )
    + r"|哈希|交易\s*(?:id|ID|Id)|交易号|交易號|交易编号|交易哈希|链上|鏈上|区块|區塊",
    "address": _en(r"address|addr") + r"|地址",
    "otp_code": _en(
        r"2fa|2-fa|two[\s-]?factor|mfa|otp|totp|one[\s-]?time(?:\s*(?:code|password|passcode))?"
        r"|authenticator|google\s*auth\w*|google\s*code|sms|verification|verify|security\s*code"
        r"|codes?"
    )
    + r"|动态密码|動態密碼|验证码|驗證碼|校验码|校驗碼|动态码|動態碼|短信码|谷歌验证\w?|谷歌码"
    r"|谷歌驗證\w?|google验证\w?|Google验证\w?|身份验证器|验证器|驗證器",
    "password": _en(r"password|passwd|pass\s*word|pwd|pw|pword|passcode|passphrase|pass|pin")
    + r"|密码|密碼|口令",
    "private_key": _en(r"private[\s_-]?key|privkey|priv\s*key|private|priv|pk|key|wif")
    + r"|私钥|私鑰|钱包密钥",
    "api_secret": _en(
        r"api[\s_-]?secret|apisecret|secret[\s_-]?key|secretkey|client[\s_-]?secret|secret"
    )
    + r"|密钥|密鑰|秘钥|秘鑰",
    "card_number": _en(
        r"card(?:\s*(?:number|no\.?|#))?|visa|mastercard|master\s*card|amex|american\s*express"
        r"|discover|unionpay|union\s*pay|maestro|jcb|diners|debit|credit"
    )
    + r"|卡号|卡號|银行卡|銀行卡|信用卡|储蓄卡|儲蓄卡|借记卡|借記卡|卡",
}
_LABEL = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _LABEL_CLASSES.items()),
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[。！？!?\n;；]|\.\s")
_LABEL_REACH = 48
_LONGEST_LABEL = 40

_UNIT_AFTER = re.compile(
    r"\s*(?:(?:hours?|hrs?|h|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|times"
    r"|confirmations?|confs?|blocks?|usdt|usdc|btc|eth|bnb|trx|sol|usd|eur|cny|rmb|u|x"
    r"|characters?|chars?|digits?|attempts?)(?![A-Za-z])|[元块塊小分秒天次个個笔筆%倍位字])",
    re.IGNORECASE,
)
# Every value the label-based detectors look at has four digits in a row or is a long token.
_ANY_CANDIDATE = re.compile(r"\d{3}|[A-Za-z0-9+/_\-]{16}")
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{16,}={0,2}(?![A-Za-z0-9+/=_\-])")
# Addresses and extended public keys: public by design, whatever label precedes them.
_PUBLIC_SHAPE = re.compile(
    r"0x[0-9a-fA-F]{40}$|(?:bc1|tb1|ltc1)[02-9ac-hj-np-z]{20,}$|[xyztuvYZ]pub[1-9A-HJ-NP-Za-km-z]+$"
    r"|T[1-9A-HJ-NP-Za-km-z]{33}$"
)
_HEX_KEY = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
_KEY_WORDS = re.compile(r"private\s*key|privkey|priv\s*key|私钥|私鑰", re.IGNORECASE)
_TX_WORDS = re.compile(_LABEL_CLASSES["txid"], re.IGNORECASE)
_DIGITS_BEFORE = r"(?<![A-Za-z0-9_$#+\-])(?<![0-9][.,:/])"
_DIGITS_AFTER = r"(?![0-9]|[.,:/-][0-9]|[A-Za-z%])"
_OTP_NUMBER = re.compile(
    _DIGITS_BEFORE
    + r"(?:\d{4,8}|\d{3,4}[ -]\d{3,4}|\d{2}[ -]\d{2}[ -]\d{2}|\d{3}[ -]\d{3})"
    + _DIGITS_AFTER
)
_CARD_NUMBER = re.compile(_DIGITS_BEFORE + r"\d(?:[ -]?\d){12,18}" + _DIGITS_AFTER)

_PASSWORD = re.compile(
    r"(?P<label>"
    + _LABEL_CLASSES["password"]
    + r")(?P<connector>(?:\s*(?:(?:is|was|has\s+been|became|now|set|changed|reset|to|be"
    r"|(?:that|which)|i\s+(?:use|used|set|chose|picked|typed|entered|tried)"
    r"|(?:for|of|on)\s+(?:my|the|this)\s+(?:\w+\s+)?(?:account|wallet|login|exchange|app))"
    r"(?![A-Za-z])|=|:|：|是|为|為|改成|改为|改為|设置为|设置成|设为|设成|换成|換成))*\s*)"
    r"(?P<quote>[\"'“‘「`]?)"
    r"(?P<value>(?![(\[{<])[^\s\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef,，;；\"'“”‘’「」`"
    + _OPAQUE
    + r"]{4,64})",
    re.IGNORECASE,
)
_NOT_PASSWORDS_TEXT = (
    "wrong none null empty unknown blank default incorrect invalid correct right "
    "reset changed expired blocked locked forgotten lost weak strong fine ok okay "
    "same different still being required rejected working not and the for of too very "
    "must should does doesn't isn't wasn't policy length rules field manager please "
    "again twice length characters digits 2fa otp kyc sms email phone"
)
_NOT_PASSWORDS = frozenset(_NOT_PASSWORDS_TEXT.split())
_EMAIL_OR_URL = re.compile(r"^[\w.+-]+@[\w-]+\.[\w.]+$|^(?:https?://|www\.)", re.IGNORECASE)
_RANGE = re.compile(r"^\d+\s*[-~]\s*\d+$")


class _Labels:
    """Answers "which label names the value starting here?" for one text.

    Only the stretch just before a candidate value is searched: most messages hold no
    candidate at all, and the label pattern is the most expensive step of masking.
    """

    def __init__(self, text: str) -> None:
        self._text = text

    def naming(self, position: int) -> str | None:
        window_start = max(0, position - _LABEL_REACH - _LONGEST_LABEL)
        last: re.Match[str] | None = None
        for last in _LABEL.finditer(self._text, window_start, position):  # noqa: B007
            pass
        if last is None or last.lastgroup is None:
            return None
        if position - last.end() > _LABEL_REACH:
            return None
        if _SENTENCE_BREAK.search(self._text, last.end(), position):
            return None
        return last.lastgroup


def warm_up() -> None:
    """Load word lists and dictionaries at start-up (about a second) instead of on first use."""
    bip39.warm_up()
    mask_secrets("warm up 123456 " + "a1" * 16)


def mask_secrets(text: str) -> MaskResult:
    """Replace every secret in `text` with its mask token; see the module docstring."""
    masked = text
    # origin[i]: where character i of `masked` came from in `text` (one more entry for the end).
    origin = list(range(len(text) + 1))
    findings: list[Finding] = []
    # Masking one secret can expose another (a shorter text brings a label within reach, a
    # token splits a run of words), so scan again until nothing new appears: that is what
    # makes masking idempotent.
    for _ in range(_MAX_PASSES):
        scannable = MASK_TOKEN.sub(lambda m: _OPAQUE * len(m.group()), masked)
        found = _resolve_overlaps(_find_all(scannable))
        if not found:
            break
        findings.extend(Finding(f.kind, origin[f.start], origin[f.end]) for f in found)
        masked, origin = _replace(masked, origin, found)
    if not findings:
        return MaskResult(masked=text)
    findings.sort(key=lambda f: f.start)
    kinds = sorted({finding.kind for finding in findings}, key=SECRET_KINDS.index)
    return MaskResult(masked=masked, kinds=kinds, findings=findings)


def _replace(masked: str, origin: list[int], found: list[Finding]) -> tuple[str, list[int]]:
    pieces: list[str] = []
    new_origin: list[int] = []
    cursor = 0
    for finding in found:
        token = mask_token(finding.kind)
        pieces.extend((masked[cursor : finding.start], token))
        new_origin.extend(origin[cursor : finding.start])
        new_origin.extend([origin[finding.start]] * len(token))
        cursor = finding.end
    pieces.append(masked[cursor:])
    new_origin.extend(origin[cursor:])
    return "".join(pieces), new_origin


def _find_all(text: str) -> list[Finding]:
    findings = [
        Finding("seed_phrase", match.start, match.end) for match in bip39.find_seed_phrases(text)
    ]
    # "pass" and "secret" are BIP39 words too: a label inside a phrase introduces nothing.
    findings.extend(
        password
        for password, label_start in _find_passwords(text)
        if not any(seed.start <= label_start < seed.end for seed in findings)
    )
    if _ANY_CANDIDATE.search(text) is None:
        return findings
    labels = _Labels(text)
    findings.extend(_find_keys_and_api_secrets(text, labels))
    findings.extend(_find_card_numbers(text, labels))
    findings.extend(_find_otp_codes(text, labels))
    return findings


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    ranked = sorted(findings, key=lambda f: (_PRIORITY[f.kind], f.start - f.end, f.start))
    for finding in ranked:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def _find_keys_and_api_secrets(text: str, labels: _Labels) -> list[Finding]:
    findings: list[Finding] = []
    for match in _LONG_TOKEN.finditer(text):
        token = match.group()
        kind = _key_kind(text, token, labels.naming(match.start()))
        if kind is not None:
            findings.append(Finding(kind, match.start(), match.end()))
    return findings


def _key_kind(text: str, token: str, label: str | None) -> str | None:
    if is_wif_private_key(token) or is_extended_private_key(token):
        return "private_key"
    if _PUBLIC_SHAPE.match(token):
        return None
    is_hex_key = _HEX_KEY.fullmatch(token) is not None
    if label == "private_key" and (is_hex_key or (len(token) >= 40 and looks_random(token))):
        return "private_key"
    if label == "api_secret" and (is_hex_key or looks_random(token)):
        return "api_secret"
    # An unlabelled 64-hex value is a hash unless the message talks about a private key
    # and nothing about a transaction.
    if (
        label is None
        and is_hex_key
        and _KEY_WORDS.search(text) is not None
        and _TX_WORDS.search(text) is None
    ):
        return "private_key"
    return None


def _find_card_numbers(text: str, labels: _Labels) -> list[Finding]:
    findings: list[Finding] = []
    for match in _CARD_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits) or len(set(digits)) == 1:
            continue
        label = labels.naming(match.start())
        if label in {"neutral", "txid", "address", "password"}:
            continue
        if label == "card_number" or plausible_card_prefix(digits):
            findings.append(Finding("card_number", match.start(), match.end()))
    return findings


def _find_otp_codes(text: str, labels: _Labels) -> list[Finding]:
    findings: list[Finding] = []
    for match in _OTP_NUMBER.finditer(text):
        if labels.naming(match.start()) != "otp_code":
            continue
        if _UNIT_AFTER.match(text, match.end()):
            continue
        findings.append(Finding("otp_code", match.start(), match.end()))
    return findings


def _find_passwords(text: str) -> list[tuple[Finding, int]]:
    """Each password found, with where its label ("password", "密码", ...) starts."""
    findings: list[tuple[Finding, int]] = []
    for match in _PASSWORD.finditer(text):
        if text[max(0, match.start() - 2) : match.start()] in {"动态", "動態"}:
            continue
        value = match.group("value").rstrip(")]}>")
        if match.group("quote"):
            value = value.rstrip("\"'”’」")
        if _is_password_value(value, match):
            start = match.start("value")
            findings.append((Finding("password", start, start + len(value)), match.start()))
    return findings


def _is_password_value(value: str, match: re.Match[str]) -> bool:
    label = match.group("label").lower()
    connector = match.group("connector")
    lowered = value.lower()
    if len(value) < 4 or lowered in _NOT_PASSWORDS or len(set(value)) == 1:
        return False
    if _EMAIL_OR_URL.search(value) or _RANGE.match(value):
        return False
    if _UNIT_AFTER.match(match.string, match.end("value")) and value.isdigit():
        return False
    has_digit = any(c.isdigit() for c in value)
    has_letter = any(c.isalpha() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    if label == "pin":
        return value.isdigit() and len(value) <= 8
    if label == "pass":
        return len(value) >= 6 and ((has_digit and has_letter) or (has_symbol and has_letter))
    if has_digit or has_symbol:
        return True
    strong = bool(match.group("quote")) or any(c in connector for c in ":=：是为為")
    mixed_case = value[1:] != value[1:].lower()
    return strong or (mixed_case and len(value) >= 6)


# --- value shapes -------------------------------------------------------------------------

_WIF = re.compile(r"[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}")
_EXTENDED_PRIVATE = re.compile(r"[xyztuvYZ]prv[1-9A-HJ-NP-Za-km-z]{100,112}")


def _base58check_payload(token: str) -> bytes | None:
    try:
        raw = base58.b58decode(token)
    except ValueError:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def is_wif_private_key(token: str) -> bool:
    """A Wallet Import Format key: base58check, version 0x80 (0xef on testnet), 32-byte key."""
    if _WIF.fullmatch(token) is None:
        return False
    payload = _base58check_payload(token)
    if payload is None or payload[0] not in (0x80, 0xEF):
        return False
    return len(payload) == 33 or (len(payload) == 34 and payload[-1] == 0x01)


def is_extended_private_key(token: str) -> bool:
    """A BIP32 extended private key (xprv, yprv, zprv, tprv, ...) with a valid checksum."""
    if _EXTENDED_PRIVATE.fullmatch(token) is None:
        return False
    payload = _base58check_payload(token)
    return payload is not None and len(payload) == 78


def looks_random(token: str) -> bool:
    """Machine-made rather than a word: mixed character classes and few repeats."""
    classes = sum(
        (
            any(c.islower() for c in token),
            any(c.isupper() for c in token),
            any(c.isdigit() for c in token),
        )
    )
    return classes >= 2 and len(set(token)) >= min(10, len(token) // 2)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def plausible_card_prefix(digits: str) -> bool:
    """Issuer ranges in use (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro).

    An unlabelled Luhn-valid number outside them is more likely an order or reference
    number (one random number in ten passes Luhn).
    """
    if digits[0] == "4":
        return len(digits) in (13, 16, 19)
    if digits[:2] in {"34", "37"}:
        return len(digits) == 15
    if "2221" <= digits[:4] <= "2720" or "51" <= digits[:2] <= "55":
        return len(digits) == 16
    if digits[:2] in {"36", "38", "39"} or digits[:3] in {"300", "301", "302", "303", "304", "305"}:
        return 14 <= len(digits) <= 19
    if digits[:2] == "35" or digits[0] == "6" or digits[:2] in {"50", "56", "57", "58"}:
        return 16 <= len(digits) <= 19
    return False


# --- customer warning ---------------------------------------------------------------------

_KIND_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "seed_phrase": "recovery phrase",
        "private_key": "private key",
        "password": "password",
        "otp_code": "verification code",
        "api_secret": "API secret key",
        "card_number": "card number",
    },
    "zh": {
        "seed_phrase": "助记词",
        "private_key": "私钥",
        "password": "密码",
        "otp_code": "验证码",
        "api_secret": "API 密钥（Secret）",
        "card_number": "银行卡号",
    },
}
_WARNING_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "intro": (
            "For your safety we hid the {names} you sent; it was not stored. Our support team "
            "never needs it and will never ask for it. Do not share it with anyone."
        ),
        "wallet": (
            "Anyone who has seen a recovery phrase or private key can take the funds it "
            "controls: move them now to a new wallet with a new phrase, and freeze your "
            "account from the security settings (or ask us to) if it may be exposed."
        ),
        "password": "Change your password now and make sure two-factor authentication is on.",
        "otp_code": (
            "Never give a verification code to anyone. If you did not request it, change your "
            "password now."
        ),
        "api_secret": "Delete this API key now and create a new one.",
        "card_number": (
            "We never need your full card number; contact your bank if you see payments you "
            "do not recognise."
        ),
    },
    "zh": {
        "intro": (
            "为了您的安全，我们已隐藏您发送的{names}，且不会保存。客服人员不需要、"
            "也绝不会向您索要这些信息，请勿透露给任何人。"
        ),
        "wallet": (
            "任何看到助记词或私钥的人都可以转走对应资产：请立即把资产转移到使用新助记词的新钱包，"
            "如账户可能受影响，请在安全设置中冻结账户（或联系我们冻结）。"
        ),
        "password": "请立即修改密码，并确认已开启二次验证。",
        "otp_code": "验证码不要提供给任何人；如果不是您本人申请的验证码，请立即修改密码。",
        "api_secret": "请立即删除这个 API Key 并重新创建。",
        "card_number": "我们不需要您的完整卡号；如发现不明扣款，请联系发卡银行。",
    },
}


def secret_warning(kinds: list[str] | tuple[str, ...] | set[str], lang: str) -> str | None:
    """The message shown to the customer at once when a secret was masked (zh or en)."""
    present = [kind for kind in SECRET_KINDS if kind in set(kinds)]
    if not present:
        return None
    language = "zh" if lang.lower().startswith("zh") else "en"
    texts = _WARNING_TEXT[language]
    names = _KIND_NAMES[language]
    joiner = "、" if language == "zh" else ", "
    parts = [texts["intro"].format(names=joiner.join(names[kind] for kind in present))]
    if "seed_phrase" in present or "private_key" in present:
        parts.append(texts["wallet"])
    parts.extend(texts[kind] for kind in present if kind not in {"seed_phrase", "private_key"})
    return ("" if language == "zh" else " ").join(parts)
