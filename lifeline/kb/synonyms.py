"""Synonym groups of the field, turned into shared "concept" terms for search.

Every group of ``synonyms.yaml`` becomes one concept. Search adds a concept's term to an
article wherever any member of the group occurs, and to a query the same way, so "提币",
"提现", "cash out" and "withdrawl" all meet on one term. A group that holds Chinese and English
members bridges the languages lexically, before embeddings are even consulted.

Chinese members are found by substring within runs of Chinese characters, longest first,
because jieba may split a slang word differently from one sentence to the next. A compound
member also counts the concepts of the members inside it ("暂停提现" is "suspended" and
"withdraw") unless it is marked exclusive with a leading "=" ("=合约地址" is a contract address,
not futures). Latin and mixed members ("gas费", "提U") match as sequences of whole tokens
(stemmed words, jieba words), so "fee" never matches inside "feedback".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lifeline.nlu.text import has_cjk, normalize, tokenize

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.yaml"
CONCEPT_PREFIX = "≈"
_CHINESE_CONTEXT = "zh:"
_EXCLUSIVE = "="
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}])\\s+|\\s+(?=[{_CJK}])")
_RUN_CACHE_LIMIT = 200_000


class SynonymFileError(ValueError):
    """The synonym file is malformed (a group that is not a list, a one-character entry...)."""


@dataclass(frozen=True, slots=True)
class _PhraseMatcher:
    phrases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    chinese_phrases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # first word of a phrase of two words or more -> the lengths of such phrases, longest first
    longer: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # one-word phrases, without and with the "zh:" ones
    single: dict[str, tuple[str, ...]] = field(default_factory=dict)
    chinese_single: dict[str, tuple[str, ...]] = field(default_factory=dict)
    starts: frozenset[str] = frozenset()


class SynonymTable:
    """Finds concepts in normalised text. Safe to share between threads."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        chinese: dict[str, list[str]] = {}
        exclusive: set[str] = set()
        latin: dict[tuple[str, ...], list[str]] = {}
        latin_in_chinese: dict[tuple[str, ...], list[str]] = {}
        self.groups: list[tuple[str, ...]] = []
        for raw_group in groups:
            members = tuple(str(member).strip() for member in raw_group if str(member).strip())
            if len(members) < 2:
                raise SynonymFileError(f"a group needs at least two entries: {list(raw_group)}")
            self.groups.append(members)
            concept = CONCEPT_PREFIX + _entry_text(members[0])
            for member in members:
                text = _entry_text(member)
                compact = _compact(text)
                if _CJK_RUN.fullmatch(compact):
                    if len(compact) < 2:
                        raise SynonymFileError(f"Chinese entry {member!r} is shorter than 2 chars")
                    chinese.setdefault(compact, []).append(concept)
                    if member.startswith(_EXCLUSIVE):
                        exclusive.add(compact)
                elif words := plain_words(tokenize(text)):
                    # Latin and mixed entries ("gas费", "提U") match as word sequences.
                    target = latin_in_chinese if member.startswith(_CHINESE_CONTEXT) else latin
                    target.setdefault(words, []).append(concept)
        self._chinese_pattern = _longest_first(chinese)
        self._chinese = {member: _with_nested(member, chinese, exclusive) for member in chinese}
        self._phrases = _phrase_matcher(latin, latin_in_chinese)
        self._run_cache: dict[str, tuple[str, ...]] = {}
        self.latin_vocabulary: frozenset[str] = frozenset(
            word for phrase in (*latin, *latin_in_chinese) for word in phrase if word.isascii()
        )

    def concepts(self, normalized_text: str, tokens: Sequence[str]) -> list[str]:
        """Concept terms found in a text, one per occurrence (term frequency counts)."""
        found: list[str] = []
        chinese = has_cjk(normalized_text)
        if chinese:
            for run in _CJK_RUN.findall(normalized_text):
                found += self.chinese_concepts(run)
        return found + self.phrase_concepts(plain_words(tokens), chinese)

    def phrase_concepts(self, words: Sequence[str], chinese: bool) -> list[str]:
        """Concepts of the Latin and mixed entries found in ``words`` (tokens passed through
        :func:`plain_words`). ``chinese``: the text contains Chinese ("zh:" entries count)."""
        found: list[str] = []
        matcher = self._phrases
        single = matcher.chinese_single if chinese else matcher.single
        free_from = 0
        for position in [index for index, word in enumerate(words) if word in matcher.starts]:
            if position < free_from:
                continue
            word = words[position]
            match = self._longer_match(words, position, chinese) if word in matcher.longer else None
            if match is not None:
                free_from, concepts = match
                found += concepts
            else:
                found += single.get(word, ())
        return found

    def phrase_matches(
        self, words: Sequence[str], chinese: bool
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, concepts) of each Latin or mixed entry in ``words``, leftmost-longest."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        matcher = self._phrases
        single = matcher.chinese_single if chinese else matcher.single
        free_from = 0
        for position in [index for index, word in enumerate(words) if word in matcher.starts]:
            if position < free_from:
                continue
            word = words[position]
            match = self._longer_match(words, position, chinese) if word in matcher.longer else None
            if match is not None:
                found.append((position, *match))
                free_from = match[0]
            elif word in single:
                found.append((position, position + 1, single[word]))
        return found

    def _longer_match(
        self, words: Sequence[str], position: int, chinese: bool
    ) -> tuple[int, tuple[str, ...]] | None:
        """End and concepts of the longest entry of two words or more starting at ``position``."""
        matcher = self._phrases
        for length in matcher.longer[words[position]]:
            phrase = tuple(words[position : position + length])
            concepts = matcher.phrases.get(phrase)
            if concepts is None and chinese:
                concepts = matcher.chinese_phrases.get(phrase)
            if concepts is not None:
                return position + length, concepts
        return None

    def chinese_concepts(self, run: str) -> tuple[str, ...]:
        """Concepts of one normalised run of Chinese characters (cached: runs repeat a lot)."""
        cached = self._run_cache.get(run)
        if cached is None:
            cached = ()
            if self._chinese_pattern is not None:
                cached = tuple(
                    concept
                    for match in self._chinese_pattern.finditer(run)
                    for concept in self._chinese[match.group()]
                )
            if len(self._run_cache) >= _RUN_CACHE_LIMIT:
                self._run_cache.clear()
            self._run_cache[run] = cached
        return cached

    def members_of(self, concept: str) -> tuple[str, ...]:
        """The entries of a concept's group (for explaining a match)."""
        for members in self.groups:
            if CONCEPT_PREFIX + _entry_text(members[0]) == concept:
                return members
        return ()


