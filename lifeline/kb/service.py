"""Help-center logic: importing and editing articles with revisions, publishing, feedback, gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.config import Settings
from lifeline.db import after_commit, utcnow
from lifeline.errors import InvalidRequest, NotFound
from lifeline.kb import repository
from lifeline.kb.content import ArticleSource, Category
from lifeline.kb.index import KnowledgeIndex, ensure_embeddings
from lifeline.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTranslation,
    SearchGap,
)
from lifeline.kb.schemas import ArticleCreate, ArticleUpdate, ImportReport, TranslationIn
from lifeline.kb.search import SearchHit
from lifeline.nlu.text import normalize
from lifeline.security.audit import Actor, record_audit

CATEGORIES: tuple[str, ...] = get_args(Category)
# Below this fused score the best hit is probably not what the searcher wanted: a content gap.
GAP_SCORE = 0.35


class ArticleNotFound(NotFound):
    code = "article_not_found"
    message = "No such article."


@dataclass(frozen=True)
class TranslationText:
    title: str
    summary: str
    keywords: list[str]
    body: str
    note: str = ""

    @classmethod
    def of(cls, data: TranslationIn) -> TranslationText:
        return cls(data.title, data.summary, list(data.keywords), data.body, data.note)


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise InvalidRequest("Unknown category.", category=category, allowed=list(CATEGORIES))


def _check_languages(settings: Settings, languages: Sequence[str]) -> None:
    unknown = sorted(set(languages) - set(settings.languages))
    if unknown:
        raise InvalidRequest(
            "These languages are not configured.", languages=unknown, allowed=settings.languages
        )


def _reindex_after_commit(
    session: AsyncSession, settings: Settings, index: KnowledgeIndex | None, article: Article
) -> None:
    """Embed the article's translations now (stored with the transaction), and swap them into
    the in-memory index once the transaction commits."""
    docs = (
        ensure_embeddings(settings, [(article, t) for t in article.translations])
        if article.status == ArticleStatus.PUBLISHED
        else []
    )
    if index is None:
        return
    slug = article.slug

    async def apply() -> None:
        index.apply(slug, docs)

    after_commit(session, apply)


def save_translation(
    session: AsyncSession,
    article: Article,
    lang: str,
    text: TranslationText,
    actor: Actor,
) -> bool:
    """Create or change one language of an article, recording a revision. False if unchanged."""
    current = next((t for t in article.translations if t.lang == lang), None)
    if current is not None and (
        current.title,
        current.summary,
        list(current.keywords),
        current.body_markdown,
    ) == (text.title, text.summary, text.keywords, text.body):
        return False
    if current is None:
        current = ArticleTranslation(
            lang=lang,
            title=text.title,
            summary=text.summary,
            keywords=text.keywords,
            body_markdown=text.body,
            version=1,
        )
        article.translations.append(current)
    else:
        current.title = text.title
        current.summary = text.summary
        current.keywords = text.keywords
        current.body_markdown = text.body
        current.version += 1
        current.embedding = None
        current.embedding_text_hash = None
        current.updated_at = utcnow()
    article.updated_at = utcnow()
    session.add(
        ArticleRevision(
            article=article,
            lang=lang,
            version=current.version,
            title=text.title,
            summary=text.summary,
            keywords=text.keywords,
            body_markdown=text.body,
            author_type=actor.type,
            author_id=actor.id,
            note=text.note,
        )
    )
    return True


async def import_articles(
    session: AsyncSession,
    settings: Settings,
    sources: Sequence[ArticleSource],
    actor: Actor,
    index: KnowledgeIndex | None = None,
) -> ImportReport:
    """Load or update articles from Markdown sources; unchanged ones are left alone."""
    by_slug: dict[str, list[ArticleSource]] = defaultdict(list)
    for source in sources:
        by_slug[source.slug].append(source)
    _check_languages(settings, sorted({source.lang for source in sources}))
    existing = {a.slug: a for a in await repository.articles_by_slugs(session, list(by_slug))}
    report = ImportReport()
    for slug, versions in sorted(by_slug.items()):
        lead = next((v for v in versions if v.lang == settings.default_language), versions[0])
        status = (
            ArticleStatus.PUBLISHED
            if all(v.status == "published" for v in versions)
            else ArticleStatus(lead.status)
        )
        article = existing.get(slug)
        created = article is None
        if article is None:
            article = Article(
                slug=slug,
                category=lead.category,
                tags=[],
                related=[],
                translations=[],
                status=ArticleStatus.DRAFT,
            )
            session.add(article)
        changed = (article.category, list(article.tags), list(article.related), article.status) != (
            lead.category,
            list(lead.tags),
            list(lead.related),
            status,
        )
        article.category, article.tags, article.related = (
            lead.category,
            list(lead.tags),
            list(lead.related),
        )
        article.status = status
        for version in versions:
            text = TranslationText(
                version.title, version.summary, list(version.keywords), version.body, "imported"
            )
            changed = save_translation(session, article, version.lang, text, actor) or changed
        if created:
            report.created.append(slug)
        elif changed:
            article.updated_at = utcnow()
            report.updated.append(slug)
        else:
            report.unchanged.append(slug)
        if created or changed:
            _reindex_after_commit(session, settings, index, article)
    await session.flush()
    if report.created or report.updated:
        await record_audit(
            session,
            actor,
            "kb.import",
            object_type="kb",
            details={"created": report.created, "updated": report.updated},
        )
    return report


async def get_article(session: AsyncSession, slug: str, *, published_only: bool) -> Article:
    article = await repository.article_by_slug(session, slug, published_only=published_only)
    if article is None:
        raise ArticleNotFound(slug=slug)
    return article


async def create_article(
    session: AsyncSession,
    settings: Settings,
    data: ArticleCreate,
    actor: Actor,
    index: KnowledgeIndex | None,
) -> Article:
    _check_category(data.category)
    _check_languages(settings, list(data.translations))
    if await repository.article_by_slug(session, data.slug) is not None:
        from lifeline.errors import Conflict

        raise Conflict("An article with this slug exists.", slug=data.slug)
    article = Article(
        slug=data.slug,
        category=data.category,
        tags=list(data.tags),
        related=list(data.related),
        status=data.status,
        translations=[],
    )
    session.add(article)
    for lang, translation in data.translations.items():
        save_translation(session, article, lang, TranslationText.of(translation), actor)
    await session.flush()
    await record_audit(
        session, actor, "kb.article.create", object_type="article", object_id=data.slug
    )
    _reindex_after_commit(session, settings, index, article)
    return article


async def update_article(
    session: AsyncSession,
    settings: Settings,
    slug: str,
    data: ArticleUpdate,
    actor: Actor,
    index: KnowledgeIndex | None,
) -> Article:
    article = await get_article(session, slug, published_only=False)
    changes = data.model_dump(exclude_unset=True, exclude={"translations"})
    if "category" in changes and changes["category"] is not None:
        _check_category(changes["category"])
        article.category = changes["category"]
    if changes.get("tags") is not None:
        article.tags = list(changes["tags"])
    if changes.get("related") is not None:
        article.related = list(changes["related"])
    changed_languages: list[str] = []
    if data.translations:
        _check_languages(settings, list(data.translations))
        for lang, translation in data.translations.items():
            if save_translation(session, article, lang, TranslationText.of(translation), actor):
                changed_languages.append(lang)
    article.updated_at = utcnow()
    await session.flush()
    await record_audit(
        session,
        actor,
        "kb.article.update",
        object_type="article",
        object_id=slug,
        details={"fields": sorted(changes), "languages": changed_languages},
    )
    _reindex_after_commit(session, settings, index, article)
    return article


async def set_status(
    session: AsyncSession,
    settings: Settings,
    slug: str,
    status: ArticleStatus,
    actor: Actor,
    index: KnowledgeIndex | None,
) -> Article:
    article = await get_article(session, slug, published_only=False)
    if article.status != status:
        article.status = status
        article.updated_at = utcnow()
        await session.flush()
        await record_audit(
            session,
            actor,
            f"kb.article.{'publish' if status == ArticleStatus.PUBLISHED else status.value}",
            object_type="article",
            object_id=slug,
        )
        _reindex_after_commit(session, settings, index, article)
    return article


async def restore_revision(
    session: AsyncSession,
    settings: Settings,
    slug: str,
    revision_id: int,
    actor: Actor,
    index: KnowledgeIndex | None,
) -> Article:
    article = await get_article(session, slug, published_only=False)
    revision = await repository.revision_by_id(session, article.id, revision_id)
    if revision is None:
        raise NotFound("No such revision of this article.", revision_id=revision_id)
    text = TranslationText(
        revision.title,
        revision.summary,
        list(revision.keywords),
        revision.body_markdown,
        f"restored version {revision.version}",
    )
    save_translation(session, article, revision.lang, text, actor)
    await session.flush()
    await record_audit(
        session,
        actor,
        "kb.article.restore",
        object_type="article",
        object_id=slug,
        details={"revision_id": revision_id, "lang": revision.lang, "version": revision.version},
    )
    _reindex_after_commit(session, settings, index, article)
    return article


async def record_feedback(
    session: AsyncSession, slug: str, lang: str, helpful: bool, comment: str
) -> None:
    article = await get_article(session, slug, published_only=True)
    session.add(ArticleFeedback(article_id=article.id, lang=lang, helpful=helpful, comment=comment))
    await session.flush()


async def record_search(
    session: AsyncSession, query: str, lang: str, hits: Sequence[SearchHit]
) -> bool:
    """Count a search that found nothing good as a content gap; True if it was one."""
    best = hits[0] if hits else None
    if best is not None and best.score >= GAP_SCORE:
        return False
    key = normalize(query)[:300]
    if not key:
        return False
    now = utcnow()
    gap = await repository.gap(session, key, lang)
    if gap is None:
        session.add(
            SearchGap(
                query=key,
                lang=lang,
                best_score=best.score if best else 0.0,
                best_slug=best.slug if best else None,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    else:
        gap.count += 1
        gap.last_seen_at = now
        gap.best_score = best.score if best else 0.0
        gap.best_slug = best.slug if best else None
    await session.flush()
    return True


async def gaps(
    session: AsyncSession, lang: str | None, since: datetime | None, limit: int
) -> Sequence[SearchGap]:
    return await repository.top_gaps(session, lang=lang, since=since, limit=limit)


def translation_for(article: Article, lang: str, fallback: str) -> ArticleTranslation:
    """The requested language, else the default, else any."""
    by_lang: Mapping[str, ArticleTranslation] = {t.lang: t for t in article.translations}
    for candidate in (lang, fallback):
        if candidate in by_lang:
            return by_lang[candidate]
    return next(iter(by_lang.values()))
