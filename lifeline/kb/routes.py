"""HTTP API of the help center: public reading, search and feedback; editing for kb editors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from lifeline.accounts.deps import Staff, require_permission
from lifeline.db import MAX_ID
from lifeline.deps import Context, Session
from lifeline.kb import repository, service
from lifeline.kb.models import ArticleStatus
from lifeline.kb.schemas import (
    ArticleCreate,
    ArticleRead,
    ArticleUpdate,
    FeedbackIn,
    FeedbackSummary,
    GapRead,
    PublicArticle,
    RevisionRead,
    SearchResponse,
)
from lifeline.kb.views import public_article, run_search
from lifeline.security.permissions import Permission
from lifeline.security.ratelimit import rate_limit

router = APIRouter(prefix="/api/v1/kb", tags=["help center"])

LangQuery = Annotated[str, Query(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]


@router.get(
    "/search", response_model=SearchResponse, dependencies=[rate_limit("kb_search", 120, 60)]
)
async def search(
    session: Session,
    context: Context,
    q: Annotated[str, Query(min_length=1, max_length=300)],
    lang: LangQuery = "en",
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SearchResponse:
    return await run_search(session, context, q, lang, limit)


@router.get("/articles", response_model=list[PublicArticle])
async def list_public_articles(
    session: Session,
    context: Context,
    lang: LangQuery = "en",
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> list[PublicArticle]:
    articles = await repository.list_articles(session, category=category)
    return [await public_article(session, context, article, lang) for article in articles]


@router.get("/articles/{slug}", response_model=PublicArticle)
async def read_article(
    slug: str, session: Session, context: Context, lang: LangQuery = "en"
) -> PublicArticle:
    article = await service.get_article(session, slug, published_only=True)
    return await public_article(session, context, article, lang)


@router.post(
    "/articles/{slug}/feedback",
    status_code=204,
    dependencies=[rate_limit("kb_feedback", 30, 60)],
)
async def article_feedback(slug: str, body: FeedbackIn, session: Session) -> None:
    await service.record_feedback(session, slug, body.lang, body.helpful, body.comment)


# --- editing -------------------------------------------------------------------------------


@router.get("/manage/articles", response_model=list[ArticleRead])
async def manage_list(
    session: Session, _staff: Staff = require_permission(Permission.KB_EDIT)
) -> list[ArticleRead]:
    articles = await repository.list_articles(session, published_only=False)
    return [ArticleRead.model_validate(article) for article in articles]


@router.get("/manage/articles/{slug}", response_model=ArticleRead)
async def manage_read(
    slug: str, session: Session, _staff: Staff = require_permission(Permission.KB_EDIT)
) -> ArticleRead:
    return ArticleRead.model_validate(
        await service.get_article(session, slug, published_only=False)
    )


@router.post("/manage/articles", response_model=ArticleRead, status_code=201)
async def manage_create(
    body: ArticleCreate,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.KB_EDIT),
) -> ArticleRead:
    if body.status == ArticleStatus.PUBLISHED:
        staff.require(Permission.KB_PUBLISH)
    article = await service.create_article(
        session, context.settings, body, staff.actor, context.knowledge
    )
    return ArticleRead.model_validate(article)


@router.patch("/manage/articles/{slug}", response_model=ArticleRead)
async def manage_update(
    slug: str,
    body: ArticleUpdate,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.KB_EDIT),
) -> ArticleRead:
    article = await service.update_article(
        session, context.settings, slug, body, staff.actor, context.knowledge
    )
    return ArticleRead.model_validate(article)


@router.post("/manage/articles/{slug}/publish", response_model=ArticleRead)
async def manage_publish(
    slug: str,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.KB_PUBLISH),
) -> ArticleRead:
    article = await service.set_status(
        session, context.settings, slug, ArticleStatus.PUBLISHED, staff.actor, context.knowledge
    )
    return ArticleRead.model_validate(article)


@router.post("/manage/articles/{slug}/unpublish", response_model=ArticleRead)
async def manage_unpublish(
    slug: str,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.KB_PUBLISH),
) -> ArticleRead:
    article = await service.set_status(
        session, context.settings, slug, ArticleStatus.DRAFT, staff.actor, context.knowledge
    )
    return ArticleRead.model_validate(article)


@router.get("/manage/articles/{slug}/revisions", response_model=list[RevisionRead])
async def manage_revisions(
    slug: str, session: Session, _staff: Staff = require_permission(Permission.KB_EDIT)
) -> list[RevisionRead]:
    article = await service.get_article(session, slug, published_only=False)
    return [RevisionRead.model_validate(r) for r in await repository.revisions(session, article.id)]


@router.post("/manage/articles/{slug}/revisions/{revision_id}/restore", response_model=ArticleRead)
async def manage_restore(
    slug: str,
    revision_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.KB_EDIT),
) -> ArticleRead:
    article = await service.restore_revision(
        session, context.settings, slug, revision_id, staff.actor, context.knowledge
    )
    return ArticleRead.model_validate(article)


@router.get("/feedback", response_model=list[FeedbackSummary])
async def feedback_summary(
    session: Session, _staff: Staff = require_permission(Permission.KB_EDIT)
) -> list[FeedbackSummary]:
    return [
        FeedbackSummary(slug=slug, lang=lang, helpful=helpful, not_helpful=not_helpful)
        for slug, lang, helpful, not_helpful in await repository.feedback_summary(session)
    ]


@router.get("/gaps", response_model=list[GapRead])
async def content_gaps(
    session: Session,
    _staff: Staff = require_permission(Permission.KB_EDIT),
    lang: LangQuery | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[GapRead]:
    return [GapRead.model_validate(gap) for gap in await service.gaps(session, lang, since, limit)]
