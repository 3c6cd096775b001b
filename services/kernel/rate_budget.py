"""Request budget per vendor: a moving window (`limits`), in memory or shared through Redis."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from services.kernel.errors import BudgetExhaustedError
from services.kernel.fallback_backend import (
    SOCKET_SECONDS,
    FallbackStorage,
    RedisLink,
    redis_retry,
)


def make_storage(redis_url: str, link: RedisLink | None = None) -> Storage:
    """With REDIS_URL: shared through Redis, and kept in this process while Redis does not
    answer (`link` tells the cache and the limits apart from one outage, noticed once)."""
    if redis_url:
        redis = RedisStorage(
            redis_url.replace("redis://", "async+redis://", 1)
            if redis_url.startswith("redis://")
            else redis_url,
            implementation="redispy",
            key_prefix="cryptobot-rate",
            socket_timeout=SOCKET_SECONDS,
            socket_connect_timeout=SOCKET_SECONDS,
            **cast(dict[str, Any], {"retry": redis_retry()}),  # passed on to redis-py
        )
        return FallbackStorage(redis, link or RedisLink(redis_url))
    return MemoryStorage()


class RateBudget:
    """Never lets more than `limit` requests per `seconds` leave for one vendor.

    When the window is spent the caller waits up to `max_wait` for room, then gets
    `BudgetExhaustedError` (the caller serves cached/stale data or says `rate_limited`).
    """

    def __init__(self, storage: Storage, max_wait: float = 1.0) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {}
        self._max_wait = max_wait

    def configure(self, key: str, limit: int, seconds: int) -> None:
        """A vendor's budget (`okx`), or an endpoint family's (`okx:rubik`)."""
        self._items[key] = RateLimitItemPerSecond(limit, seconds)

    async def acquire(
        self,
        vendor: str,
        endpoint: str = "",
        max_wait: float | None = None,
        key: str | None = None,
    ) -> None:
        """`max_wait` shortens the wait (what is left of a chat answer's deadline); `key`
        names a budget other than the vendor's own (an endpoint family's)."""
        key = key or vendor
        item = self._items.get(key)
        if item is None:
            return
        wait = self._max_wait if max_wait is None else min(self._max_wait, max_wait)
        deadline = time.monotonic() + wait
        while not await self._limiter.hit(item, key):
            stats = await self._limiter.get_window_stats(item, key)
            pause = max(0.01, stats.reset_time - time.time())
            if time.monotonic() + pause > deadline:
                raise BudgetExhaustedError(vendor, endpoint, "request budget spent")
            await asyncio.sleep(pause)
