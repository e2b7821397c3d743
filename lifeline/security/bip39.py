"""Find BIP39 recovery phrases (English and Chinese word lists) inside free text.

A phrase is recognised by its words *and* its checksum: 12, 15, 18, 21 or 24 words of one
word list in a row whose last bits equal the SHA-256 of the entropy. Customers paste phrases
in every shape, so words may be separated by spaces, commas, numbering ("1.word 2.word"),
line breaks or nothing at all (Chinese), and may be capitalised. A phrase that is nearly
complete (a word missing or mistyped) has no valid checksum; it is still masked when it is a
long run of list words and the message clearly offers it as a phrase ("my 12 words", "助记词").

Unspaced Chinese needs extra care: roughly a third of everyday Chinese characters are in the
word list, so a long run of list characters is common and one window in sixteen passes a
12-word checksum by chance. Such windows are only accepted when they also look random (few of
their characters belong to a dictionary word) and either the message talks about a phrase or
the window is the whole block of Chinese text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from mnemonic import Mnemonic

WORDLIST_NAMES: tuple[str, ...] = ("english", "chinese_simplified", "chinese_traditional")
CHINESE_WORDLISTS: tuple[str, ...] = ("chinese_simplified", "chinese_traditional")
PHRASE_LENGTHS: tuple[int, ...] = (24, 21, 18, 15, 12)
NEAR_COMPLETE_MIN_WORDS = 8

_ENGLISH_WORD = re.compile(r"[A-Za-z]+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_ISOLATED_CJK = re.compile(f"(?<![{_CJK}])[{_CJK}](?![{_CJK}])")
_CJK_BLOCK = re.compile(f"[{_CJK}]{{12,}}")
# What may sit between two words of one pasted phrase: spacing, list punctuation, numbering.
_LIGHT_GAP = re.compile(r"[\s,;:.、，；：．|/\\\-–—()\[\]{}\"'`“”‘’#*~_•·・▪◦→>\d]{0,12}")
# Wording that offers the run of words as the customer's own phrase.
_SEED_CONTEXT = re.compile(
    r"(?<![a-z])(?:seed|mnemonic|recovery|backup|back-up|phrase|passphrase|words?|wordlist)"
    r"(?![a-z])|助记|助記|记忆词|記憶詞|恢复词|恢復詞|种子|種子|备份词|備份詞|单词|單詞|个词|個詞"
    r"|短语|短語|密语|密語",
    re.IGNORECASE,
)
# The same wording in Chinese never belongs inside a phrase, so it splits Chinese runs; the
# copula that usually follows ("助记词是…") is split off with it.
_CHINESE_CONTEXT_BREAK = re.compile(
    r"(?:助记词|助記詞|记忆词|記憶詞|恢复词|恢復詞|种子词|種子詞|备份词|備份詞|钱包|錢包)[是为為]?"
)
# English list words that introduce a phrase rather than belong to it, trimmed from run edges.
_EDGE_WORDS = frozenset({"seed", "phrase", "word", "this", "here", "all"})
# Everyday chat words that are also list words: a near-complete phrase (no checksum to mark
# its ends) does not extend over them.
_CHAT_WORDS_TEXT = (
    "about above again all also any ask before can check few give have hello help "
    "into just know like make more much must need now okay once only other over "
    "please right same since still such tell thank that then there they this under "
    "until very want what when where will wrong you"
)
_CHAT_WORDS = frozenset(_CHAT_WORDS_TEXT.split())
# An unspaced Chinese window reads as random when at most a third of its characters are
# covered by dictionary words of this frequency or more. Measured with jieba's dictionary:
# 99.98% of random 12-word phrases and all 24-word ones pass (a quarter let 0.3% through);
# 92% of 12-character windows of the help center's and training set's Chinese sentences fail,
# and of those that pass only one in 16 has a valid checksum.
_MAX_COVERED_SHARE = 3
_MIN_WORD_FREQUENCY = 20
_MAX_TYPOS = 2


@dataclass(frozen=True)
class PhraseMatch:
    """Where a phrase sits in the text; the words themselves are never kept."""

    start: int
    end: int
    word_count: int
    wordlist: str
    checksum_valid: bool


@cache
def wordlist(name: str) -> tuple[str, ...]:
    return tuple(Mnemonic(name).wordlist)


@cache
def word_index(name: str) -> dict[str, int]:
    return {word: index for index, word in enumerate(wordlist(name))}


def checksum_valid(indices: Sequence[int]) -> bool:
    """True when 11-bit word indices form a BIP39 phrase with a correct checksum."""
    count = len(indices)
    if count not in PHRASE_LENGTHS:
        return False
    bits = 0
    for index in indices:
        bits = (bits << 11) | index
    checksum_bits = count // 3
    entropy_bits = count * 11 - checksum_bits
    entropy = (bits >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return (bits & ((1 << checksum_bits) - 1)) == expected


def is_valid_phrase(words: Sequence[str]) -> bool:
    """True when the words form a valid phrase in any supported word list."""
    normalised = [word.strip().lower() for word in words]
    for name in WORDLIST_NAMES:
        index = word_index(name)
        if all(word in index for word in normalised) and checksum_valid(
            [index[word] for word in normalised]
        ):
            return True
    return False


def offers_phrase(text: str) -> bool:
    return _SEED_CONTEXT.search(text) is not None


def warm_up() -> None:
    """Load the word lists and the Chinese dictionary now rather than on a customer message."""
    for name in WORDLIST_NAMES:
        word_index(name)
    _english_deletions()
    _looks_random("恢复钱包需要十二个字")


def find_seed_phrases(text: str) -> list[PhraseMatch]:
    """All recovery phrases in `text`, complete or clearly offered near-complete ones."""
    offered = offers_phrase(text)
    matches = _english_phrases(text, offered)
    if len(_ISOLATED_CJK.findall(text)) >= NEAR_COMPLETE_MIN_WORDS:
        matches.extend(_spaced_chinese_phrases(text, offered))
    if _CJK_BLOCK.search(text):
        matches.extend(_unspaced_chinese_phrases(text, offered))
    return matches


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str
    typo: bool = False


def _runs(tokens: list[_Token], text: str, vocabulary: dict[str, int]) -> list[list[_Token]]:
    """Maximal sequences of list words separated only by light gaps."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        in_list = token.word in vocabulary
        joined = (
            in_list
            and current
            and _LIGHT_GAP.fullmatch(text, current[-1].end, token.start) is not None
        )
        if joined:
            current.append(token)
            continue
        if len(current) >= NEAR_COMPLETE_MIN_WORDS:
            runs.append(current)
        current = [token] if in_list else []
    if len(current) >= NEAR_COMPLETE_MIN_WORDS:
        runs.append(current)
    return runs


