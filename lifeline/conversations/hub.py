"""Real-time fan-out of conversation events: in-process on one node, Redis pub/sub across many.

Durable things (messages) are stored first and published after commit; a subscriber that
reconnects catches up from the database by the last message id it saw, so nothing is lost or
duplicated. Ephemeral things (typing, presence) are only published.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
Subscription = asyncio.Queue[dict[str, Any]]
RESYNC: dict[str, Any] = {"type": "resync"}


class Hub(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    async def aclose(self) -> None: ...


class LocalHub:
    """Subscribers of this process only."""

    def __init__(self) -> None:
        self._queues: dict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        self.deliver(channel, event)

    def deliver(self, channel: str, event: dict[str, Any]) -> None:
        for queue in list(self._queues.get(channel, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A slow client: drop what it missed and tell it to catch up from the database.
                log.warning("a subscriber of %s fell behind; asking it to resync", channel)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESYNC)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        queue: Subscription = asyncio.Queue(QUEUE_SIZE)
        self._queues[channel].add(queue)
        try:
            yield queue
        finally:
            self._queues[channel].discard(queue)
            if not self._queues[channel]:
                self._queues.pop(channel, None)

    async def aclose(self) -> None:
        self._queues.clear()


class RedisHub:
    """Publishes through Redis so that a customer on one node and an agent on another meet;
    each node relays what it receives to its own local subscribers."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)
        self._local = LocalHub()
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._channels: dict[str, int] = defaultdict(int)
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(f"lifeline:{channel}", json.dumps(event, default=str))

    async def _ensure_listener(self) -> None:
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
            # A subscription must exist before listen(); this one is never published to.
            await self._pubsub.subscribe("lifeline:__hub__")
            self._listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        assert self._pubsub is not None
        async for message in self._pubsub.listen():
            if message.get("type") != "message":
                continue
            channel = message["channel"].decode().removeprefix("lifeline:")
            try:
                self._local.deliver(channel, json.loads(message["data"]))
            except ValueError:
                log.warning("undecodable hub message on %s", channel)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        async with self._lock:
            await self._ensure_listener()
            if self._channels[channel] == 0:
                await self._pubsub.subscribe(f"lifeline:{channel}")
            self._channels[channel] += 1
        try:
            async with self._local.subscribe(channel) as queue:
                yield queue
        finally:
            async with self._lock:
                self._channels[channel] -= 1
                if self._channels[channel] == 0:
                    self._channels.pop(channel)
                    await self._pubsub.unsubscribe(f"lifeline:{channel}")

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self._redis.aclose()


def build_hub(redis_url: str) -> Hub:
    return RedisHub(redis_url) if redis_url else LocalHub()
