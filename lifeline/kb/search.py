"""Help-center search: bilingual BM25F fused with multilingual sentence embeddings, in memory.

An article exists once per language; each version is a :class:`SearchDocument`. A query is
matched against every version of every article (so a Chinese question can land on an article
through its English text, its Chinese text or its meaning) and the hit comes back in the
requested language when that translation exists, in the other one otherwise.

Lexical side: BM25F over weighted fields (title and keywords count more than body). Terms are
jieba words and stemmed English words, Chinese character bigrams (a query segmented differently
from the article still meets it) and synonym concepts from :mod:`lifeline.kb.synonyms` (slang,
abbreviations, typos, cross-language bridges). English words the index has never seen are
corrected against its vocabulary. Postings live in one dict per term, so adding or removing an
article touches only that article's terms; queries read a numpy snapshot of each term's
postings plus the few changes made since, so an update never copies a large posting list.

Semantic side: each document carries a few sentence vectors (title, summary, its "Common
questions", its customer keywords). The query is compared with one mean vector per article to
pick candidates, then with every vector of the candidates; an article's similarity is its best.
Vectors can be computed ahead (:func:`embed_documents`) and stored, so the index never
recomputes them.

Score, in [0, 1]: half the share of the query an article covers lexically (its BM25F score
over that of an ideal document for the query) and half its cosine similarity. Unrelated text
scores about 0.1-0.3; the right article usually 0.4 or more.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from lifeline.kb.content import (
    ArticleSource,
    common_questions,
    markdown_to_text,
    render_placeholders,
    strip_placeholders,
)
from lifeline.kb.synonyms import SynonymTable, default_synonyms, plain_words
from lifeline.nlu.embeddings import DIMENSIONS, Vectors, embed, embed_one
from lifeline.nlu.text import normalize, tokenize

BIGRAM_PREFIX = "²"
# field: (weight, length normalisation b, reference length in words). Lengths are normalised
# against fixed reference lengths, not the corpus average, so adding an article never changes
# the scores of the others and never forces a re-index.
FIELDS: dict[str, tuple[float, float, float]] = {
    "title": (3.0, 0.3, 8.0),
    "keywords": (2.0, 0.3, 80.0),
    "about": (1.5, 0.3, 80.0),  # tags, summary and common questions
    "body": (1.0, 0.6, 600.0),
}
K1 = 6.0
# Bigrams guard the short, query-like fields against segmentation differences; in longer text
# they add noise and index size, and measured no better.
BIGRAM_FIELDS = frozenset({"title", "keywords"})
# Query-side weights of the kinds of terms: an exact word says more than a synonym or a bigram.
WORD_WEIGHT = 1.0
CORRECTED_WEIGHT = 0.8
CONCEPT_WEIGHT = 0.7
PHRASE_PART_WEIGHT = 0.5
BIGRAM_WEIGHT = 0.35
# Fusion: share of the lexical coverage in the score; the rest is the cosine similarity.
LEXICAL_SHARE = 0.5
CANDIDATES_PER_SIDE = 20
KEYWORDS_PER_VECTOR = 4
BULK_LOAD = 64
MAX_PENDING_CHANGES = 256

# English in the stemmed form tokenize produces; Chinese function words and question particles.
_ENGLISH_STOPWORDS = """
a an the and or of to in on at for from by with about into is are was were be been am do doe
does did done have has had i me my mine you your we our us it its this that these those there
what which who whom how why when where can could would should will shall may might must please
help hi hello thank thanks just still not no yes any some get got so if then than very too also
again up out it's i'm don't can't won't need want think know like tell said say anyone
something way one
"""
_CHINESE_STOPWORDS = """
的 了 吗 呢 吧 啊 呀 么 嘛 哦 我 我的 你 你们 您 他 她 它 是 在 有 和 与 及 或 就 都 也 还 又 这 那
这个 那个 哪 怎么 怎么办 怎样 如何 什么 为什么 为何 请问 一下 可以 能 能不能 会 要 想 需要 该 应该
个 把 被 给 让 对 从 到 上 下 里 中 啦 了吗 没 不 没有 哪里 哪儿 哪个 哪些
"""
STOPWORDS: frozenset[str] = frozenset(_ENGLISH_STOPWORDS.split() + _CHINESE_STOPWORDS.split())

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A chunk is a run of Chinese characters or of other non-space characters. Tokenisation never
# crosses a chunk boundary, so chunks can be analysed (and cached) one by one: help articles
# repeat the same clauses and product names a great deal.
_CHUNK = re.compile(f"[{_CJK}]+|[^\\s{_CJK}]+")
# Joins the entries of a list field; a symbol, so no word or phrase match spans two entries.
_FIELD_SEPARATOR = " | "
# Characters that only glue a sentence together: a bigram across them ("了怎", "的币") is noise.
_FUNCTION_CHARACTERS = frozenset("的了吗呢吧啊呀么嘛哦我你您他她它是在和就都也还又这那哪怎什请")
# Variant characters that Traditional-to-Simplified conversion leaves apart (帳 becomes 帐,
# while articles write 账).
_VARIANTS = str.maketrans({"帐": "账"})
_CHUNK_CACHE_LIMIT = 500_000
_NO_VECTORS = np.zeros((0, DIMENSIONS), dtype=np.float32)
FloatArray = npt.NDArray[np.float32]
_Array = TypeVar("_Array", bound=np.ndarray[Any, Any])
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One article in one language, ready for indexing (plain text, placeholders resolved)."""

    slug: str
    lang: str
    title: str
    summary: str = ""
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    body: str = ""
    questions: tuple[str, ...] = ()
    # (n, 512) float32 with L2-normalised rows, one per text of embedding_texts(); computed by
    # embed_documents when missing.
    embedding: Vectors | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.embedding is not None:
            vectors = np.asarray(self.embedding, dtype=np.float32)
            if vectors.ndim == 1:
                vectors = vectors.reshape(1, -1)
            if vectors.ndim != 2 or vectors.shape[1] != DIMENSIONS or len(vectors) == 0:
                raise ValueError(
                    f"embedding must have shape (n, {DIMENSIONS}), not {vectors.shape}"
                )
            object.__setattr__(self, "embedding", vectors)

    @property
    def key(self) -> tuple[str, str]:
        return (self.slug, self.lang)


