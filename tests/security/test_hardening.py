"""Hostile-input defences at the HTTP edge: headers, body limits, rate limits."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from lifeline.app import create_app
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.security.ratelimit import MemoryRateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("LIFELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def test_security_headers_on_pages_and_api(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/help/en/", "/api/v1/kb/search?q=x"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_widget_may_be_framed_only_by_configured_sites(
    context: AppContext, settings: Settings
) -> None:
    context.settings = settings.model_copy(
        update={"widget_allowed_origins": ["https://www.demoexchange.com"]}
    )
    app = create_app(context=context)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        csp = (await client.get("/healthz")).headers["content-security-policy"]
    assert "frame-ancestors 'self' https://www.demoexchange.com" in csp


async def test_oversize_bodies_are_refused_with_413(client: httpx.AsyncClient) -> None:
    big = b'{"text": "' + b"a" * 1_100_000 + b'"}'
    declared = await client.post(
        "/api/v1/security/scan", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "too_large"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"a" * 50_000

    streamed = await client.post(
        "/api/v1/security/scan", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_rate_limits_answer_429_with_retry_after(client: httpx.AsyncClient) -> None:
    statuses = []
    for _ in range(65):
        response = await client.get("/api/v1/verify", params={"value": "demoexchange.com"})
        statuses.append(response.status_code)
    assert statuses[:60] == [200] * 60
    assert statuses[-1] == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "rate_limited"


async def test_memory_limiter_windows() -> None:
    now = [1000.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    assert [await limiter.hit("k", 2, 10) for _ in range(3)] == [0, 0, 10]
    now[0] += 10
    assert await limiter.hit("k", 2, 10) == 0


@pytest.mark.database
async def test_redis_limiter_is_shared_between_processes() -> None:
    """Two limiters (two server processes) count against one Redis."""
    first, second = RedisRateLimiter(REDIS_URL), RedisRateLimiter(REDIS_URL)
    key = f"test:{secrets.token_hex(4)}"
    try:
        assert await first.hit(key, 2, 60) == 0
        assert await second.hit(key, 2, 60) == 0
        assert await first.hit(key, 2, 60) > 0
        assert await second.hit(key, 2, 60) > 0
    finally:
        await first.aclose()
        await second.aclose()
