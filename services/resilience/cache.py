"""Read-through cache with per-kind TTL, singleflight and stale fallback (aiocache backends)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiocache import RedisCache, SimpleMemoryCache
from aiocache.base import BaseCache
from aiocache.serializers import JsonSerializer
from loguru import logger
from pydantic import BaseModel
from redis.asyncio import BlockingConnectionPool

from services.errors import UnknownInstrumentError, UpstreamError
from services.metrics import Metrics
from services.resilience.singleflight import SingleFlight

M = TypeVar("M", bound=BaseModel)


def make_backend(redis_url: str, namespace: str = "cryptobot") -> BaseCache:
    if redis_url:
        from urllib.parse import urlparse

        url = urlparse(redis_url)
        db = int(url.path.lstrip("/") or 0)
        return RedisCache(
            serializer=JsonSerializer(),
            endpoint=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=db,
            password=url.password,
            namespace=namespace,
            # A burst of lookups queues for a connection instead of failing with
            # MaxConnectionsError (the default pool raises once it is full).
            connection_pool_class=BlockingConnectionPool,
            connection_pool_kwargs={"timeout": 2, "socket_timeout": 1.0},
            pool_max_size=32,
            create_connection_timeout=2,
            # Socket timeouts bound a hung Redis; aiocache's own timeout would wrap every
            # call in asyncio.wait_for, a task per lookup, which dominates a burst.
            timeout=None,
        )
    return SimpleMemoryCache(serializer=JsonSerializer(), namespace=namespace, timeout=None)


@dataclass(frozen=True)
class Cached(Generic[M]):
    value: M
    stale: bool = False
    age_seconds: float = 0.0
    error: str | None = None  # why a stale value was served


async def fetch_nothing() -> Cached[Any]:
    raise AssertionError("only called when no refresh is in flight")


class ResilientCache:
    """One entry per key holds the last good value and when it was stored.

    Fresh (younger than the kind's TTL) -> served at once. Older -> refreshed through
    singleflight; if the refresh fails and the entry is younger than `max_stale`, it is
    served with `stale=True` and its age.
    """

    def __init__(
        self,
        backend: BaseCache,
        metrics: Metrics,
        *,
        max_stale: float = 600.0,
        clock: Callable[[], float] = time.time,
        enabled: bool = True,
    ) -> None:
        self._backend = backend
        self._metrics = metrics
        self._max_stale = max_stale
        self._clock = clock
        self._enabled = enabled
        self._flight: SingleFlight[Cached[Any]] = SingleFlight()
        self._counters: dict[tuple[str, str], Any] = {}

    def _count(self, kind: str, result: str) -> None:
        # labels() takes a lock and builds a key per call; a burst pays it once per kind.
        counter = self._counters.get((kind, result))
        if counter is None:
            metric = (
                self._metrics.coalesced if result == "coalesced" else self._metrics.cache_events
            )
            labels = {"kind": kind} if result == "coalesced" else {"kind": kind, "result": result}
            counter = self._counters[(kind, result)] = metric.labels(**labels)
        counter.inc()

    async def _read(self, key: str) -> tuple[float, dict[str, Any]] | None:
        try:
            raw = await self._backend.get(key)
        except Exception as exc:  # a cache outage must not fail the answer
            logger.warning("cache read failed: {}", type(exc).__name__)
            return None
        if not isinstance(raw, dict) or "t" not in raw or "v" not in raw:
            return None
        return float(raw["t"]), raw["v"]

    async def _write(self, key: str, value: BaseModel, ttl: float) -> None:
        entry = {"t": self._clock(), "v": value.model_dump(mode="json")}
        try:
            # Kept past its TTL so it can still be served stale when upstream fails.
            await self._backend.set(key, entry, ttl=float(ttl + self._max_stale))
        except Exception as exc:
            logger.warning("cache write failed: {}", type(exc).__name__)

    async def get_or_fetch(
        self,
        kind: str,
        key: str,
        model: type[M],
        ttl: float,
        fetch: Callable[[], Awaitable[M]],
    ) -> Cached[M]:
        if not self._enabled:
            return Cached(value=await fetch())
        if self._flight.in_flight(key):
            # A refresh is under way: share it rather than read the backend again.
            result, _ = await self._flight.do(key, fetch_nothing)
            self._count(kind, "coalesced")
            return result
        entry = await self._read(key)
        if entry is not None:
            age = self._clock() - entry[0]
            if age < ttl:
                self._count(kind, "hit")
                return Cached(value=model.model_validate(entry[1]), age_seconds=age)
        self._count(kind, "miss")

        async def refresh() -> Cached[Any]:
            # Checked again inside the flight: a miss read before another refresh wrote, but
            # answered after it ended (a queued Redis read), must not call upstream again.
            latest = await self._read(key)
            if latest is not None and self._clock() - latest[0] < ttl:
                return Cached(
                    value=model.model_validate(latest[1]), age_seconds=self._clock() - latest[0]
                )
            try:
                value = await fetch()
            except UnknownInstrumentError:
                raise
            except UpstreamError as exc:
                last = await self._read(key)
                if last is not None:
                    age = self._clock() - last[0]
                    if age <= ttl + self._max_stale:
                        self._count(kind, "stale")
                        return Cached(
                            value=model.model_validate(last[1]),
                            stale=True,
                            age_seconds=age,
                            error=str(exc),
                        )
                raise
            await self._write(key, value, ttl)
            return Cached(value=value)

        result, shared = await self._flight.do(key, refresh)
        if shared:
            self._count(kind, "coalesced")
        return result

    async def close(self) -> None:
        await self._backend.close()