def _valid_window(indices: Sequence[int]) -> tuple[int, int] | None:
    """The best checksum-valid window: longest first, then one aligned with a run edge."""
    total = len(indices)
    for length in PHRASE_LENGTHS:
        if length > total:
            continue
        starts = list(range(total - length + 1))
        starts.sort(key=lambda s: (s != 0 and s + length != total, s))
        for start in starts:
            if checksum_valid(indices[start : start + length]):
                return start, start + length
    return None


def _english_phrases(text: str, offered: bool) -> list[PhraseMatch]:
    vocabulary = word_index("english")
    words = _ENGLISH_WORD.findall(text)
    if sum(word.lower() in vocabulary for word in words) < NEAR_COMPLETE_MIN_WORDS:
        return []
    tokens: list[_Token] = []
    for match in _ENGLISH_WORD.finditer(text):
        word = match.group().lower()
        # A phrase the customer offers may carry a typo; it must not split the phrase.
        correction = None if word in vocabulary or not offered else english_correction(word)
        if correction is not None:
            tokens.append(_Token(match.start(), match.end(), correction, typo=True))
        else:
            tokens.append(_Token(match.start(), match.end(), word))
    return _token_run_phrases(text, tokens, vocabulary, "english", offered, _EDGE_WORDS)


@cache
def _english_deletions() -> dict[str, str]:
    """Every list word with one letter removed, mapped back to the word."""
    deletions: dict[str, str] = {}
    for word in wordlist("english"):
        for i in range(len(word)):
            deletions.setdefault(word[:i] + word[i + 1 :], word)
    return deletions