@dataclass(frozen=True, slots=True)
class SearchHit:
    slug: str
    lang: str
    title: str
    score: float
    snippet: str


def document_from_article(
    article: ArticleSource, placeholders: Mapping[str, str] | None = None
) -> SearchDocument:
    """A search document from an article: Markdown stripped, placeholders filled (or dropped
    when no values are given, so "{{ exchange_name }}" is never indexed)."""

    def fill(text: str) -> str:
        return render_placeholders(text, placeholders) if placeholders else strip_placeholders(text)

    return SearchDocument(
        slug=article.slug,
        lang=article.lang,
        title=fill(article.title),
        summary=fill(article.summary),
        keywords=article.keywords,
        tags=article.tags,
        body=fill(markdown_to_text(article.body)),
        questions=tuple(fill(question) for question in common_questions(article.body)),
    )


def embedding_texts(doc: SearchDocument) -> list[str]:
    """The sentences whose vectors represent a document: the ways people ask for it."""
    texts = [doc.title, doc.summary, *doc.questions]
    texts.extend(
        ", ".join(doc.keywords[start : start + KEYWORDS_PER_VECTOR])
        for start in range(0, len(doc.keywords), KEYWORDS_PER_VECTOR)
    )
    return [normalize(text) for text in texts if text.strip()]


