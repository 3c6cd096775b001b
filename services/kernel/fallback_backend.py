"""Redis with an in-process twin. While Redis answers, the cache (aiocache) and the rate limits
(`limits`) live there, shared by every replica; when it is refused, hangs or drops the
connection, this process keeps its cache, locks and limits in its own memory (each replica
then limits on its own) and goes back to Redis once a probe gets an answer.

Neither aiocache nor `limits` falls back by itself (aiocache raises the client's error, and
`limits`' own fallback is for its sync strategies only), so this thin wrapper is ours."""

from __future__ import annotations

import asyncio
from typing import Any

from limits.aio.storage import (
    MemoryStorage,
    MovingWindowSupport,
    SlidingWindowCounterSupport,
    Storage,
)
from limits.errors import StorageError
from loguru import logger
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from services.kernel.outage import Outage

# Bounds every Redis call: a hung Redis costs a caller this once, then the fallback is used
# without waiting until a probe gets an answer.
SOCKET_SECONDS = 1.0
REDIS_ERRORS = (RedisError, OSError, StorageError)  # OSError covers TimeoutError


def redis_retry() -> Retry:
    """One immediate retry on a connection error, none on a timeout. After an outage the
    pooled sockets are dead: the retry reconnects the same connection instead of calling
    Redis down again; a refused connect fails twice at once; a hung Redis is waited on once."""
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


class RedisLink:
    """This process's view of one Redis: whether it answers (`outage`), shared by the cache and
    the rate limits so an outage is noticed, logged and reported once."""

    def __init__(self, url: str, *, probe_seconds: float = 10.0) -> None:
        self.url = url
        self._client: Redis = Redis.from_url(
            url,
            socket_timeout=SOCKET_SECONDS,
            socket_connect_timeout=SOCKET_SECONDS,
            retry=redis_retry(),
        )
        self.outage = Outage(
            "redis",
            self._ping,
            fallback="cache, locks and rate limits are kept in this process",
            probe_seconds=probe_seconds,
        )
        self._closed = False

    async def _ping(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.outage.close()
        await self._client.aclose()


class FallbackCache:
    """An aiocache backend (get/set/add/delete/exists/clear/close): Redis while it answers, the
    in-process twin while it does not.

    `slots` is the Redis pool's size: callers queue here, not in the pool, so one that waited
    for a connection sees an outage that began meanwhile and does not wait on Redis again."""

    def __init__(self, redis: Any, memory: Any, link: RedisLink, *, slots: int) -> None:
        self._redis = redis
        self._memory = memory
        self._link = link
        self._outage = link.outage
        self._slots = asyncio.Semaphore(slots)

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if not self._outage.down:
            async with self._slots:
                if not self._outage.down:
                    try:
                        return await getattr(self._redis, method)(*args, **kwargs)
                    except REDIS_ERRORS as exc:
                        self._outage.failed(exc)
        return await getattr(self._memory, method)(*args, **kwargs)

    async def get(self, key: str, default: Any = None) -> Any:
        return await self._call("get", key, default)

    async def set(self, key: str, value: Any, ttl: float | None = None) -> Any:
        return await self._call("set", key, value, ttl=ttl)

    async def delete(self, key: str) -> Any:
        return await self._call("delete", key)

    async def add(self, key: str, value: Any, ttl: float | None = None) -> Any:
        """Set only if absent (ValueError when present): the fleet's refresh lease."""
        return await self._call("add", key, value, ttl=ttl)

    async def exists(self, key: str) -> Any:
        return await self._call("exists", key)

    async def clear(self) -> Any:
        return await self._call("clear")

    async def close(self) -> None:
        try:
            await self._redis.close()
        except REDIS_ERRORS as exc:
            logger.debug("redis cache close: {}", type(exc).__name__)
        await self._memory.close()
        await self._link.close()  # idempotent: the cache and the limits may share one


class FallbackStorage(Storage, MovingWindowSupport, SlidingWindowCounterSupport):
    """A `limits` storage for the moving-window limiter (vendor budgets) and the sliding-window
    counter (the per-user throttle): Redis while it answers, an in-process MemoryStorage while
    it does not."""

    def __init__(self, redis: Storage, link: RedisLink) -> None:
        super().__init__()
        self._redis = redis
        self._memory = MemoryStorage()
        self._link = link
        self._outage = link.outage

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return StorageError

    async def _call(self, method: str, *args: Any) -> Any:
        if not self._outage.down:
            try:
                return await getattr(self._redis, method)(*args)
            except REDIS_ERRORS as exc:
                self._outage.failed(exc)
        return await getattr(self._memory, method)(*args)

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(await self._call("incr", key, expiry, amount))

    async def get(self, key: str) -> int:
        return int(await self._call("get", key))

    async def get_expiry(self, key: str) -> float:
        return float(await self._call("get_expiry", key))

    async def check(self) -> bool:
        return not self._outage.down and bool(await self._call("check"))

    async def reset(self) -> int | None:
        result = await self._call("reset")
        return None if result is None else int(result)

    async def clear(self, key: str) -> None:
        await self._call("clear", key)

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return bool(await self._call("acquire_entry", key, limit, expiry, amount))

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        start, count = await self._call("get_moving_window", key, limit, expiry)
        return float(start), int(count)

    async def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        return bool(await self._call("acquire_sliding_window_entry", key, limit, expiry, amount))

    async def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        previous, previous_ttl, current, current_ttl = await self._call(
            "get_sliding_window", key, expiry
        )
        return int(previous), float(previous_ttl), int(current), float(current_ttl)

    async def clear_sliding_window(self, key: str, expiry: int) -> None:
        await self._call("clear_sliding_window", key, expiry)

    async def close(self) -> None:
        await self._link.close()
