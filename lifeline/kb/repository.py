"""SQL of the help center."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from lifeline.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTranslation,
    SearchGap,
)


def _with_translations() -> Select[Article]:
    return select(Article).options(selectinload(Article.translations))


async def article_by_slug(
    session: AsyncSession, slug: str, *, published_only: bool = False
) -> Article | None:
    query = _with_translations().where(Article.slug == slug)
    if published_only:
        query = query.where(Article.status == ArticleStatus.PUBLISHED)
    return await session.scalar(query)


async def articles_by_slugs(session: AsyncSession, slugs: Sequence[str]) -> Sequence[Article]:
    if not slugs:
        return []
    return (await session.scalars(_with_translations().where(Article.slug.in_(slugs)))).all()


async def list_articles(
    session: AsyncSession, *, category: str | None = None, published_only: bool = True
) -> Sequence[Article]:
    query = _with_translations().order_by(Article.category, Article.slug)
    if category:
        query = query.where(Article.category == category)
    if published_only:
        query = query.where(Article.status == ArticleStatus.PUBLISHED)
    return (await session.scalars(query)).all()


async def published_translations(
    session: AsyncSession,
) -> list[tuple[Article, ArticleTranslation]]:
    articles = await list_articles(session, published_only=True)
    return [(article, translation) for article in articles for translation in article.translations]


async def content_fingerprint(session: AsyncSession) -> tuple[object, ...]:
    """Changes whenever an article or translation is added, changed or removed."""
    articles = (
        await session.execute(select(func.count(Article.id), func.max(Article.updated_at)))
    ).one()
    translations = (
        await session.execute(
            select(func.count(ArticleTranslation.id), func.max(ArticleTranslation.updated_at))
        )
    ).one()
    return (*articles, *translations)


async def revisions(session: AsyncSession, article_id: int) -> Sequence[ArticleRevision]:
    return (
        await session.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.id.desc())
        )
    ).all()


async def revision_by_id(
    session: AsyncSession, article_id: int, revision_id: int
) -> ArticleRevision | None:
    return await session.scalar(
        select(ArticleRevision).where(
            ArticleRevision.id == revision_id, ArticleRevision.article_id == article_id
        )
    )


async def feedback_summary(
    session: AsyncSession, article_id: int | None = None
) -> Sequence[tuple[str, str, int, int]]:
    """(slug, lang, helpful, not helpful) per article and language."""
    query = (
        select(
            Article.slug,
            ArticleFeedback.lang,
            func.count().filter(ArticleFeedback.helpful.is_(True)),
            func.count().filter(ArticleFeedback.helpful.is_(False)),
        )
        .join(Article, Article.id == ArticleFeedback.article_id)
        .group_by(Article.slug, ArticleFeedback.lang)
        .order_by(Article.slug, ArticleFeedback.lang)
    )
    if article_id is not None:
        query = query.where(ArticleFeedback.article_id == article_id)
    return [tuple(row) for row in (await session.execute(query)).all()]  # type: ignore[misc]


async def gap(session: AsyncSession, query: str, lang: str) -> SearchGap | None:
    return await session.scalar(
        select(SearchGap).where(SearchGap.query == query, SearchGap.lang == lang)
    )


async def top_gaps(
    session: AsyncSession, *, lang: str | None, since: datetime | None, limit: int
) -> Sequence[SearchGap]:
    query = select(SearchGap).order_by(SearchGap.count.desc(), SearchGap.last_seen_at.desc())
    if lang:
        query = query.where(SearchGap.lang == lang)
    if since:
        query = query.where(SearchGap.last_seen_at >= since)
    return (await session.scalars(query.limit(limit))).all()
