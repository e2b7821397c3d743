"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeline import __version__
from lifeline.accounts.routes import router as accounts_router
from lifeline.attachments.routes import router as attachments_router
from lifeline.channels.runner import start_channels
from lifeline.config import Settings, get_settings
from lifeline.context import AppContext
from lifeline.conversations.hub import build_hub
from lifeline.conversations.live import router as live_router
from lifeline.conversations.routes import router as conversations_router
from lifeline.db import create_engine, create_sessionmaker, transaction
from lifeline.errors import LifelineError
from lifeline.exchange.service import build_exchange_adapter
from lifeline.incidents.routes import router as incidents_router
from lifeline.kb.index import KnowledgeIndex
from lifeline.kb.routes import router as kb_router
from lifeline.livechat.live import router as agent_live_router
from lifeline.livechat.routes import customer_router as livechat_customer_router
from lifeline.livechat.routes import router as livechat_router
from lifeline.migrations import current_revision, head_revision
from lifeline.outbox.worker import OutboxWorker
from lifeline.security.middleware import BodySizeLimit, SecurityHeaders
from lifeline.security.ratelimit import build_rate_limiter
from lifeline.security.routes import router as security_router
from lifeline.tickets.duplicate_check import router as duplicate_check_router
from lifeline.tickets.routes import router as tickets_router
from lifeline.tickets.tasks import run_sla_sweeper
from lifeline.web.console_pages import router as console_pages_router
from lifeline.web.customer_pages import router as customer_pages_router
from lifeline.web.demo_routes import router as demo_router
from lifeline.web.pages import router as pages_router
from lifeline.web.security_pages import router as security_pages_router
from lifeline.web.templating import STATIC_DIR

log = logging.getLogger(__name__)


def build_context(settings: Settings) -> AppContext:
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    return AppContext(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        exchange=build_exchange_adapter(settings, sessionmaker),
        outbox=OutboxWorker(
            sessionmaker,
            max_attempts=settings.outbox_max_attempts,
            poll_seconds=settings.outbox_poll_seconds,
        ),
        knowledge=KnowledgeIndex(settings),
        limiter=build_rate_limiter(settings.redis_url),
        hub=build_hub(settings.redis_url),
    )


async def _warm_up(context: AppContext) -> None:
    """Load the intent model (training it if no cached model matches the data), the
    help-center index and the sentence encoder before the first customer arrives."""
    from lifeline.nlu.parser import warm_up as warm_up_parser
    from lifeline.security.masking import warm_up as warm_up_masking

    await asyncio.to_thread(warm_up_masking)
    await asyncio.to_thread(warm_up_parser)
    try:
        async with transaction(context.sessionmaker) as session:
            await context.knowledge.load(session)
    except Exception:
        # Not ready yet (e.g. migrations pending): /readyz says so; searches load lazily.
        log.warning("help-center index not loaded at start-up", exc_info=True)


def _error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LifelineError)
    async def lifeline_error(_request: Request, error: LifelineError) -> JSONResponse:
        response = JSONResponse(error.to_dict(), status_code=error.status_code)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "location": [str(part) for part in problem.get("loc", ())],
                "message": problem.get("msg", "invalid"),
                "type": problem.get("type", "invalid"),
            }
            for problem in error.errors()
        ]
        return _error_response(422, "invalid", "The request is not valid.", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else "HTTP error"
        response = _error_response(error.status_code, f"http_{error.status_code}", message)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(OverflowError)
    async def number_out_of_range(_request: Request, _error: OverflowError) -> JSONResponse:
        # A client's number too large for the database: their input, not our failure.
        return _error_response(422, "out_of_range", "A number in the request is out of range.")

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        if _is_overflow(error):
            return await number_out_of_range(request, OverflowError())
        log.exception("unhandled error", exc_info=error)
        return _error_response(500, "internal", "Something went wrong on our side.")


def _is_overflow(error: BaseException) -> bool:
    """Database drivers wrap an integer overflow in their own errors."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OverflowError) or "out of range" in str(seen).lower():
            return isinstance(seen, (OverflowError, DBAPIError)) or "int" in str(seen).lower()
        seen = seen.__cause__ or seen.__context__
    return False


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or (context.settings if context else get_settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or build_context(settings)
        app.state.context = ctx
        if context is None:
            await _warm_up(ctx)
        stop = asyncio.Event()
        background: list[asyncio.Task[None]] = []
        if settings.outbox_in_process:
            # The embedded setup: background work runs in the server. The SLA sweep takes an
            # advisory lock on PostgreSQL, so several nodes doing this is safe too.
            ctx.outbox.app = app
            background.append(asyncio.create_task(ctx.outbox.run_forever(stop)))
            background.append(asyncio.create_task(run_sla_sweeper(ctx.sessionmaker, stop)))
            # Inbound email and Telegram, when configured (see lifeline.channels.runner).
            background.extend(start_channels(ctx, stop))
        try:
            yield
        finally:
            stop.set()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if context is None:
                await ctx.hub.aclose()
                await ctx.exchange.aclose()
                await ctx.engine.dispose()

    app = FastAPI(
        title="Lifeline",
        version=__version__,
        description="Customer support for cryptocurrency exchanges.",
        lifespan=lifespan,
    )
    if context is not None:
        app.state.context = context
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        upload_max_bytes=settings.max_upload_bytes,
        upload_prefixes=("/api/v1/",),
    )
    app.add_middleware(
        SecurityHeaders,
        frame_ancestors=settings.widget_allowed_origins,
        hsts=settings.public_base_url.startswith("https://"),
    )
    app.include_router(accounts_router)
    app.include_router(security_router)
    app.include_router(attachments_router)
    app.include_router(duplicate_check_router)
    app.include_router(tickets_router)
    app.include_router(kb_router)
    app.include_router(incidents_router)
    app.include_router(livechat_router)
    app.include_router(livechat_customer_router)
    app.include_router(agent_live_router)
    app.include_router(conversations_router)
    app.include_router(live_router)
    app.include_router(pages_router)
    app.include_router(security_pages_router)
    app.include_router(customer_pages_router)
    app.include_router(demo_router)
    app.include_router(console_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz(request: Request) -> JSONResponse:
        ctx: AppContext = request.app.state.context
        checks: dict[str, str] = {}
        try:
            async with ctx.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = await current_revision(ctx.engine)
            head = head_revision(ctx.settings)
            checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
        except Exception as error:  # readiness reports, never raises
            checks.setdefault("database", f"unreachable: {type(error).__name__}")
        ready = all(value == "ok" for value in checks.values()) and len(checks) == 2
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
