"""Two replicas sharing Redis make one upstream call per key, not one each; a holder that
fails or dies does not leave the other waiting for ever."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from services.kernel.cache import ResilientCache, make_backend
from services.kernel.errors import TransientError
from services.kernel.metrics import Metrics
from tests.unit.test_cache import Price, Upstream

Replicas = tuple[ResilientCache, ResilientCache, str]


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[Replicas]:
    namespace = f"fleet-{uuid.uuid4().hex}"  # one fleet, alone in the shared Redis
    made = [
        ResilientCache(make_backend(redis_url, namespace=namespace), Metrics(), shared=True)
        for _ in range(2)
    ]
    yield made[0], made[1], namespace
    for cache in made:
        await cache.close()


async def test_a_burst_split_across_two_replicas_is_one_upstream_call(
    replicas: Replicas,
) -> None:
    a, b, _ = replicas
    upstream = Upstream()
    upstream.delay = 0.2
    asks = [c.get_or_fetch("ticker", "k", Price, 5.0, upstream) for c in (a, b) * 50]
    got = await asyncio.gather(*asks)
    assert upstream.calls == 1
    assert {g.value.value for g in got} == {101.0}


async def test_without_sharing_each_replica_would_call(redis_url: str) -> None:
    """The baseline the lease removes: the same two replicas without it call twice."""
    namespace = f"fleet-{uuid.uuid4().hex}"
    a, b = (
        ResilientCache(make_backend(redis_url, namespace=namespace), Metrics()) for _ in range(2)
    )
    upstream = Upstream()
    upstream.delay = 0.2
    await asyncio.gather(*(c.get_or_fetch("ticker", "k", Price, 5.0, upstream) for c in (a, b)))
    assert upstream.calls == 2
    await a.close()
    await b.close()


async def test_a_holder_that_fails_hands_the_refresh_on_at_once(replicas: Replicas) -> None:
    a, b, _ = replicas
    failing = Upstream()
    failing.fail = True
    failing.delay = 0.1
    working = Upstream()
    first = asyncio.create_task(a.get_or_fetch("ticker", "k", Price, 5.0, failing))
    await asyncio.sleep(0.02)  # a holds the lease
    second = await b.get_or_fetch("ticker", "k", Price, 5.0, working)
    with pytest.raises(TransientError):
        await first
    assert second.value.value == 101.0 and working.calls == 1


async def test_a_holder_that_died_is_not_waited_for_past_its_lease(
    replicas: Replicas, redis_url: str
) -> None:
    _a, b, namespace = replicas
    killed = make_backend(redis_url, namespace=namespace)
    # A replica that took the lease and was killed: nobody will store the value or release it.
    await killed.add("lease:k", "killed-replica", ttl=0.3)
    upstream = Upstream()
    # Far less than the 5 s a waiter gives a live holder: the lease lapsing is what ends it.
    got = await asyncio.wait_for(b.get_or_fetch("ticker", "k", Price, 5.0, upstream), 2.0)
    assert got.value.value == 101.0 and upstream.calls == 1
    await killed.close()
