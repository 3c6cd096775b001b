"""Read-through cache with per-kind TTL, singleflight and stale fallback (aiocache backends)."""

from __future__ import annotations

import asyncio
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

from services.kernel import deadline
from services.kernel.errors import (
    DataUnavailableError,
    Reason,
    UnknownInstrumentError,
    UpstreamError,
)
from services.kernel.fallback_backend import (
    SOCKET_SECONDS,
    FallbackCache,
    RedisLink,
    redis_retry,
)
from services.kernel.fleet_flight import FleetFlight
from services.kernel.metrics import Metrics
from services.kernel.modules import sources_of
from services.kernel.singleflight import FlightTimeout, LeaderGone, SingleFlight, follow

M = TypeVar("M", bound=BaseModel)
REDIS_POOL = 32


def make_backend(
    redis_url: str, namespace: str = "cryptobot", link: RedisLink | None = None
) -> BaseCache:
    """With REDIS_URL: Redis, and this process's memory while Redis does not answer."""
    memory = SimpleMemoryCache(serializer=JsonSerializer(), namespace=namespace, timeout=None)
    if redis_url:
        from urllib.parse import urlparse

        url = urlparse(redis_url)
        db = int(url.path.lstrip("/") or 0)
        redis = RedisCache(
            serializer=JsonSerializer(),
            endpoint=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=db,
            password=url.password,
            namespace=namespace,
            # A burst of lookups queues for a connection instead of failing with
            # MaxConnectionsError (the default pool raises once it is full).
            connection_pool_class=BlockingConnectionPool,
            connection_pool_kwargs={
                "timeout": 2,
                "socket_timeout": SOCKET_SECONDS,
                "retry": redis_retry(),
            },
            pool_max_size=REDIS_POOL,
            create_connection_timeout=SOCKET_SECONDS,
            # Socket timeouts bound a hung Redis; aiocache's own timeout would wrap every
            # call in asyncio.wait_for, a task per lookup, which dominates a burst.
            timeout=None,
        )
        return FallbackCache(redis, memory, link or RedisLink(redis_url), slots=REDIS_POOL)
    return memory


SLOW = "the source is slow to answer"
# How long past its own deadline a follower waits for the refresh it shares: the leader has
# the same kind of deadline, began earlier, and names the sources that failed when it ends.
LEADER_GRACE_SECONDS = 0.25
CLEAR_WAIT_SECONDS = 2.0  # how long a clear waits for the refreshes it abandons to end


def _stale_after() -> float | None:
    """How long someone waiting in a chat waits for fresh data when an old copy could answer:
    the source's hedge delay, then as long again for the fallback started beside it."""
    chat = deadline.current()
    return None if chat is None else min(chat.remaining(), 2 * chat.hedge_after)


