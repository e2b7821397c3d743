"""Outbound guard: block any reply, macro or bot message that asks the customer for a secret.

Impersonators of support staff ask for passwords, one-time codes, recovery phrases, private
keys, API secrets, or get the customer to install remote-access software. Real support never
does, so an outbound message with such an ask is stopped before it leaves, with a reason.

Ordinary advice must pass: "never share your password", "please send the TxID", "enter the
code in the app yourself", "if anyone asks for your seed phrase it is a scam". So a secret
word alone is not enough. A message is blocked when, in one sentence, a *request* (an
imperative or question addressed to the customer: "please send", "what is your", "请提供",
"把…发给我") governs a *secret* noun, and the request is not negated ("never", "请勿"), not a
warning about third parties ("if anyone asks", "骗子"), and, for verbs like "enter" that
customers legitimately use on their own, not pointed at the app instead of at us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifeline.nlu.text import to_simplified

__all__ = ["REASON_CODES", "GuardVerdict", "check_outbound"]

REASON_CODES: tuple[str, ...] = (
    "ask_password",
    "ask_otp_code",
    "ask_seed_phrase",
    "ask_private_key",
    "ask_api_secret",
    "ask_remote_access",
)

_REASONS: dict[str, dict[str, str]] = {
    "ask_password": {
        "en": "Blocked: the message asks the customer for a password. Support never needs it.",
        "zh": "已拦截：该消息向客户索要密码。客服永远不需要客户的密码。",
    },
    "ask_otp_code": {
        "en": (
            "Blocked: the message asks the customer for a verification code (2FA, SMS, email "
            "or authenticator). Codes are entered only by the customer in the app."
        ),
        "zh": (
            "已拦截：该消息向客户索要验证码（二次验证、短信、邮箱或谷歌验证码）。"
            "验证码只能由客户本人在 App 内输入。"
        ),
    },
    "ask_seed_phrase": {
        "en": "Blocked: the message asks the customer for a recovery (seed) phrase.",
        "zh": "已拦截：该消息向客户索要助记词。",
    },
    "ask_private_key": {
        "en": "Blocked: the message asks the customer for a private key.",
        "zh": "已拦截：该消息向客户索要私钥。",
    },
    "ask_api_secret": {
        "en": "Blocked: the message asks the customer for an API secret key.",
        "zh": "已拦截：该消息向客户索要 API 密钥（Secret）。",
    },
    "ask_remote_access": {
        "en": (
            "Blocked: the message asks the customer to install or open remote-access software "
            "or to share their screen."
        ),
        "zh": "已拦截：该消息要求客户安装或打开远程控制软件，或共享屏幕。",
    },
}


@dataclass(frozen=True)
class GuardVerdict:
    allowed: bool
    reason_code: str | None = None

    def reason(self, lang: str = "en") -> str | None:
        if self.reason_code is None:
            return None
        language = "zh" if lang.lower().startswith("zh") else "en"
        return _REASONS[self.reason_code][language]


_ALLOWED = GuardVerdict(allowed=True)

# --- English ------------------------------------------------------------------------------

_EN_SECRETS: dict[str, str] = {
    "ask_seed_phrase": (
        r"seed(?:\s*phrase|\s*words?)?|recovery\s*(?:phrase|words?)|secret\s*(?:recovery\s*)?"
        r"phrase|mnemonic(?:\s*phrase)?|backup\s*(?:phrase|words)|wallet\s*(?:phrase|words)"
        r"|(?:12|24|twelve|twenty[\s-]four)[\s-]*words?(?:\s*phrase)?"
    ),
    "ask_private_key": (
        r"private\s*keys?|priv\s*key|wallet\s*key|keystore(?:\s*file)?|wif\s*key|xprv"
    ),
    "ask_api_secret": (
        r"api\s*secret(?:\s*key)?|secret\s*key|api_secret|client\s*secret"
        r"|api\s*keys?\s*(?:and|&|\+)"
        r"\s*(?:the\s*)?secret"
    ),
    "ask_otp_code": (
        r"(?:2fa|two[\s-]*factor|mfa|verification|sms|text|email|e-mail|authenticator|google"
        r"(?:\s*auth(?:enticator)?)?|otp|one[\s-]*time|security|login|auth|confirmation"
        r"|withdrawal|(?:4|6|8|six|eight|four)[\s-]*digits?)\s*codes?"
        r"|otp|2fa|one[\s-]*time\s*(?:password|passcode|pin)|authenticator|backup\s*codes?"
        r"|recovery\s*codes?|(?<!error\s)(?<!referral\s)(?<!promo\s)(?<!invite\s)(?<!qr\s)"
        r"(?<!tracking\s)(?<!reference\s)(?<!order\s)(?<!zip\s)(?<!coupon\s)(?<!status\s)codes?"
    ),
    "ask_password": (
        r"(?:login|account|fund|funding|trading|withdrawal|exchange|email|wallet)?\s*"
        r"(?:password|passwd|passcode|pwd)s?|credentials|pin(?:\s*code)?"
    ),
}
_EN_SECRET = re.compile(
    "|".join(rf"(?P<{code}>(?<![a-z])(?:{p})(?![a-z]))" for code, p in _EN_SECRETS.items()),
    re.IGNORECASE,
)
# Verbs a customer uses on their own (in the app): only a request when pointed at us.
_EN_SELF_VERBS = r"enter|type|input|fill\s*in|submit|paste|confirm|verify|use|key\s*in"
_EN_ASK_VERBS = (
    r"send|give|provide|share|tell|forward|dm|pm|message|text"
    r"|(?:reply|respond)(?:\s+to\s+(?:this|the|my|our)\s+\w+)?\s+with"
    r"|read\s*(?:out|me)?|write|drop|upload|screenshot|show|post|spell\s*out|let\s*(?:me|us)\s*know"
    r"|hand\s*over|disclose|reveal"
)
# What may come before an imperative verb in its clause: nothing, or a polite/modal lead-in.
_EN_LEAD = re.compile(
    r"(?:^|(?<![a-z])(?:please|pls|plz|kindly|just|now|then|and|so|first|simply|quickly|also"
    r"|asap|ok|okay|(?:can|could|would|will)\s+(?:you|u)|you\s+(?:can|could|need\s+to|must"
    r"|have\s+to|should|will\s+need\s+to|may)|need\s+(?:you|u)\s+to|want\s+(?:you|u)\s+to"
    r"|go\s+ahead\s+and|be\s+sure\s+to|make\s+sure\s+to|required\s+to))"
    r"(?:\s+(?:please|pls|kindly|just|quickly|now))*\s*$",
    re.IGNORECASE,
)
_EN_VERB = re.compile(rf"(?<![a-z])(?:{_EN_ASK_VERBS}|{_EN_SELF_VERBS})(?![a-z])", re.IGNORECASE)
# "confirm your identity by sending your password": the ask hides in a gerund.
_EN_BY_DOING = re.compile(
    r"(?<![a-z])(?:by|via|through)\s+(?P<verb>sending|giving|providing|sharing|telling|typing"
    r"|entering|pasting|submitting|replying\s+with|forwarding|uploading)(?![a-z])",
    re.IGNORECASE,
)
_EN_QUESTION = re.compile(
    r"(?<![a-z])(?:what(?:'s|\s+is|\s+are|\s+was)|may\s+i\s+(?:have|get|know|see)"
    r"|can\s+i\s+(?:have|get|see)|could\s+i\s+(?:have|get|see)|(?:i|we)\s+(?:need|require"
    r"|want|must\s+have)|(?:i|we)'ll\s+need|need|requires?)(?![a-z])",
    re.IGNORECASE,
)
_EN_NEGATION = re.compile(
    r"(?<![a-z])(?:never|not|no\s+one|nobody|don'?t|doesn'?t|won'?t|shouldn'?t|mustn'?t|can'?t"
    r"|cannot|avoid|refuse|beware|under\s+no\s+circumstances)(?![a-z])",
    re.IGNORECASE,
)
_EN_NOT_NEGATION = re.compile(r"why\s+(?:don'?t\s+you|not)", re.IGNORECASE)
_EN_THIRD_PARTY = re.compile(
    r"(?<![a-z])(?:scam\w*|fraud\w*|phish\w*|fake|impersonat\w*|anyone|anybody|someone"
    r"|somebody|no\s+one|nobody|strangers?|criminals?|hackers?|attackers?|third[\s-]part\w*"
    r"|if\s+(?:they|a\s+person|people))(?![a-z])",
    re.IGNORECASE,
)
_EN_NOBODY_AFTER = re.compile(r"(?<![a-z])(?:no\s*-?\s*one|nobody)(?![a-z])", re.IGNORECASE)
_EN_TOWARDS_US = re.compile(
    r"(?<![a-z])(?:here|below|in\s+(?:this|the|our)\s+(?:chat|conversation|window|thread|form)"
    r"|to\s+(?:me|us)|with\s+(?:me|us)|for\s+(?:me|us)|reply|this\s+(?:form|link|page|site)"
    r"|the\s+(?:form|link)|our\s+(?:agent|team|staff)|in\s+your\s+reply)(?![a-z])|https?://",
    re.IGNORECASE,
)
_EN_OWN_WALLET = re.compile(
    r"(?<![a-z])(?:yourself|your\s+own|wallet\s+app|in\s+your\s+wallet|into\s+your\s+(?:new\s+)?"
    r"wallet)(?![a-z])",
    re.IGNORECASE,
)
_EN_REMOTE = re.compile(
    r"(?<![a-z])(?:(?P<install>install|download|open|run|launch|use|set\s*up|get|start|accept"
    r"|allow|connect)(?![a-z])[^.!?\n]{0,40}?(?<![a-z])(?:any\s*desk|team\s*viewer|rust\s*desk"
    r"|ultra\s*viewer|quick\s*support|quick\s*assist|chrome\s+remote\s+desktop|splashtop|supremo"
    r"|ammyy|screen\s*connect|connect\s*wise|logmein|remote\s+(?:desktop|access|control|support)"
    r"\s*(?:app|software|tool|program)?|screen[\s-]*shar\w*\s*(?:app|software|session)?|todesk"
    r"|向日葵)|(?:share|show)\s+(?:your|the)\s+(?:whole\s+)?screen)(?![a-z])"
    r"|(?<![a-z])(?:send|give|tell|share)\s+(?:me|us)?\s*(?:your|the)\s+(?:any\s*desk|team\s*viewer"
    r"|rust\s*desk|todesk)\s*(?:id|code|address|number|password)",
    re.IGNORECASE,
)

# --- Chinese ------------------------------------------------------------------------------

_ZH_SECRETS: dict[str, str] = {
    # Matched against Simplified Chinese (Traditional is converted first).
    "ask_seed_phrase": r"助记词|恢复短语|种子词|记忆词|12个单词|24个单词",
    "ask_private_key": r"私钥|keystore|钱包密钥",
    "ask_api_secret": r"api\s*密钥|api\s*secret|secret\s*key|密钥|秘钥",
    "ask_otp_code": (
        r"验证码|驗證碼|动态码|動態碼|动态密码|動態密碼|校验码|校驗碼|谷歌验证|谷歌驗證|google\s*验证"
        r"|2fa|二次验证码|两步验证码|安全码|短信码|口令码"
    ),
    "ask_password": r"密码|密碼|口令|pin\s*码",
}
_ZH_SECRET = re.compile(
    "|".join(f"(?P<{code}>{p})" for code, p in _ZH_SECRETS.items()), re.IGNORECASE
)
_ZH_ASK_VERBS = (
    r"发给|发送|发过来|发来|发一下|发下|发我|发|提供|告诉|告知|报一下|报给|报|回复|私信|说一下|念一下"
    r"|念|截图|上传|复制给|粘贴|透露|分享|给我|给我们|交出|讲一下|拍照"
)
_ZH_SELF_VERBS = r"输入|輸入|填写|填寫|填入|确认|確認|验证|驗證"
_ZH_VERB_FIRST = re.compile(
    rf"(?P<verb>{_ZH_ASK_VERBS}|{_ZH_SELF_VERBS})[^。！？!?\n]{{0,12}}?(?P<noun>{'|'.join(_ZH_SECRETS.values())})",
    re.IGNORECASE,
)
_ZH_NOUN_FIRST = re.compile(
    rf"(?:把|将|將)?(?P<noun>{'|'.join(_ZH_SECRETS.values())})[^。！？!?\n，,]{{0,10}}?"
    rf"(?P<verb>是多少|是什么|是啥|多少|(?:{_ZH_ASK_VERBS}|{_ZH_SELF_VERBS}))",
    re.IGNORECASE,
)
_ZH_NEED = re.compile(
    rf"(?P<verb>需要|(?<![不需想只])要|索要|索取|收集|核对|核對)(?:您|你)?的?[^。！？!?\n，,]{{0,6}}?"
    rf"(?P<noun>{'|'.join(_ZH_SECRETS.values())})",
    re.IGNORECASE,
)
_ZH_NEGATION = re.compile(
    r"不要|不用|无需|無需|不需要|不必|切勿|请勿|請勿|勿|别|別|绝不|絕不|绝对不|永远不|永遠不|不会|不會"
    r"|从不|從不|从来不|不可|不能|禁止|严禁|嚴禁|谨防|謹防|不得|千万别|千萬別|拒绝|拒絕"
)
_ZH_THIRD_PARTY = re.compile(
    r"任何人|他人|别人|別人|陌生人|有人|骗子|騙子|诈骗|詐騙|冒充|假冒|钓鱼|釣魚|第三方|自称|自稱|对方|對方"
)
_ZH_TOWARDS_US = re.compile(
    r"这里|這裡|此处|此處|在此|下面|下方|聊天|对话框|對話框|私聊|给我|給我|我们|我們|链接|鏈接|表单|表單|https?://"
)
_ZH_REMOTE = re.compile(
    r"(?:下载|下載|安装|安裝|打开|打開|使用|开启|開啟|运行|運行|装)[^。！？!?\n]{0,12}?"
    r"(?:向日葵|todesk|to\s*desk|anydesk|any\s*desk|teamviewer|team\s*viewer|远程|遠程|rustdesk"
    r"|屏幕共享|共享屏幕|会议软件)|(?:共享|分享)(?:一下)?(?:您的|你的)?屏幕",
    re.IGNORECASE,
)

_ZH_TO_CUSTOMER = re.compile(r"(?:到|至|给)(?:您|你|邮箱|手机|注册)")
_ZH_STATEMENT = re.compile(r"已|会|将会|系统|我们")

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_CLAUSE_BREAK = re.compile(
    r"[,;:，；：—]|\bbut\b|\bhowever\b|但是|但|不过|不過|可是", re.IGNORECASE
)


def check_outbound(text: str) -> GuardVerdict:
    """Allow the message, or block it with the reason code of the first forbidden ask."""
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        code = _remote_access_ask(sentence) or _english_ask(sentence) or _chinese_ask(sentence)
        if code is not None:
            return GuardVerdict(allowed=False, reason_code=code)
    return _ALLOWED


def _clause_before(sentence: str, position: int) -> str:
    """The part of the clause holding `position` that comes before it."""
    start = 0
    for brk in _CLAUSE_BREAK.finditer(sentence, 0, position):
        start = brk.end()
    return sentence[start:position]


def _exempt(sentence: str, verb_start: int, english: bool) -> bool:
    before = _clause_before(sentence, verb_start)
    negation = _EN_NEGATION if english else _ZH_NEGATION
    third_party = _EN_THIRD_PARTY if english else _ZH_THIRD_PARTY
    if negation.search(before) and not (english and _EN_NOT_NEGATION.search(before)):
        return True
    return third_party.search(before) is not None


def _remote_access_ask(sentence: str) -> str | None:
    for pattern, english in ((_EN_REMOTE, True), (_ZH_REMOTE, False)):
        for match in pattern.finditer(sentence):
            if not _exempt(sentence, match.start(), english):
                return "ask_remote_access"
    return None


def _english_ask(sentence: str) -> str | None:
    if not re.search(r"[A-Za-z]", sentence):
        return None
    secrets = [(m.start(), m.end(), m.lastgroup) for m in _EN_SECRET.finditer(sentence)]
    if not secrets:
        return None
    requests: list[tuple[int, int, str, bool]] = []
    for found in _EN_VERB.finditer(sentence):
        if _EN_LEAD.search(_clause_before(sentence, found.start()).rstrip()):
            requests.append((found.start(), found.end(), found.group(), False))
    for found in _EN_BY_DOING.finditer(sentence):
        gerund = found.group("verb").lower()
        verb = "enter" if gerund in {"typing", "entering", "pasting", "submitting"} else gerund
        requests.append((found.start(), found.end(), verb, False))
    for found in _EN_QUESTION.finditer(sentence):
        requests.append((found.start(), found.end(), found.group(), True))
    for verb_start, verb_end, verb, question in requests:
        reach = 40 if question else 70
        for start, end, code in secrets:
            if code is None or not 0 <= start - verb_end <= reach:
                continue
            if _english_request_counts(sentence, verb, verb_start, end, code, question):
                return code
    return None


def _english_request_counts(
    sentence: str, verb: str, verb_start: int, secret_end: int, code: str, question: bool
) -> bool:
    if _exempt(sentence, verb_start, english=True):
        return False
    between = sentence[verb_start:secret_end]
    if re.search(r"[.!?]", between):
        return False
    after = sentence[secret_end:]
    if _EN_NOBODY_AFTER.match(after.lstrip(" ,").removeprefix("with ").removeprefix("to ")):
        return False
    if question:
        # "What is your password policy?" asks about the rules, not for the secret.
        return not re.match(r"\s*(?:policy|rules?|requirements?|length|reset)", after, re.I)
    if re.fullmatch(_EN_SELF_VERBS, verb, re.IGNORECASE):
        if code in {"ask_seed_phrase", "ask_private_key"}:
            return _EN_OWN_WALLET.search(sentence) is None
        return _EN_TOWARDS_US.search(sentence) is not None
    return True


def _chinese_ask(original: str) -> str | None:
    if not re.search(r"[\u4e00-\u9fff]", original):
        return None
    sentence = to_simplified(original)
    for pattern in (_ZH_VERB_FIRST, _ZH_NOUN_FIRST, _ZH_NEED):
        for match in pattern.finditer(sentence):
            noun = match.group("noun")
            code = _chinese_code(noun)
            verb = match.group("verb")
            anchor = min(match.start("verb"), match.start("noun"))
            if _exempt(sentence, anchor, english=False):
                continue
            # "验证码已发送到您的邮箱" tells the customer what we sent; it asks for nothing.
            if match.re is not _ZH_NEED and (
                _sent_to_customer(sentence, verb, match.end("verb"))
                or _ZH_STATEMENT.search(sentence, match.start("noun"), match.start("verb"))
                or _ZH_STATEMENT.search(_clause_before(sentence, anchor))
            ):
                continue
            if re.fullmatch(_ZH_SELF_VERBS, verb) and not _chinese_self_verb_counts(sentence, code):
                continue
            return code
    return None


def _sent_to_customer(sentence: str, verb: str, verb_end: int) -> bool:
    if "发" not in verb and "送" not in verb:
        return False
    if verb.endswith("给"):
        return sentence.startswith(("您", "你"), verb_end)
    return _ZH_TO_CUSTOMER.match(sentence, verb_end) is not None


def _chinese_code(noun: str) -> str:
    for code, pattern in _ZH_SECRETS.items():
        if re.fullmatch(pattern, noun, re.IGNORECASE):
            return code
    return "ask_password"


def _chinese_self_verb_counts(sentence: str, code: str) -> bool:
    if code in {"ask_seed_phrase", "ask_private_key"}:
        return re.search(r"自行|自己|本人|钱包里|錢包裡|钱包中|錢包中", sentence) is None
    # Codes and passwords are typed into the app by the customer; only "here/to us" asks.
    return _ZH_TOWARDS_US.search(sentence) is not None
