"""Fixed-window rate limits per IP, customer or token: in memory on one node, Redis across many."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from fastapi import Depends, Request

from lifeline.errors import TooManyRequests


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> int:
        """Count one request; 0 if allowed, else the seconds until the window resets."""
        ...


class MemoryRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, limit: int, window_seconds: int) -> int:
        now = self._clock()
        window = int(now // window_seconds)
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window - 1}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        if count <= limit:
            return 0
        return max(1, math.ceil((window + 1) * window_seconds - now))


class RedisRateLimiter:
    """Shared counters, so a limit holds across every server process."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)

    async def hit(self, key: str, limit: int, window_seconds: int) -> int:
        now = time.time()
        window = int(now // window_seconds)
        redis_key = f"lifeline:rl:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds + 1)
            count, _ = await pipe.execute()
        if int(count) <= limit:
            return 0
        return max(1, math.ceil((window + 1) * window_seconds - now))

    async def aclose(self) -> None:
        await self._redis.aclose()


def build_rate_limiter(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def client_key(request: Request) -> str:
    """Who is calling, as precisely as the request tells: token, visitor, or IP."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        import hashlib

        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:24]
    visitor = request.headers.get("x-visitor-token")
    if visitor:
        return "visitor:" + visitor[-24:]
    return "ip:" + (request.client.host if request.client else "unknown")


def rate_limit(scope: str, limit: int, window_seconds: int = 60, *, per: str = "client") -> Any:
    """A dependency refusing the request with 429 once ``limit`` is exceeded in the window.
    ``per`` is "client" (token, visitor or IP) or "ip"."""

    async def check(request: Request) -> None:
        context = request.app.state.context
        if not context.settings.rate_limits_enabled:
            return
        who = (
            "ip:" + (request.client.host if request.client else "unknown")
            if per == "ip"
            else client_key(request)
        )
        retry_after = await context.limiter.hit(f"{scope}:{who}", limit, window_seconds)
        if retry_after:
            raise TooManyRequests(retry_after=retry_after)

    dependency: Callable[[Request], Awaitable[None]] = check
    return Depends(dependency)