def _entry_text(member: str) -> str:
    return normalize(member.removeprefix(_CHINESE_CONTEXT).removeprefix(_EXCLUSIVE))


def _compact(text: str) -> str:
    """Drop spaces next to Chinese characters: "google 验证" and "google验证" are one thing."""
    return _SPACE_NEAR_CJK.sub("", text)


def _longest_first(members: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(members, key=lambda member: (-len(member), member))
    return re.compile(_trie_pattern(ordered)) if ordered else None


def _with_nested(
    member: str, concepts_of: dict[str, list[str]], exclusive: set[str]
) -> tuple[str, ...]:
    """A member's own concepts plus, unless it is exclusive, those of every member inside it
    (except members inside an exclusive inner member, which shields its parts)."""
    found = list(concepts_of[member])
    if member not in exclusive:
        size = len(member)
        inner = {
            member[start:end]
            for start in range(size)
            for end in range(start + 2, size + 1)
            if member[start:end] != member and member[start:end] in concepts_of
        }
        shielded = {
            part for part in inner for whole in inner & exclusive if part != whole and part in whole
        }
        for part in sorted(inner - shielded, key=member.find):
            found += concepts_of[part]
    return tuple(dict.fromkeys(found))


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, shaped as a trie.

    Python's regex engine tries the branches of a flat alternation one by one at every
    position; nested by common prefix, it rejects most positions after one character.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return build(trie)


def plain_words(tokens: Sequence[str]) -> tuple[str, ...]:
    """Tokens without apostrophes, so "can't remember" and "cant remember" are one phrase."""
    return tuple(token.replace("'", "") if "'" in token else token for token in tokens)


def _phrase_matcher(
    phrases: dict[tuple[str, ...], list[str]], chinese_phrases: dict[tuple[str, ...], list[str]]
) -> _PhraseMatcher:
    general = {words: tuple(dict.fromkeys(concepts)) for words, concepts in phrases.items()}
    chinese = {words: tuple(dict.fromkeys(concepts)) for words, concepts in chinese_phrases.items()}
    lengths: dict[str, set[int]] = {}
    for words in (*general, *chinese):
        if len(words) > 1:
            lengths.setdefault(words[0], set()).add(len(words))
    single = {words[0]: concepts for words, concepts in general.items() if len(words) == 1}
    chinese_single = dict(single)
    for words, concepts in chinese.items():
        if len(words) == 1:
            chinese_single[words[0]] = chinese_single.get(words[0], ()) + concepts
    return _PhraseMatcher(
        phrases=general,
        chinese_phrases=chinese,
        longer={word: tuple(sorted(sizes, reverse=True)) for word, sizes in lengths.items()},
        single=single,
        chinese_single=chinese_single,
        starts=frozenset(lengths) | frozenset(chinese_single),
    )


def load_synonym_groups(path: Path | None = None) -> list[list[str]]:
    """The groups of a synonym file (``groups:`` followed by a list of lists of entries)."""
    source = path if path is not None else SYNONYMS_FILE
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str/list/dict
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(isinstance(group, list) for group in groups):
        raise SynonymFileError(f"{source}: expected 'groups:' followed by a list of lists")
    return [[str(member) for member in group] for group in groups]


@lru_cache(maxsize=1)
def default_synonyms() -> SynonymTable:
    """The bundled synonym table, built once per process."""
    return SynonymTable(load_synonym_groups())
