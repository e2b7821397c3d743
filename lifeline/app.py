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
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeline import __version__
from lifeline.accounts.routes import router as accounts_router
from lifeline.config import Settings, get_settings
from lifeline.context import AppContext
from lifeline.db import create_engine, create_sessionmaker
from lifeline.errors import LifelineError
from lifeline.exchange.service import build_exchange_adapter
from lifeline.migrations import current_revision, head_revision
from lifeline.outbox.worker import OutboxWorker
from lifeline.security.routes import router as security_router

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
    )


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

    @app.exception_handler(Exception)
    async def unexpected_error(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=error)
        return _error_response(500, "internal", "Something went wrong on our side.")


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or (context.settings if context else get_settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or build_context(settings)
        app.state.context = ctx
        stop = asyncio.Event()
        worker_task: asyncio.Task[None] | None = None
        if settings.outbox_in_process:
            ctx.outbox.app = app
            worker_task = asyncio.create_task(ctx.outbox.run_forever(stop))
        try:
            yield
        finally:
            stop.set()
            if worker_task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            if context is None:
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
    app.include_router(accounts_router)
    app.include_router(security_router)

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
