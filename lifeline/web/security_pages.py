"""The customer's security pages: "Is this really us?" and the emergency freeze."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from lifeline.deps import Context, Session, client_ip
from lifeline.errors import LifelineError
from lifeline.kb.render import markdown_to_html, official_channels_markdown
from lifeline.security import freeze
from lifeline.security.ratelimit import rate_limit
from lifeline.security.verifier import configured_registry, verify
from lifeline.web.pages import page_language, render_page

router = APIRouter(include_in_schema=False)


@router.get("/help/{lang}/verify", dependencies=[rate_limit("verify_page", 60, 60)])
async def verifyrender_page(
    lang: str,
    request: Request,
    context: Context,
    value: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    lang = page_language(context, lang)
    registry = configured_registry(context.settings.official_channels_file)
    verdict = verify(value, registry) if value.strip() else None
    return render_page(
        request,
        context,
        lang,
        "verify.html",
        request.url.path,
        value=value,
        verdict=verdict,
        official_html=markdown_to_html(official_channels_markdown(registry, lang)),
    )


@router.get("/help/{lang}/freeze")
async def freezerender_page(lang: str, request: Request, context: Context) -> Response:
    lang = page_language(context, lang)
    return render_page(request, context, lang, "freeze.html", request.url.path)


@router.post("/help/{lang}/freeze", dependencies=[rate_limit("freeze_code", 5, 60, per="ip")])
async def freeze_send_code(
    lang: str,
    request: Request,
    session: Session,
    context: Context,
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    lang = page_language(context, lang)
    await freeze.request_code(session, context, email.strip(), lang, client_ip(request))
    return render_page(request, context, lang, "freeze.html", request.url.path, email=email.strip())


@router.post(
    "/help/{lang}/freeze/code", dependencies=[rate_limit("freeze_confirm", 10, 60, per="ip")]
)
async def freeze_with_code(
    lang: str,
    request: Request,
    context: Context,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=10)],
) -> Response:
    lang = page_language(context, lang)
    try:
        outcome = await freeze.confirm_with_code(
            context.sessionmaker, context, email, code, client_ip(request)
        )
    except LifelineError:
        response = render_page(
            request, context, lang, "freeze.html", request.url.path, email=email, failed=True
        )
        response.status_code = 400
        return response
    return render_page(request, context, lang, "freeze.html", request.url.path, outcome=outcome)


@router.get("/help/{lang}/freeze/confirm")
async def freeze_linkrender_page(
    lang: str, request: Request, context: Context, token: Annotated[str, Query(max_length=100)]
) -> Response:
    """Opening the link only shows a button: mail scanners that prefetch links freeze nothing."""
    lang = page_language(context, lang)
    return render_page(request, context, lang, "freeze.html", request.url.path, token=token)


@router.post(
    "/help/{lang}/freeze/confirm", dependencies=[rate_limit("freeze_confirm", 10, 60, per="ip")]
)
async def freeze_with_link(
    lang: str,
    request: Request,
    session: Session,
    context: Context,
    token: Annotated[str, Form(max_length=100)],
) -> Response:
    lang = page_language(context, lang)
    try:
        outcome = await freeze.confirm_with_link(session, context, token, client_ip(request))
    except LifelineError:
        response = render_page(request, context, lang, "freeze.html", request.url.path, failed=True)
        response.status_code = 400
        return response
    return render_page(request, context, lang, "freeze.html", request.url.path, outcome=outcome)
