"""Which language a customer writes in, so replies and routing follow it.

Scripts decide first: Han characters mean Chinese (Simplified ``zh`` or Traditional ``zh-Hant``),
kana Japanese, Hangul Korean. Statistical detection (lingua) only runs for the rest, where it
is reliable, and short Latin-script messages fall back to English unless another language is
clearly recognised: "ok", "hi" or "kyc?" carry no evidence worth a language switch.

Mixed Chinese-English messages ("我的USDT提现pending了") are common; they report the language
to reply in plus ``is_mixed``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import opencc
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["LanguageDetection", "detect", "detect_language", "is_chinese", "warm_up"]

UNDETERMINED: Final = "und"

# Kept small on purpose: each language costs memory and start-up time, and the statistical
# detector only has to name languages whose speakers should be routed elsewhere.
_STATISTICAL_LANGUAGES: Final = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.FRENCH,
    Language.GERMAN,
    Language.ITALIAN,
    Language.DUTCH,
    Language.POLISH,
    Language.TURKISH,
    Language.VIETNAMESE,
    Language.INDONESIAN,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.ARABIC,
    Language.PERSIAN,
    Language.HINDI,
    Language.THAI,
    Language.HEBREW,
    Language.GREEK,
    Language.JAPANESE,
    Language.KOREAN,
    Language.CHINESE,
)
# Confidence lingua needs before a Latin-script message is taken as not English.
_OTHER_LANGUAGE_CONFIDENCE: Final = 0.7
_SHORT_MESSAGE_CONFIDENCE: Final = 0.9
_SHORT_MESSAGE_WORDS: Final = 3
# Frequent English words, chat words and the vocabulary of exchange support. A message made
# mostly of these is English; the trigram statistics alone mistake short English lines such as
# "forgot password" for Italian. Words common in other Latin-script languages (a, de, me, in)
# are left out so that they do not pull a Spanish or Dutch line towards English.
_ENGLISH_WORDS: Final = frozenset(
    " ".join(
        (
            # chat
            "hi hello hey yo thanks thank thx ty ok okay yes yeah yep nope bye goodbye please",
            "pls plz help sir madam hmm lol asap urgent wtf sorry cheers mate guys dear",
            # function words
            "the an and or but if then than so because of to for with without from by about",
            "into onto over under after before since until at on off up down out again still",
            "just only also too very really already yet not no never ever any some all every",
            "each both more most less much many few other another same such this that these",
            "those there here where when why how what which who whom whose while during",
            "i my mine myself you your yours we our us they their them he him his she her",
            "it its is am are was were be been being do does did done doing have has had",
            "having will would shall should can could may might must cannot can't don't",
            "doesn't didn't isn't wasn't won't haven't hasn't i'm it's i've i'll let's",
            # common verbs, nouns and adjectives
            "get got getting make made go went gone going come came see saw seen know knew",
            "want need try tried trying use used using work working works worked show shows",
            "showing shown say said tell told ask asked give gave take took put keep kept",
            "call called send sent sending receive received arrive arrived check checked",
            "wait waiting waited pay paid change changed open opened close closed find found",
            "lost lose forgot forget remember reset stuck pending failed fail failing error",
            "wrong right new old last first next long today yesterday tomorrow now hour hours",
            "day days minute minutes week time times way thing problem issue question help",
            "support team someone somebody anyone person people human agent money fund funds",
            "good bad great fine slow fast high low big small sure able unable again anymore",
            # exchange support
            "account password login log sign email phone code verification verify verified",
            "identity document documents passport selfie deposit deposits deposited withdraw",
            "withdrawal withdrawals withdrew transfer transferred balance wallet address",
            "network chain fee fees gas trade trades trading order orders buy sell bought sold",
            "price limit limits market spot futures margin position liquidated liquidation",
            "stop loss profit leverage coin coins token tokens locked frozen blocked disabled",
            "hacked stolen scam phishing fake link site website app crash crashes loading",
            "loads screen ticket complaint refund manager vip official key keys permission",
        )
    ).split()
)
# Share of a Latin-script message's words that must be English words for it to be English.
_ENGLISH_SHARE: Final = 0.5
# Han chars per English word: how much text one Chinese word takes, to weigh the two.
_HAN_CHARS_PER_WORD: Final = 1.6
# English must outweigh Chinese this much before a mixed message is answered in English:
# Chinese speakers write English terms far more often than the other way round.
_ENGLISH_DOMINANCE: Final = 2.0

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\w+|(?<![0-9A-Za-z])(?:0x)?[0-9A-Za-z]*\d[0-9A-Za-z]*"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_OTHER_SCRIPTS = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u0900-\u097f\u0e00-\u0e7f]"
)
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+(?:'[A-Za-z]+)?")

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")
_detector_lock = threading.Lock()
_detector: LanguageDetector | None = None


@dataclass(frozen=True, slots=True)
class LanguageDetection:
    lang: str  # "zh", "zh-Hant", "en", another ISO 639-1 code, or "und"
    is_mixed: bool  # Chinese and English words in one message


def detect_language(text: str) -> str:
    """The language to reply in: "zh", "zh-Hant", "en", another ISO 639-1 code, or "und"."""
    return detect(text).lang


def is_chinese(lang: str) -> bool:
    return lang in {"zh", "zh-Hant"}


@lru_cache(maxsize=16384)
def detect(text: str) -> LanguageDetection:
    """Language and whether Chinese and English are mixed; cheap for Chinese and English."""
    cleaned = _NOISE.sub(" ", unicodedata.normalize("NFKC", text))
    han = _HAN.findall(cleaned)
    kana = len(_KANA.findall(cleaned))
    hangul = len(_HANGUL.findall(cleaned))
    english_words = _english_words(cleaned)
    if kana >= 2 and kana * 10 >= kana + len(han):
        return LanguageDetection("ja", is_mixed=False)
    if hangul >= 2 and hangul >= len(han):
        return LanguageDetection("ko", is_mixed=False)
    if len(_OTHER_SCRIPTS.findall(cleaned)) > len(han) + len("".join(english_words)):
        # Script alone narrows these down enough that lingua's best guess is trusted.
        return LanguageDetection(_statistical(cleaned, needed=0.0), is_mixed=False)
    if han:
        chinese = _chinese_variant("".join(han))
        is_mixed = any(_looks_like_a_word(word) for word in english_words)
        chinese_words = len(han) / _HAN_CHARS_PER_WORD
        if is_mixed and len(english_words) > _ENGLISH_DOMINANCE * chinese_words:
            return LanguageDetection("en", is_mixed=True)
        return LanguageDetection(chinese, is_mixed=is_mixed)
    if not english_words:
        return LanguageDetection(UNDETERMINED, is_mixed=False)
    known = sum(word.lower() in _ENGLISH_WORDS for word in english_words)
    if known >= _ENGLISH_SHARE * len(english_words):
        return LanguageDetection("en", is_mixed=False)
    short = len(english_words) <= _SHORT_MESSAGE_WORDS
    needed = _SHORT_MESSAGE_CONFIDENCE if short else _OTHER_LANGUAGE_CONFIDENCE
    return LanguageDetection(_statistical(cleaned, needed=needed), is_mixed=False)


def _english_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def _looks_like_a_word(token: str) -> bool:
    """Words such as "pending" or "Please"; not tickers and labels such as USDT, KYC or TxID."""
    return len(token) >= 2 and (token.islower() or (token[0].isupper() and token[1:].islower()))


def _chinese_variant(han: str) -> str:
    """Traditional when more characters look Traditional than Simplified.

    Characters that Traditional-to-Simplified conversion changes are Traditional forms; those
    the opposite conversion changes are Simplified forms. A few characters (台, 里, 后) exist in
    both scripts, which is why this counts rather than looking for a single one.
    """
    simplified = str(_T2S.convert(han))
    if simplified == han:  # no Traditional form at all (the usual case): cheap, same answer
        return "zh"
    traditional = str(_S2T.convert(han))
    traditional_forms = sum(a != b for a, b in zip(han, simplified, strict=False))
    simplified_forms = sum(a != b for a, b in zip(han, traditional, strict=False))
    return "zh-Hant" if traditional_forms > simplified_forms else "zh"


def _statistical(text: str, *, needed: float) -> str:
    """Lingua's answer when it is at least ``needed`` sure, else English."""
    candidates = _get_detector().compute_language_confidence_values(text)
    if not candidates:
        return "en"
    best = candidates[0]
    return _iso_code(best.language) if best.value >= needed else "en"


def warm_up() -> None:
    """Load the language models now rather than on the first foreign-language message."""
    _get_detector()


def _iso_code(language: Language) -> str:
    return str(language.iso_code_639_1.name).lower()


def _get_detector() -> LanguageDetector:
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                # Low-accuracy mode (trigrams only) loads in well under a second and a tenth of
                # the memory; short texts, where it is weaker, are settled before it is asked.
                _detector = (
                    LanguageDetectorBuilder.from_languages(*_STATISTICAL_LANGUAGES)
                    .with_low_accuracy_mode()
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector
