"""The process-wide search index over published articles, kept in step with the database.

Built once at start-up from stored translations (their embeddings are stored with them, so
nothing is re-embedded), then updated incrementally after each committed change. Other server
processes notice changes through ``refresh_if_stale``, which compares a cheap fingerprint.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.config import Settings
from lifeline.kb import repository
from lifeline.kb.content import ArticleSource
from lifeline.kb.models import Article, ArticleTranslation
from lifeline.kb.render import placeholder_values
from lifeline.kb.search import (
    SearchDocument,
    SearchHit,
    SearchIndex,
    document_from_article,
    embed_documents,
    embedding_texts,
)
from lifeline.nlu.embeddings import DIMENSIONS, remember_vocabulary

STALENESS_CHECK_SECONDS = 2.0


def search_document(
    settings: Settings, article: Article, translation: ArticleTranslation
) -> SearchDocument:
    source = ArticleSource(
        slug=article.slug,
        lang=translation.lang,  # validated on write
        title=translation.title,
        category=article.category,
        tags=tuple(article.tags),
        keywords=tuple(translation.keywords),
        related=tuple(article.related),
        status="published",
        summary=translation.summary or translation.title,
        body=translation.body_markdown,
    )
    doc = document_from_article(source, placeholder_values(settings, translation.lang))
    stored = stored_embedding(translation, doc)
    return replace(doc, embedding=stored) if stored is not None else doc


def embedding_hash(doc: SearchDocument) -> str:
    return hashlib.sha256("\n".join(embedding_texts(doc)).encode()).hexdigest()


def stored_embedding(translation: ArticleTranslation, doc: SearchDocument) -> np.ndarray | None:
    if translation.embedding is None or translation.embedding_text_hash != embedding_hash(doc):
        return None
    vectors = np.frombuffer(translation.embedding, dtype=np.float32)
    return vectors.reshape(-1, DIMENSIONS).copy()


def ensure_embeddings(
    settings: Settings, pairs: Sequence[tuple[Article, ArticleTranslation]]
) -> list[SearchDocument]:
    """Search documents for the pairs, embedding (in one batch) and storing what is missing."""
    docs = [search_document(settings, article, translation) for article, translation in pairs]
    embedded = embed_documents(docs)
    for (_, translation), before, after in zip(pairs, docs, embedded, strict=True):
        if before.embedding is None and after.embedding is not None:
            translation.embedding = np.asarray(after.embedding, dtype=np.float32).tobytes()
            translation.embedding_text_hash = embedding_hash(after)
    return embedded


class KnowledgeIndex:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._index = SearchIndex()
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        return self._fingerprint is not None

    def search(self, query: str, lang: str, limit: int = 5) -> list[SearchHit]:
        return self._index.search(query, lang, limit)

    async def load(self, session: AsyncSession) -> int:
        """(Re)build from the database; returns the number of documents indexed."""
        async with self._lock:
            pairs = await repository.published_translations(session)
            docs = ensure_embeddings(self._settings, pairs)
            self._index = SearchIndex.from_documents(docs)
            self._fingerprint = await repository.content_fingerprint(session)
            # Customers describe their problems in the articles' words: have those ready.
            await asyncio.to_thread(remember_vocabulary, article_vocabulary(docs))
            return len(docs)

    async def refresh_if_stale(self, session: AsyncSession) -> bool:
        """Rebuild when another process changed the articles; checked at most every few seconds."""
        now = time.monotonic()
        if self.loaded and now - self._checked_at < STALENESS_CHECK_SECONDS:
            return False
        self._checked_at = now
        fingerprint = await repository.content_fingerprint(session)
        if self.loaded and fingerprint == self._fingerprint:
            return False
        # Changed by any process (our own changes are already applied, but a rebuild from the
        # database is cheap with stored embeddings and never misses a concurrent change).
        await self.load(session)
        return True

    def apply(self, slug: str, docs: Sequence[SearchDocument]) -> None:
        """Bring one article up to date in memory after its change committed (``docs`` empty
        when it is no longer published)."""
        self._index.remove(slug)
        for doc in docs:
            self._index.upsert(doc)


def article_vocabulary(docs: Sequence[SearchDocument]) -> list[str]:
    """The text of the articles, line by line, for the sentence encoder's token rows."""
    texts: list[str] = []
    for doc in docs:
        texts.extend((doc.title, doc.summary, *doc.questions, *doc.keywords))
        texts.extend(line for line in doc.body.splitlines() if line.strip())
    return texts