def embed_documents(docs: Sequence[SearchDocument]) -> list[SearchDocument]:
    """Copies of ``docs`` with vectors, computed in one batch for those that lack them."""
    missing = [index for index, doc in enumerate(docs) if doc.embedding is None]
    if not missing:
        return list(docs)
    texts = [embedding_texts(docs[index]) for index in missing]
    vectors = embed([text for group in texts for text in group])
    result = list(docs)
    offset = 0
    for index, group in zip(missing, texts, strict=True):
        result[index] = replace(docs[index], embedding=vectors[offset : offset + len(group)].copy())
        offset += len(group)
    return result


@dataclass(frozen=True, slots=True)
class _Analysed:
    doc: SearchDocument
    terms: dict[str, float]
    vectors: FloatArray
    profile: FloatArray


@dataclass(frozen=True, slots=True)
class _Chunk:
    normalized: str
    tokens: tuple[str, ...]
    plain: tuple[str, ...]  # tokens without apostrophes, for synonym phrases
    terms: tuple[str, ...]  # tokens without stop words, plus the Chinese synonym concepts
    words: int  # tokens kept, for the field's length
    bigrams: tuple[str, ...]
    chinese: bool


@dataclass(slots=True)
class _TermView:
    """A term's postings as arrays, plus the changes made since they were built."""

    ids: IntArray
    saturated: FloatArray
    changes: list[tuple[int, float]]


@dataclass(slots=True)
class _Slot:
    analysed: _Analysed
    article: int


