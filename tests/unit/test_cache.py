from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiocache import SimpleMemoryCache
from aiocache.serializers import JsonSerializer
from pydantic import BaseModel

from services.kernel.cache import ResilientCache, make_backend
from services.kernel.deadline import answer_within
from services.kernel.errors import (
    DataUnavailableError,
    Reason,
    TransientError,
    UnknownInstrumentError,
)
from services.kernel.metrics import Metrics


class Price(BaseModel):
    value: float


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.delay = 0.0

    async def __call__(self) -> Price:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise TransientError("okx", "ticker", "HTTP 500")
        return Price(value=100.0 + self.calls)


@pytest.fixture(params=["memory", "redis"])
async def cache_parts(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[ResilientCache, Clock]]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    clock = Clock()
    backend = make_backend(url, namespace=f"test-{uuid.uuid4().hex}")
    cache = ResilientCache(backend, Metrics(), max_stale=60.0, clock=clock)
    yield cache, clock
    await cache.close()


async def test_fresh_entry_is_served_without_upstream_call(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, clock = cache_parts
    upstream = Upstream()
    first = await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    clock.now += 0.29
    second = await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    assert upstream.calls == 1
    assert first.value == second.value and not second.stale


async def test_entry_older_than_ttl_is_refetched(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, clock = cache_parts
    upstream = Upstream()
    await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    clock.now += 0.31
    again = await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    assert upstream.calls == 2 and again.value.value == 102


async def test_concurrent_identical_requests_share_one_upstream_call(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, _ = cache_parts
    upstream = Upstream()
    upstream.delay = 0.05
    results = await asyncio.gather(
        *(cache.get_or_fetch("ticker", "k", Price, 0.3, upstream) for _ in range(200))
    )
    assert upstream.calls == 1
    assert {r.value.value for r in results} == {101}


async def test_a_cancelled_leader_hands_the_call_to_its_followers(cache_parts) -> None:  # type: ignore[no-untyped-def]
    """The first asker's chat deadline cancels it mid-call: the others were not cancelled, and
    get the value (one of them calls again) instead of someone else's cancellation."""
    cache, _ = cache_parts
    upstream = Upstream()
    upstream.delay = 0.05
    leader = asyncio.create_task(cache.get_or_fetch("ticker", "k", Price, 0.3, upstream))
    await asyncio.sleep(0.01)  # the leader is inside the upstream call
    followers = [
        asyncio.create_task(cache.get_or_fetch("ticker", "k", Price, 0.3, upstream))
        for _ in range(5)
    ]
    await asyncio.sleep(0.01)
    leader.cancel()
    results = await asyncio.gather(*followers, return_exceptions=True)
    values = {r.value.value for r in results}  # type: ignore[union-attr]
    assert values == {102}  # the second call's value, for all five
    assert upstream.calls == 2  # the cancelled call, and one taken over for all five
    assert leader.cancelled()


async def test_a_failure_is_shared_too_not_retried_by_every_waiter(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, _ = cache_parts
    upstream = Upstream()
    upstream.fail, upstream.delay = True, 0.05
    results = await asyncio.gather(
        *(cache.get_or_fetch("ticker", "k", Price, 0.3, upstream) for _ in range(50)),
        return_exceptions=True,
    )
    assert upstream.calls == 1
    assert all(isinstance(r, TransientError) for r in results)


async def test_last_good_value_is_served_stale_with_its_age(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, clock = cache_parts
    upstream = Upstream()
    await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    upstream.fail = True
    clock.now += 30
    served = await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    assert served.stale and served.value.value == 101
    assert served.age_seconds == pytest.approx(30, abs=0.01)
    assert served.error is not None and "HTTP 500" in served.error


async def test_nothing_older_than_the_maximum_stale_age_is_served(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, clock = cache_parts
    upstream = Upstream()
    await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)
    upstream.fail = True
    clock.now += 0.3 + 60 + 1
    with pytest.raises(TransientError):
        await cache.get_or_fetch("ticker", "k", Price, 0.3, upstream)


async def test_unknown_instrument_is_never_answered_from_stale(cache_parts) -> None:  # type: ignore[no-untyped-def]
    cache, clock = cache_parts
    await cache.get_or_fetch("ticker", "k", Price, 0.3, Upstream())
    clock.now += 1

    async def delisted() -> Price:
        raise UnknownInstrumentError("okx", "ticker", "51001")

    with pytest.raises(UnknownInstrumentError):
        await cache.get_or_fetch("ticker", "k", Price, 0.3, delisted)


async def test_disabled_cache_calls_upstream_every_time() -> None:
    cache = ResilientCache(make_backend(""), Metrics(), enabled=False)
    upstream = Upstream()
    for _ in range(3):
        await cache.get_or_fetch("ticker", "k", Price, 10, upstream)
    assert upstream.calls == 3


async def test_cache_hits_misses_and_coalescing_are_counted() -> None:
    metrics = Metrics()
    cache = ResilientCache(make_backend("", namespace="m"), metrics)
    upstream = Upstream()
    upstream.delay = 0.02
    await asyncio.gather(
        *(cache.get_or_fetch("ticker", "k", Price, 10, upstream) for _ in range(5))
    )
    await cache.get_or_fetch("ticker", "k", Price, 10, upstream)
    sample = metrics.registry.get_sample_value
    assert sample("coalesced_requests_total", {"kind": "ticker"}) == 4
    assert sample("cache_events_total", {"kind": "ticker", "result": "hit"}) == 1
    assert sample("cache_events_total", {"kind": "ticker", "result": "miss"}) == 1  # the leader


class SlowSecondRead(SimpleMemoryCache):  # type: ignore[misc]
    """Every lookup yields (as a network read does); the second answers late, as a queued
    Redis read does under load."""

    def __init__(self, delay: float) -> None:
        super().__init__(serializer=JsonSerializer(), timeout=None)
        self.delay = delay
        self.reads = 0

    async def get(self, key: str, *args: object, **kwargs: object) -> object:
        self.reads += 1
        number = self.reads
        await asyncio.sleep(0)
        answer = await super().get(key, *args, **kwargs)
        if number == 2:
            await asyncio.sleep(self.delay)  # "miss", delivered after the leader is done
        return answer


async def test_a_miss_answered_after_the_refresh_ended_does_not_call_upstream_again() -> None:
    upstream = Upstream()
    upstream.delay = 0.02
    cache = ResilientCache(SlowSecondRead(delay=0.1), Metrics())
    first, late = await asyncio.gather(
        cache.get_or_fetch("ticker", "k", Price, 10, upstream),
        cache.get_or_fetch("ticker", "k", Price, 10, upstream),
    )
    assert upstream.calls == 1
    assert first.value == late.value


async def test_a_chat_answer_never_joins_a_jobs_refresh(cache_parts) -> None:  # type: ignore[no-untyped-def]
    """A job's refresh runs with the jobs' patience (the vendor's whole timeout and retries);
    an answer someone waits for starts its own, which its deadline and hedge bound, and
    answers shared among themselves still make one call."""
    cache, _ = cache_parts
    job_call = Upstream()
    job_call.delay = 5.0  # hanging, as far as any chat is concerned
    job = asyncio.create_task(cache.get_or_fetch("ticker", "k", Price, 0.3, job_call))
    await asyncio.sleep(0.01)
    chat_call = Upstream()
    chat_call.delay = 0.05

    async def answer() -> float:
        with answer_within(2.0, hedge_after=0.5):
            return (await cache.get_or_fetch("ticker", "k", Price, 0.3, chat_call)).value.value

    values = await asyncio.wait_for(asyncio.gather(*(answer() for _ in range(20))), 1.5)
    assert values == [101.0] * 20 and chat_call.calls == 1
    assert not job.done() and job_call.calls == 1
    job.cancel()


async def test_a_follower_waits_no_longer_than_its_deadline_and_names_the_sources() -> None:
    """Its leader stuck past its own deadline (a hung store, say): the follower is answered
    when its deadline and a short grace are over, with the module's sources named."""
    cache = ResilientCache(make_backend(""), Metrics(), max_stale=60.0)
    stuck = Upstream()
    stuck.delay = 5.0
    with answer_within(0.3, hedge_after=0.1):
        leader = asyncio.create_task(cache.get_or_fetch("ticker", "k", Price, 0.3, stuck))
        await asyncio.sleep(0.01)
        with pytest.raises(DataUnavailableError) as failed:
            await asyncio.wait_for(cache.get_or_fetch("ticker", "k", Price, 0.3, stuck), 2.0)
    assert failed.value.failures == [("OKX/CoinAPI", Reason.TIMEOUT)]
    assert stuck.calls == 1
    leader.cancel()
    await cache.close()
