"""Help-center articles, their translations and revisions, feedback, and search gaps."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifeline.accounts.models import enum_column
from lifeline.db import Base, TimestampMixin, utcnow


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Article(TimestampMixin, Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.DRAFT
    )

    translations: Mapped[list[ArticleTranslation]] = relationship(
        back_populates="article", lazy="raise", cascade="all, delete-orphan"
    )


class ArticleTranslation(Base):
    """One language of an article. ``version`` counts its revisions."""

    __tablename__ = "kb_translations"
    __table_args__ = (UniqueConstraint("article_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    # Sentence embeddings of the translation, computed once when its text changes (float32).
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    embedding_text_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship(back_populates="translations", lazy="raise")


class ArticleRevision(Base):
    """A snapshot of one translation as it was saved: who changed what, when."""

    __tablename__ = "kb_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text)
    author_type: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(lazy="raise")


class ArticleFeedback(Base):
    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchGap(Base):
    """A query that found nothing good, counted per normalised query and language."""

    __tablename__ = "kb_search_gaps"
    __table_args__ = (UniqueConstraint("query", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(default=1)
    best_score: Mapped[float] = mapped_column(default=0.0)
    best_slug: Mapped[str | None] = mapped_column(String(100), default=None)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_kb_feedback_article", ArticleFeedback.article_id, ArticleFeedback.lang)
Index("ix_kb_search_gaps_count", SearchGap.count)
