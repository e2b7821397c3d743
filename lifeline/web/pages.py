"""Server-rendered help-center pages, in every configured language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifeline.deps import Context, Session
from lifeline.errors import NotFound
from lifeline.kb import repository
from lifeline.kb.service import CATEGORIES
from lifeline.kb.views import public_article, run_search
from lifeline.web.i18n import messages, negotiate
from lifeline.web.templating import templates

router = APIRouter(include_in_schema=False)


def render_page(
    request: Request, context: Context, lang: str, template: str, path: str, **values: Any
) -> HTMLResponse:
    """Render with what every page needs: language switch, brand, alternates."""
    languages = [
        (code, messages(code).get("lang_name", code)) for code in context.settings.languages
    ]
    suffix = path.split("/", 3)[3] if path.count("/") >= 3 else ""
    switch_urls = {code: f"/help/{code}/{suffix}" for code, _ in languages}
    if request.url.query:
        switch_urls = {code: f"{url}?{request.url.query}" for code, url in switch_urls.items()}
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "languages": languages,
            "switch_urls": switch_urls,
            "exchange_name": context.settings.exchange_name,
            **values,
        },
    )


def page_language(context: Context, lang: str) -> str:
    if lang not in context.settings.languages:
        raise NotFound("This language is not offered.", lang=lang)
    return lang


@router.get("/")
@router.get("/help")
@router.get("/help/")
async def help_root(request: Request, context: Context) -> RedirectResponse:
    settings = context.settings
    lang = negotiate(
        request.headers.get("accept-language"), settings.languages, settings.default_language
    )
    return RedirectResponse(f"/help/{lang}/", status_code=307)


@router.get("/help/{lang}/", response_class=HTMLResponse)
async def help_home(lang: str, request: Request, session: Session, context: Context) -> Response:
    lang = page_language(context, lang)
    articles = await repository.list_articles(session)
    grouped: dict[str, list[Any]] = {category: [] for category in CATEGORIES}
    for article in articles:
        grouped.setdefault(article.category, []).append(
            await public_article(session, context, article, lang)
        )
    categories = [
        {"id": category, "articles": items} for category, items in grouped.items() if items
    ]
    return render_page(
        request, context, lang, "help_home.html", request.url.path, categories=categories
    )


@router.get("/help/{lang}/categories/{category}", response_class=HTMLResponse)
async def help_category(
    lang: str, category: str, request: Request, session: Session, context: Context
) -> Response:
    lang = page_language(context, lang)
    if category not in CATEGORIES:
        return not_found_page(request, context, lang)
    articles = [
        await public_article(session, context, article, lang)
        for article in await repository.list_articles(session, category=category)
    ]
    return render_page(
        request,
        context,
        lang,
        "help_category.html",
        request.url.path,
        category=category,
        articles=articles,
    )


@router.get("/help/{lang}/articles/{slug}", response_class=HTMLResponse)
async def help_article(
    lang: str, slug: str, request: Request, session: Session, context: Context
) -> Response:
    lang = page_language(context, lang)
    article = await repository.article_by_slug(session, slug, published_only=True)
    if article is None:
        return not_found_page(request, context, lang)
    shown = await public_article(session, context, article, lang)
    return render_page(request, context, lang, "help_article.html", request.url.path, article=shown)


@router.get("/help/{lang}/search", response_class=HTMLResponse)
async def help_search(
    lang: str,
    request: Request,
    session: Session,
    context: Context,
    q: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    lang = page_language(context, lang)
    results = (await run_search(session, context, q, lang, 10)).results if q.strip() else []
    return render_page(
        request, context, lang, "help_search.html", request.url.path, query=q, results=results
    )


def not_found_page(request: Request, context: Context, lang: str) -> Response:
    response = render_page(request, context, lang, "not_found.html", request.url.path)
    response.status_code = 404
    return response
