"""Text normalisation and tokenisation shared by the NLU and help-center search.

Chinese is converted to Simplified and segmented with jieba; English is lower-cased,
split on word characters and lightly stemmed. Everything is cached: these run on every
message and every query.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jieba
import opencc

jieba.setLogLevel(60)

_T2S = opencc.OpenCC("t2s")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[.'][a-z0-9]+)*")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return str(_T2S.convert(text)) if has_cjk(text) else text


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC (full-width to half-width), Traditional to Simplified, lower case, single spaces."""
    folded = unicodedata.normalize("NFKC", text)
    return " ".join(to_simplified(folded).lower().split())


def stem(word: str) -> str:
    """A small English stemmer: enough to match deposit/deposits/deposited, not a linguist."""
    if len(word) <= 4 or not word.isascii() or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in {"ies", "ied"}:
                return base + "y"
            return base
    return word


@lru_cache(maxsize=65536)
def tokenize(text: str) -> tuple[str, ...]:
    """Normalised tokens: jieba words for Chinese runs, stemmed words for the rest."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalize(text)):
        piece = match.group()
        if has_cjk(piece):
            tokens.extend(word for word in jieba.lcut(piece) if word.strip())
        else:
            tokens.append(stem(piece))
    return tuple(tokens)


def add_words(words: list[str]) -> None:
    """Teach jieba domain words (coin slang, product terms) so they stay whole."""
    for word in words:
        jieba.add_word(word, freq=20000)