def english_correction(token: str) -> str | None:
    """The English list word one typo (missing, extra, changed or swapped letter) away."""
    if len(token) < 3 or not token.isascii():
        return None
    vocabulary = word_index("english")
    deletions = _english_deletions()
    if token in deletions:
        return deletions[token]
    for i in range(len(token)):
        shorter = token[:i] + token[i + 1 :]
        if shorter in vocabulary:
            return shorter
        if shorter in deletions:
            return deletions[shorter]
    for i in range(len(token) - 1):
        swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        if swapped in vocabulary:
            return swapped
    return None


def _token_run_phrases(
    text: str,
    tokens: list[_Token],
    vocabulary: dict[str, int],
    name: str,
    offered: bool,
    edge_words: frozenset[str],
) -> list[PhraseMatch]:
    matches: list[PhraseMatch] = []
    for run in _runs(tokens, text, vocabulary):
        first, last = 0, len(run)
        # Words that introduce a phrase ("seed phrase: ...") are tried outside it first.
        while first < last and run[first].word in edge_words:
            first += 1
        while last > first and run[last - 1].word in edge_words:
            last -= 1
        core = run[first:last]
        # Prefer the trimmed run unless the full run holds a longer phrase (a phrase may
        # itself end in "phrase" or start with "seed").
        core_window = _valid_window([vocabulary[t.word] for t in core])
        full_window = _valid_window([vocabulary[t.word] for t in run])
        if full_window is not None and (
            core_window is None or full_window[1] - full_window[0] > core_window[1] - core_window[0]
        ):
            core = run
        matches.extend(_phrases_in_run(core, vocabulary, name, offered))
    return matches


def _phrases_in_run(
    run: list[_Token], vocabulary: dict[str, int], name: str, offered: bool
) -> list[PhraseMatch]:
    """The checksum-valid window of a run, then whatever the words beside it hold."""
    if len(run) < NEAR_COMPLETE_MIN_WORDS:
        return []
    window = _valid_window([vocabulary[token.word] for token in run])
    if window is None:
        while run and (run[0].word in _CHAT_WORDS or run[0].typo):
            run = run[1:]
        while run and (run[-1].word in _CHAT_WORDS or run[-1].typo):
            run = run[:-1]
        typos = sum(token.typo for token in run)
        if not offered or len(run) - typos < NEAR_COMPLETE_MIN_WORDS or typos > _MAX_TYPOS:
            return []
        return [PhraseMatch(run[0].start, run[-1].end, len(run), name, checksum_valid=False)]
    w_start, w_end = window
    found = [PhraseMatch(run[w_start].start, run[w_end - 1].end, w_end - w_start, name, True)]
    found.extend(_phrases_in_run(run[:w_start], vocabulary, name, offered))
    found.extend(_phrases_in_run(run[w_end:], vocabulary, name, offered))
    return found


def _is_cjk(text: str, position: int) -> bool:
    return 0 <= position < len(text) and _CJK_CHAR.match(text, position) is not None