def _observed(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # a refresh left running after the answer went out: nobody waits


@dataclass(frozen=True)
class Cached(Generic[M]):
    value: M
    stale: bool = False
    age_seconds: float = 0.0
    error: str | None = None  # why a stale value was served
    cause: UpstreamError | None = None  # the failure behind it; None: the source was slow


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
        shared: bool = False,
    ) -> None:
        self._backend = backend
        # Several replicas share the backend (Redis): a refresh also takes the key's lease.
        self._fleet = FleetFlight(backend) if shared else None
        self._metrics = metrics
        self._max_stale = max_stale
        self._clock = clock
        self._enabled = enabled
        self._flight: SingleFlight[Cached[Any]] = SingleFlight()
        self._counters: dict[tuple[str, str], Any] = {}
        self._behind: dict[str, asyncio.Task[Any]] = {}

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
        running = self._flight.joining(key)
        if running is not None:
            # A refresh is under way: share it rather than read the backend again; someone
            # waiting in a chat shares it only until the old copy is the better answer.
            try:
                result: Cached[M] = await asyncio.wait_for(follow(running), _stale_after())
            except LeaderGone:  # its leader's caller was cancelled: this caller leads now
                return await self.get_or_fetch(kind, key, model, ttl, fetch)
            except TimeoutError:
                last = await self._read(key)
                if last is not None and self._clock() - last[0] <= ttl + self._max_stale:
                    return self._stale(kind, last, model, SLOW)
                try:
                    result = await self._outcome_of(kind, running)
                except LeaderGone:
                    return await self.get_or_fetch(kind, key, model, ttl, fetch)
            self._count(kind, "coalesced")
            return result
        entry = await self._read(key)
        age = self._clock() - entry[0] if entry is not None else 0.0
        if entry is not None and age < ttl:
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
            if self._fleet is not None and not await self._fleet.lead(
                key, lambda: self._arrived(key, ttl)
            ):
                stored = await self._read(key)  # another replica's refresh, just stored
                if stored is not None:
                    age = self._clock() - stored[0]
                    return Cached(value=model.model_validate(stored[1]), age_seconds=age)
            try:
                return await fetch_and_store()
            finally:
                if self._fleet is not None:
                    await self._fleet.release(key)

        async def fetch_and_store() -> Cached[Any]:
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
                            cause=exc,
                        )
                raise
            await self._write(key, value, ttl)
            return Cached(value=value)

        if deadline.current() is None or entry is None or age > ttl + self._max_stale:
            try:
                result, shared = await self._flight.do(key, refresh)
            except FlightTimeout:
                raise self._timed_out(kind) from None
        else:
            # Someone waits and an old copy exists: the source (and the fallback hedged beside
            # it) get their chance, then the old copy answers while the refresh goes on.
            flight = asyncio.ensure_future(self._flight.do(key, refresh))
            flight.add_done_callback(_observed)
            try:
                result, shared = await asyncio.wait_for(asyncio.shield(flight), _stale_after())
            except TimeoutError:
                return self._stale(kind, entry, model, SLOW)
        if shared:
            self._count(kind, "coalesced")
        return result

    async def _outcome_of(self, kind: str, running: asyncio.Future[Any]) -> Cached[Any]:
        """A refresh's outcome for a follower with no old copy to fall back on. The leader
        shares this follower's kind of deadline (singleflight.py) and began earlier, so its
        own answer (naming the sources that failed) normally comes first; waiting a moment
        past the deadline for it beats guessing which source was slow."""
        left = deadline.remaining()
        if left is None:
            return await follow(running)
        try:
            return await asyncio.wait_for(follow(running), left + LEADER_GRACE_SECONDS)
        except TimeoutError:
            raise self._timed_out(kind) from None

    @staticmethod
    def _timed_out(kind: str) -> DataUnavailableError:
        """A shared refresh that outlasted a chat's deadline. Which of the module's sources
        it was waiting on is the leader's to know; the module's sources together are named."""
        return DataUnavailableError(kind, [(sources_of(kind), Reason.TIMEOUT)])

    async def _arrived(self, key: str, ttl: float) -> bool:
        entry = await self._read(key)
        return entry is not None and self._clock() - entry[0] < ttl

    def _stale(
        self, kind: str, entry: tuple[float, dict[str, Any]], model: type[M], why: str
    ) -> Cached[M]:
        self._count(kind, "stale")
        return Cached(
            value=model.model_validate(entry[1]),
            stale=True,
            age_seconds=self._clock() - entry[0],
            error=why,
        )

    async def _stale_or_timeout(self, kind: str, key: str, model: type[M], why: str) -> Cached[M]:
        last = await self._read(key)
        if last is None:
            raise self._timed_out(kind)
        return self._stale(kind, last, model, why)

    async def get_or_refresh_behind(
        self,
        kind: str,
        key: str,
        model: type[M],
        ttl: float,
        fetch: Callable[[], Awaitable[M]],
    ) -> Cached[M]:
        """For a reference list every answer needs (the instrument catalogue): under a chat
        deadline a refresh runs in the background with the jobs' patience, is waited on only
        until the hedge delay, and the last good copy answers meanwhile."""
        chat = deadline.current()
        if chat is None or not self._enabled:
            return await self.get_or_fetch(kind, key, model, ttl, fetch)
        entry = await self._read(key)
        if entry is not None and self._clock() - entry[0] < ttl:
            self._count(kind, "hit")
            return Cached(
                value=model.model_validate(entry[1]), age_seconds=self._clock() - entry[0]
            )
        task = self._behind.get(key)
        if task is None:
            with deadline.unbounded():
                task = asyncio.create_task(self.get_or_fetch(kind, key, model, ttl, fetch))
            self._behind[key] = task
            task.add_done_callback(lambda done: self._behind_done(key, done))
        try:
            return await asyncio.wait_for(
                asyncio.shield(task), min(chat.hedge_after, chat.remaining())
            )
        except TimeoutError:
            return await self._stale_or_timeout(kind, key, model, "refresh still running")

    def _behind_done(self, key: str, task: asyncio.Task[Any]) -> None:
        self._behind.pop(key, None)
        _observed(task)

    async def clear(self) -> None:
        """Drops every entry, stale copies included, and abandons the refreshes left running
        in the background: the next read asks upstream afresh. The abandoned ones are waited
        for (a little) before the entries go: one finishing after would store its value again."""
        tasks = list(self._behind.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CLEAR_WAIT_SECONDS)
        await self._backend.clear()

    async def close(self) -> None:
        for task in list(self._behind.values()):
            task.cancel()
        await self._backend.close()