class SearchIndex:
    """An in-memory, incrementally updated index of help-center documents.

    Thread-safe: one lock guards the postings, held while documents are added or removed and
    while a query is scored (about a millisecond). Tokenising and embedding happen outside it.
    """

    def __init__(
        self,
        synonyms: SynonymTable | None = None,
        embed_query: Callable[[str], Vectors] = embed_one,
    ) -> None:
        self._synonyms = synonyms if synonyms is not None else default_synonyms()
        self._embed_query = embed_query
        self._lock = threading.Lock()
        self._slots: list[_Slot | None] = []
        self._free_slots: list[int] = []
        self._slot_of: dict[tuple[str, str], int] = {}
        self._article_of: dict[str, int] = {}
        self._article_slugs: list[str] = []
        self._article_slots: list[dict[str, int]] = []
        self._article_vectors: list[FloatArray] = []  # every vector of every version
        self._article_alive = np.zeros(64, dtype=bool)
        self._slot_article = np.zeros(64, dtype=np.int64)
        self._profiles = np.zeros((64, DIMENSIONS), dtype=np.float32)  # one row per article
        self._postings: dict[str, dict[int, float]] = {}
        self._views: dict[str, _TermView] = {}
        self._vocabulary_list: list[str] | None = None
        self._corrections: dict[str, str | None] = {}
        self._chunks: dict[str, _Chunk] = {}

    @classmethod
    def from_documents(
        cls,
        docs: Iterable[SearchDocument],
        synonyms: SynonymTable | None = None,
        embed_query: Callable[[str], Vectors] = embed_one,
    ) -> SearchIndex:
        index = cls(synonyms=synonyms, embed_query=embed_query)
        index.upsert_many(docs)
        return index

    def __len__(self) -> int:
        return len(self._slot_of)

    def keys(self) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._slot_of)

    # --- updates -----------------------------------------------------------------------------

    def upsert(self, doc: SearchDocument) -> None:
        """Add a document, or replace the one with the same (slug, lang)."""
        self.upsert_many([doc])

    def upsert_many(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace many documents; vectors missing from them are computed in one batch."""
        batch = embed_documents(list(docs))
        bulk = len(batch) >= BULK_LOAD
        with _collector_paused(bulk):
            analysed = [self._analyse(doc) for doc in batch]
            with self._lock:
                touched = {self._insert(item, refresh=False) for item in analysed}
                for article in touched:
                    self._refresh_profile(article)
                if bulk:
                    # Build the arrays of common terms now, not in the first customers' queries.
                    for term, postings in self._postings.items():
                        if len(postings) >= BULK_LOAD and term not in self._views:
                            self._view(term, postings)

    def remove(self, slug: str, lang: str | None = None) -> int:
        """Remove one language version of an article, or all of them when ``lang`` is None.
        Returns the number of documents removed."""
        with self._lock:
            article = self._article_of.get(slug)
            if article is None:
                return 0
            slots = [
                slot
                for version, slot in self._article_slots[article].items()
                if lang is None or version == lang
            ]
            for slot in slots:
                self._remove_slot(slot)
            return len(slots)

    def _analyse(self, doc: SearchDocument) -> _Analysed:
        assert doc.embedding is not None
        profile = doc.embedding.sum(axis=0)
        profile /= max(math.sqrt(float(profile @ profile)), 1e-12)
        terms = self._document_terms(doc)
        return _Analysed(doc, terms, doc.embedding, profile)

    def _insert(self, item: _Analysed, refresh: bool = True) -> int:
        """Index one analysed document; returns its article. ``refresh=False`` leaves the
        article's vectors for the caller to refresh (once per article in a bulk load)."""
        doc = item.doc
        if doc.key in self._slot_of:
            self._remove_slot(self._slot_of[doc.key], refresh=refresh)
        article = self._article_of.get(doc.slug)
        if article is None:
            article = len(self._article_slugs)
            self._article_of[doc.slug] = article
            self._article_slugs.append(doc.slug)
            self._article_slots.append({})
            self._article_vectors.append(_NO_VECTORS)
            if article >= len(self._article_alive):
                self._article_alive = _grown(self._article_alive, article + 1)
                self._profiles = _grown(self._profiles, article + 1)
        self._article_alive[article] = True
        slot = self._free_slots.pop() if self._free_slots else len(self._slots)
        if slot == len(self._slots):
            self._slots.append(None)
            if slot >= len(self._slot_article):
                self._slot_article = _grown(self._slot_article, slot + 1)
        self._slots[slot] = _Slot(item, article)
        self._slot_of[doc.key] = slot
        self._article_slots[article][doc.lang] = slot
        self._slot_article[slot] = article
        if refresh:
            self._refresh_profile(article)
        all_postings = self._postings
        views = self._views
        for term, weight in item.terms.items():
            postings = all_postings.get(term)
            if postings is None:
                all_postings[term] = {slot: weight}
                if "a" <= term[0] <= "z":
                    self._vocabulary_changed()
            else:
                postings[slot] = weight
                if views:
                    self._record_change(term, slot, _saturate(weight))
        return article

    def _remove_slot(self, slot: int, refresh: bool = True) -> None:
        entry = self._slots[slot]
        if entry is None:
            return
        item = entry.analysed
        for term, weight in item.terms.items():
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(slot, None)
                if not postings:
                    del self._postings[term]
                    self._views.pop(term, None)
                    if _is_latin_word(term):
                        self._vocabulary_changed()
                else:
                    self._record_change(term, slot, -_saturate(weight))
        del self._slot_of[item.doc.key]
        versions = self._article_slots[entry.article]
        versions.pop(item.doc.lang, None)
        self._article_alive[entry.article] = bool(versions)
        self._slots[slot] = None
        self._free_slots.append(slot)
        if refresh:
            self._refresh_profile(entry.article)

    def _refresh_profile(self, article: int) -> None:
        """An article's mean direction over its language versions, for the first, coarse
        pass over meaning: one row per article halves the memory read per query."""
        profile = np.zeros(DIMENSIONS, dtype=np.float32)
        vectors: list[FloatArray] = []
        for slot in self._article_slots[article].values():
            entry = self._slots[slot]
            assert entry is not None
            profile += entry.analysed.profile
            vectors.append(entry.analysed.vectors)
        norm = math.sqrt(float(profile @ profile))
        self._profiles[article] = profile / norm if norm > 0 else profile
        if len(vectors) > 1:
            self._article_vectors[article] = np.concatenate(vectors)
        else:
            self._article_vectors[article] = vectors[0] if vectors else _NO_VECTORS

    def _vocabulary_changed(self) -> None:
        self._vocabulary_list = None
        self._corrections.clear()

    # --- analysis ----------------------------------------------------------------------------

    def _document_terms(self, doc: SearchDocument) -> dict[str, float]:
        """BM25F pseudo term frequencies: field-weighted, field-length-normalised counts."""
        fields = {
            "title": doc.title,
            "keywords": _FIELD_SEPARATOR.join(doc.keywords),
            "about": _FIELD_SEPARATOR.join((*doc.tags, doc.summary, *doc.questions)),
            "body": doc.body,
        }
        weights: dict[str, float] = {}
        known = self._chunks.get
        for name, text in fields.items():
            chunks = [known(piece) or self._chunk(piece) for piece in _CHUNK.findall(text)]
            words_of_chunks = [word for chunk in chunks for word in chunk.plain]
            terms = [term for chunk in chunks for term in chunk.terms]
            words = sum([chunk.words for chunk in chunks])
            chinese = [chunk.bigrams for chunk in chunks if chunk.chinese]
            terms += self._synonyms.phrase_concepts(words_of_chunks, bool(chinese))
            if chinese and name in BIGRAM_FIELDS:
                terms += [bigram for bigrams in chinese for bigram in bigrams]
            if terms:
                weight, b, reference = FIELDS[name]
                scale = weight / (1.0 - b + b * words / reference)
                get = weights.get
                for term, count in Counter(terms).items():
                    weights[term] = get(term, 0.0) + count * scale
        return weights

    def _chunk(self, piece: str) -> _Chunk:
        """Analyse one chunk, remembering the result: help articles repeat the same clauses,
        product names and coin names over and over."""
        tokens = tokenize(piece)  # normalises the chunk itself, through the same cache
        normalized = normalize(piece)
        chinese = _CJK_RUN.match(normalized) is not None
        if chinese:
            normalized = normalized.translate(_VARIANTS)
            tokens = tuple(token.translate(_VARIANTS) for token in tokens)
        kept = tuple(token for token in tokens if token not in STOPWORDS)
        if chinese:
            bigrams = tuple(
                BIGRAM_PREFIX + normalized[i : i + 2]
                for i in range(len(normalized) - 1)
                if normalized[i] not in _FUNCTION_CHARACTERS
                and normalized[i + 1] not in _FUNCTION_CHARACTERS
            )
            concepts = self._synonyms.chinese_concepts(normalized)
            chunk = _Chunk(normalized, tokens, tokens, kept + concepts, len(kept), bigrams, True)
        else:
            chunk = _Chunk(normalized, tokens, plain_words(tokens), kept, len(kept), (), False)
        if len(self._chunks) >= _CHUNK_CACHE_LIMIT:
            self._chunks.clear()
        self._chunks[piece] = chunk
        return chunk

    def _query_terms(self, query: str) -> dict[str, float]:
        chunks = [self._chunks.get(piece) or self._chunk(piece) for piece in _CHUNK.findall(query)]
        analysed = [token for chunk in chunks for token in chunk.tokens]
        tokens = list(analysed)
        bigrams = [bigram for chunk in chunks for bigram in chunk.bigrams]
        weights: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            weights[term] = max(weights.get(term, 0.0), weight)

        for position, token in enumerate(tokens):
            if _is_latin_word(token) and token not in STOPWORDS and not self._knows(token):
                tokens[position] = self._correct(token) or token
        words = plain_words(tokens)
        chinese = any(chunk.chinese for chunk in chunks)
        in_phrase: set[int] = set()
        for start, end, concepts in self._synonyms.phrase_matches(words, chinese):
            if end - start > 1:
                # "can't remember" means forgot: the phrase speaks, not "remember" alone.
                in_phrase.update(range(start, end))
            for concept in concepts:
                add(concept, WORD_WEIGHT if end - start > 1 else CONCEPT_WEIGHT)
        for chunk in chunks:
            if chunk.chinese:
                for concept in self._synonyms.chinese_concepts(chunk.normalized):
                    add(concept, CONCEPT_WEIGHT)
        for position, token in enumerate(tokens):
            if token in STOPWORDS:
                continue
            weight = WORD_WEIGHT if token == analysed[position] else CORRECTED_WEIGHT
            add(token, PHRASE_PART_WEIGHT if position in in_phrase else weight)
        for bigram in bigrams:
            if bigram[len(BIGRAM_PREFIX) :] not in weights:
                add(bigram, BIGRAM_WEIGHT)
        return weights

    def _knows(self, word: str) -> bool:
        return word in self._postings or word in self._synonyms.latin_vocabulary

    def _correct(self, word: str) -> str | None:
        """The closest known word to an unknown one, or None."""
        if len(word) < 4 or not word.isalpha():
            return None
        with self._lock:
            if word in self._corrections:
                return self._corrections[word]
            if self._vocabulary_list is None:
                known = {term for term in self._postings if _is_latin_word(term)}
                known |= self._synonyms.latin_vocabulary
                self._vocabulary_list = sorted(term for term in known if len(term) >= 3)
            vocabulary = self._vocabulary_list
        # Typos rarely touch the first letter; two edits only for long words, or "pretend"
        # would become "prevent".
        limit = 1 if len(word) <= 7 else 2
        matches = process.extract(
            word, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=8
        )
        candidates = [(distance, term) for term, distance, _ in matches if term[0] == word[0]]
        with self._lock:
            best = min(
                candidates,
                key=lambda pair: (pair[0], -len(self._postings.get(pair[1], ())), pair[1]),
                default=None,
            )
            correction = best[1] if best is not None else None
            if len(self._corrections) > 50_000:
                self._corrections.clear()
            self._corrections[word] = correction
        return correction

    # --- search ------------------------------------------------------------------------------

    def search(self, query: str, lang: str, limit: int = 5) -> list[SearchHit]:
        """The best articles for a query, each in ``lang`` when that translation exists."""
        normalized = normalize(query)
        if not normalized or limit <= 0:
            return []
        terms = self._query_terms(normalized)
        query_vector = self._embed_query(normalized)
        with self._lock:
            if not self._slot_of:
                return []
            ranked = self._rank(terms, query_vector)
            return [self._hit(article, score, lang) for article, score in ranked[:limit]]

    def _rank(self, terms: Mapping[str, float], query_vector: Vectors) -> list[tuple[int, float]]:
        slot_count = len(self._slots)
        articles = len(self._article_slugs)
        alive = self._article_alive[:articles]
        lexical = self._lexical_scores(terms, slot_count, articles)
        lexical[~alive] = 0.0
        coarse = _similarities(self._profiles[:articles], query_vector)
        coarse[~alive] = -np.inf
        candidates = sorted(
            set(_top(coarse, CANDIDATES_PER_SIDE).tolist())
            | set(_top(lexical, CANDIDATES_PER_SIDE, positive=True).tolist())
        )
        candidates = [article for article in candidates if alive[article]]
        if not candidates:
            return []
        similarity = self._best_similarities(candidates, query_vector)
        reach = self._query_reach(terms)
        scale = 1.0 / reach if reach > 0 else 0.0
        scored = [
            (
                article,
                LEXICAL_SHARE * float(lexical[article]) * scale
                + (1.0 - LEXICAL_SHARE) * similarity[article],
            )
            for article in candidates
        ]
        scored.sort(key=lambda item: (-item[1], self._article_slugs[item[0]]))
        return scored

    def _best_similarities(self, articles: list[int], query_vector: Vectors) -> dict[int, float]:
        """Each article's best cosine similarity over every vector of every language version."""
        blocks = [self._article_vectors[article] for article in articles]
        starts = np.cumsum([0] + [len(block) for block in blocks[:-1]])
        similarities = _similarities(np.concatenate(blocks), query_vector)
        best = np.maximum.reduceat(similarities, starts).tolist()
        return dict(zip(articles, best, strict=True))

    def _query_reach(self, terms: Mapping[str, float]) -> float:
        """The BM25 score of an ideal document for the query: every term, saturated. A
        document's share of it says how much of the query it covers, whatever the query."""
        documents = len(self._slot_of)
        reach = 0.0
        for term, query_weight in terms.items():
            frequency = len(self._postings.get(term, ()))
            if frequency:
                idf = math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))
                reach += query_weight * idf * (K1 + 1.0)
        return reach

    def _lexical_scores(self, terms: Mapping[str, float], slots: int, articles: int) -> FloatArray:
        """Per article: the BM25F score of its best-matching language version."""
        documents = len(self._slot_of)
        doc_scores = np.zeros(slots, dtype=np.float32)
        for term, query_weight in terms.items():
            postings = self._postings.get(term)
            if not postings:
                continue
            view = self._views.get(term) or self._view(term, postings)
            idf = math.log(1.0 + (documents - len(postings) + 0.5) / (len(postings) + 0.5))
            factor = query_weight * idf
            doc_scores[view.ids] += factor * view.saturated
            for slot, change in view.changes:
                doc_scores[slot] += factor * change
        article_scores = np.zeros(articles, dtype=np.float32)
        matched = np.flatnonzero(doc_scores > 0)
        np.maximum.at(article_scores, self._slot_article[matched], doc_scores[matched])
        return article_scores

    def _view(self, term: str, postings: dict[int, float]) -> _TermView:
        ids = np.fromiter(postings.keys(), dtype=np.int64, count=len(postings))
        frequencies = np.fromiter(postings.values(), dtype=np.float32, count=len(postings))
        saturated = frequencies * np.float32(K1 + 1.0) / (frequencies + np.float32(K1))
        view = _TermView(ids, saturated, [])
        self._views[term] = view
        return view

    def _record_change(self, term: str, slot: int, change: float) -> None:
        """Keep a term's arrays valid after one posting changed: a small correction list, so
        an update never copies the arrays of a term that thousands of articles contain."""
        view = self._views.get(term)
        if view is None:
            return
        if len(view.changes) >= MAX_PENDING_CHANGES:
            del self._views[term]  # rebuilt, once, by the next query that needs it
        else:
            view.changes.append((slot, change))

    def _hit(self, article: int, score: float, lang: str) -> SearchHit:
        versions = self._article_slots[article]
        slot = versions[lang] if lang in versions else versions[min(versions)]
        entry = self._slots[slot]
        assert entry is not None
        doc = entry.analysed.doc
        snippet = doc.summary or next(iter(doc.body.splitlines()), "")
        return SearchHit(doc.slug, doc.lang, doc.title, round(score, 4), snippet)


