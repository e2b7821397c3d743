"""Request and response shapes of the help-center API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lifeline.kb.models import ArticleStatus

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]
Short = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]


class TranslationIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=1000)
    keywords: list[Short] = Field(default_factory=list, max_length=60)
    body: str = Field(min_length=1, max_length=200_000)
    note: str = Field(default="", max_length=500, description="Why this change (revision log).")


class ArticleCreate(BaseModel):
    slug: Slug
    category: str = Field(min_length=1, max_length=64)
    tags: list[Short] = Field(default_factory=list, max_length=30)
    related: list[Slug] = Field(default_factory=list, max_length=10)
    status: ArticleStatus = ArticleStatus.DRAFT
    translations: dict[Lang, TranslationIn] = Field(min_length=1)


class ArticleUpdate(BaseModel):
    """Only the fields sent are changed."""

    category: str | None = Field(default=None, min_length=1, max_length=64)
    tags: list[Short] | None = Field(default=None, max_length=30)
    related: list[Slug] | None = Field(default=None, max_length=10)
    translations: dict[Lang, TranslationIn] | None = None


class TranslationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lang: str
    title: str
    summary: str
    keywords: list[str]
    body_markdown: str
    version: int
    updated_at: datetime


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    category: str
    tags: list[str]
    related: list[str]
    status: ArticleStatus
    created_at: datetime
    updated_at: datetime
    translations: list[TranslationRead]


class RelatedArticle(BaseModel):
    slug: str
    title: str
    url: str


class PublicArticle(BaseModel):
    slug: str
    lang: str
    title: str
    summary: str
    category: str
    html: str
    url: str
    languages: list[str]
    related: list[RelatedArticle]
    updated_at: datetime


class SearchResult(BaseModel):
    slug: str
    lang: str
    title: str
    score: float
    snippet: str
    url: str


class SearchResponse(BaseModel):
    query: str
    lang: str
    results: list[SearchResult]


class FeedbackIn(BaseModel):
    lang: Lang
    helpful: bool
    comment: str = Field(default="", max_length=2000)


class FeedbackSummary(BaseModel):
    slug: str
    lang: str
    helpful: int
    not_helpful: int


class RevisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lang: str
    version: int
    title: str
    summary: str
    keywords: list[str]
    body_markdown: str
    author_type: str
    author_id: str | None
    note: str
    created_at: datetime


class GapRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    query: str
    lang: str
    count: int
    best_score: float
    best_slug: str | None
    first_seen_at: datetime
    last_seen_at: datetime


class ImportReport(BaseModel):
    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
