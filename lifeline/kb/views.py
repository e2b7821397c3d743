"""The public shape of articles and searches, shared by the API and the help-center pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.context import AppContext
from lifeline.kb import repository, service
from lifeline.kb.models import Article, ArticleStatus
from lifeline.kb.render import fill, markdown_to_html, placeholder_values
from lifeline.kb.schemas import PublicArticle, RelatedArticle, SearchResponse, SearchResult


def article_url(lang: str, slug: str) -> str:
    return f"/help/{lang}/articles/{slug}"


async def ensure_index(session: AsyncSession, context: AppContext) -> None:
    await context.knowledge.refresh_if_stale(session)


async def run_search(
    session: AsyncSession, context: AppContext, q: str, lang: str, limit: int
) -> SearchResponse:
    await ensure_index(session, context)
    hits = context.knowledge.search(q, lang, limit)
    await service.record_search(session, q, lang, hits)
    return SearchResponse(
        query=q,
        lang=lang,
        results=[
            SearchResult(
                slug=hit.slug,
                lang=hit.lang,
                title=hit.title,
                score=hit.score,
                snippet=hit.snippet,
                url=article_url(hit.lang, hit.slug),
            )
            for hit in hits
        ],
    )


async def public_article(
    session: AsyncSession, context: AppContext, article: Article, lang: str
) -> PublicArticle:
    settings = context.settings
    translation = service.translation_for(article, lang, settings.default_language)
    values = placeholder_values(settings, translation.lang)
    related = []
    for other in await repository.articles_by_slugs(session, article.related):
        if other.status != ArticleStatus.PUBLISHED:
            continue
        other_translation = service.translation_for(other, lang, settings.default_language)
        related.append(
            RelatedArticle(
                slug=other.slug,
                title=fill(other_translation.title, values),
                url=article_url(lang, other.slug),
            )
        )
    return PublicArticle(
        slug=article.slug,
        lang=translation.lang,
        title=fill(translation.title, values),
        summary=fill(translation.summary, values),
        category=article.category,
        html=markdown_to_html(fill(translation.body_markdown, values)),
        url=article_url(translation.lang, article.slug),
        languages=sorted(t.lang for t in article.translations),
        related=related,
        updated_at=translation.updated_at,
    )