def _similarities(vectors: FloatArray, query_vector: Vectors) -> FloatArray:
    # einsum rather than BLAS: a threaded BLAS call on a small matrix can cost milliseconds of
    # thread wake-up on a busy machine, more than the arithmetic itself.
    result: FloatArray = np.einsum("ij,j->i", vectors, query_vector)
    return result


def _grown(array: _Array, size: int) -> _Array:
    """The array with at least ``size`` rows (capacity doubles; new rows are zero)."""
    grown = np.zeros((max(size, 2 * len(array)), *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return cast(_Array, grown)


@contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load: analysing thousands of articles
    allocates millions of small objects, none of them cyclic garbage, and the collector's
    repeated passes over them cost about a tenth of the build."""
    was_enabled = gc.isenabled()
    if pause and was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            gc.enable()


def _saturate(frequency: float) -> float:
    return frequency * (K1 + 1.0) / (frequency + K1)


def _is_latin_word(term: str) -> bool:
    # Terms are lower-cased; concept, bigram and Chinese terms all sort after "z".
    return "a" <= term[:1] <= "z"


def _top(scores: FloatArray, count: int, positive: bool = False) -> IntArray:
    """Indices of the ``count`` highest scores (unordered)."""
    top: IntArray = (
        np.argpartition(-scores, count)[:count] if count < len(scores) else np.arange(len(scores))
    )
    return top[scores[top] > 0] if positive else top