def _spaced_chinese_phrases(text: str, offered: bool) -> list[PhraseMatch]:
    """Phrases written one character per word with separators: "神 定 纷 …", "1.神 2.定"."""
    isolated = [_Token(m.start(), m.end(), m.group()) for m in _ISOLATED_CJK.finditer(text)]
    if len(isolated) < NEAR_COMPLETE_MIN_WORDS:
        return []
    found: list[PhraseMatch] = []
    for name in CHINESE_WORDLISTS:
        found.extend(
            _token_run_phrases(text, isolated, word_index(name), name, offered, frozenset())
        )
    return _drop_overlapping(found)


def _unspaced_chinese_phrases(text: str, offered: bool) -> list[PhraseMatch]:
    broken = _CHINESE_CONTEXT_BREAK.sub(lambda m: "\0" * len(m.group()), text)
    found: list[PhraseMatch] = []
    for block in _CJK_BLOCK.finditer(broken):
        for name in CHINESE_WORDLISTS:
            vocabulary = word_index(name)
            listed = "".join(c if c in vocabulary else " " for c in block.group())
            for run in re.finditer(r"\S{12,}", listed):
                start, end = block.start() + run.start(), block.start() + run.end()
                block_is_whole = not _is_cjk(text, start - 1) and not _is_cjk(text, end)
                found.extend(_random_windows(text, start, end, name, offered, block_is_whole))
    return _drop_overlapping(found)


def _random_windows(
    text: str, start: int, end: int, name: str, offered: bool, block_is_whole: bool
) -> list[PhraseMatch]:
    """Checksum-valid windows of an unspaced run that also read as random characters."""
    vocabulary = word_index(name)
    indices = [vocabulary[c] for c in text[start:end]]
    found: list[PhraseMatch] = []
    position = 0
    while position <= len(indices) - min(PHRASE_LENGTHS):
        match = _first_random_window(text, start, indices, position, name, offered, block_is_whole)
        if match is None:
            position += 1
            continue
        found.append(match)
        position = match.end - start
    return found


def _first_random_window(
    text: str,
    start: int,
    indices: list[int],
    position: int,
    name: str,
    offered: bool,
    block_is_whole: bool,
) -> PhraseMatch | None:
    for length in PHRASE_LENGTHS:
        w_end = position + length
        if w_end > len(indices) or not checksum_valid(indices[position:w_end]):
            continue
        whole = block_is_whole and position == 0 and w_end == len(indices)
        chars = text[start + position : start + w_end]
        if (offered or whole) and _looks_random(chars):
            return PhraseMatch(start + position, start + w_end, length, name, True)
    return None


def _looks_random(chars: str) -> bool:
    """Few characters belong to a dictionary word: random picks, not a sentence.

    Measured on the word list: in 99.98% of random 12-character phrases at most 4 characters
    are covered by a common word of 2 to 4 characters; ordinary sentences cover most of theirs.
    """
    words = _chinese_words()
    text = _to_simplified(chars)
    covered = [False] * len(text)
    for start in range(len(text) - 1):
        for size in (2, 3, 4):
            if start + size <= len(text) and text[start : start + size] in words:
                covered[start : start + size] = [True] * size
    return sum(covered) <= len(text) // _MAX_COVERED_SHARE


def _to_simplified(chars: str) -> str:
    from lifeline.nlu.text import to_simplified

    return to_simplified(chars)


@cache
def _chinese_words() -> frozenset[str]:
    """Common words of 2 to 4 characters from jieba's bundled dictionary (loaded once)."""
    dictionary = Path(str(resources.files("jieba").joinpath("dict.txt")))
    words: set[str] = set()
    with dictionary.open(encoding="utf-8") as lines:
        for line in lines:
            word, frequency, _ = line.split(" ", 2)
            if 2 <= len(word) <= 4 and int(frequency) >= _MIN_WORD_FREQUENCY:
                words.add(word)
    return frozenset(words)


def _drop_overlapping(matches: list[PhraseMatch]) -> list[PhraseMatch]:
    kept: list[PhraseMatch] = []
    for match in sorted(matches, key=lambda m: (-m.word_count, m.start)):
        if all(match.end <= other.start or match.start >= other.end for other in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)
