"""Redis refused, hung or cut (a TCP proxy between the bot and the real Redis): commands still
answer, from the in-process cache and rate limits, after at most one ~1 s wait; the outage is
logged once, shown in /status and told to the admins; Redis is used again once it answers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter

from services.delivery.deliveries import Pending
from services.delivery.models import HealthNotice, HealthPush
from services.kernel.alerts import AlertType
from services.kernel.cache import make_backend
from services.kernel.fallback_backend import RedisLink
from services.kernel.rate_budget import make_storage
from tests.fakes.outage_matrix import Matrix, matrix_fixture, seconds
from tests.fakes.stores import proxied_redis, until
from tests.fakes.tcp_proxy import TcpProxy
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import ADMIN, USER, Dispatch

pytestmark = pytest.mark.redis

matrix = matrix_fixture("Redis outages: outcome per check (REDIS_URL behind a TCP proxy)")
FAILED = "Something went wrong"
TICKER_KEY = "cryptobot:ticker:SOL-USDT"


@pytest.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    async with proxied_redis(redis_url) as proxied:
        yield proxied


async def timed(bot: Dispatch, text: str, **fields: object) -> tuple[float, str]:
    before = len(bot.texts())
    started = time.monotonic()
    await bot.command(text, **fields)  # type: ignore[arg-type]
    took = time.monotonic() - started
    answers = bot.texts()[before:]
    assert answers, f"{text}: no answer"
    return took, answers[-1]


def health(pending: Pending) -> HealthNotice:
    assert isinstance(pending.alert.payload, HealthPush)
    return pending.alert.payload.notice


def redis_warnings(bot: Dispatch) -> list[str]:
    return [line.message for line in bot.logs.warnings if "redis is not answering" in line.message]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_hung_redis_costs_a_second_once_then_memory_answers_at_once(
    redis_proxy: tuple[TcpProxy, str], matrix: Matrix
) -> None:
    proxy, url = redis_proxy
    link = RedisLink(url, probe_seconds=0.2)
    cache = make_backend(url, namespace=f"test-{uuid.uuid4().hex}", link=link)
    limiter = MovingWindowRateLimiter(make_storage(url, link))
    item = RateLimitItemPerMinute(1000)
    await cache.set("k", {"v": 1}, ttl=60)
    assert await limiter.hit(item, "hung")
    await proxy.set_mode("hang")
    started = time.monotonic()
    # A burst arriving during the hang: none waits for more than the one socket timeout
    # (queued callers see the outage and do not wait on Redis a second time).
    got = await asyncio.gather(*(cache.get("k") for _ in range(100)))
    burst = time.monotonic() - started
    assert burst < 1.6
    assert got == [None] * 100  # the in-process twin starts empty: a miss, not an error
    started = time.monotonic()
    await cache.set("k2", {"v": 2}, ttl=60)
    assert await cache.get("k2") == {"v": 2}
    assert await limiter.hit(item, "hung")
    after = time.monotonic() - started
    assert after < 0.1
    assert link.outage.down and link.outage.outages == 1
    await proxy.set_mode("pass")
    back = await until(lambda: not link.outage.down, timeout=3)
    assert await cache.get("k") == {"v": 1}  # Redis again: the value written before the hang
    await cache.close()
    matrix.record("hang (unit)", "first calls", seconds(burst) + " for 100")
    matrix.record("hang (unit)", "next calls", seconds(after))
    matrix.record("hang (unit)", "back on Redis", seconds(back) + " after heal")


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
@pytest.mark.parametrize("mode", ["refuse", "hang", "cut"])
async def test_commands_answer_while_redis_is_down_and_redis_is_used_again_once_back(
    mode: str,
    redis_proxy: tuple[TcpProxy, str],
    make_dispatch: MakeDispatch,
    redis_url: str,
    matrix: Matrix,
) -> None:
    proxy, url = redis_proxy
    bot = await make_dispatch(redis_url=url, store_probe_seconds=0.3)
    services = bot.services
    assert services.redis is not None and services.stores is not None
    services.stores.grace = 0.3
    await bot.command("/ticker SOL")  # through Redis: connections are open when it goes
    await proxy.set_mode(mode)
    first, answer = await timed(bot, "/ticker SOL", chat_id=USER + 1)
    second, answer2 = await timed(bot, "/ticker ETH", chat_id=USER + 2)
    help_took, help_text = await timed(bot, "/help", chat_id=USER + 3)
    for text in (answer, answer2, help_text):
        assert FAILED not in text
    assert "SOL" in answer and "ETH" in answer2
    assert first < 2.5 and second < 1.0 and help_took < 1.0
    assert not bot.logs.tracebacks
    outage = services.redis.outage
    if mode == "cut":
        # Dropped connections, Redis itself fine: the call reconnects at once (one retry on a
        # connection error), so nothing falls back and nobody is told.
        assert outage.outages == 0 and not redis_warnings(bot)
        matrix.record(mode, "/ticker (first, next)", f"{seconds(first)}, {seconds(second)}")
        matrix.record(mode, "logged", "nothing (reconnected)")
        matrix.record(mode, "back on Redis", "never left")
        return
    assert outage.down and outage.outages == 1
    _, status = await timed(bot, "/status", chat_id=ADMIN)
    assert "redis</b>: degraded" in status and "in-process" in status
    # The admins' notice is queued once the outage outlasts its grace; on a loaded machine
    # that can take a while after the grace itself, so it is waited for, not slept on.
    notices: list[Pending] = []
    for _ in range(50):
        await asyncio.sleep(0.1)
        notices = [d for d in await services.outbox.deliveries.due(10) if d.chat_id == ADMIN]
        if notices:
            break
    assert [(n.alert.type, health(n).store) for n in notices] == [(AlertType.HEALTH, "redis")]
    assert not health(notices[0]).healthy

    client = redis.from_url(redis_url)
    await client.delete(TICKER_KEY)
    await proxy.set_mode("pass")
    back = await until(lambda: not outage.down, timeout=3)
    await asyncio.sleep(0.35)  # the ticker's 300 ms freshness: the next one is fetched and stored
    await timed(bot, "/ticker SOL", chat_id=USER + 4)
    stored = await client.get(TICKER_KEY)
    await client.aclose()
    assert stored is not None  # written to Redis again, not only to memory
    _, status = await timed(bot, "/status", chat_id=ADMIN)
    assert "redis</b>: ok" in status
    healthy = [
        health(d).healthy
        for d in await services.outbox.deliveries.due(10)
        if d.chat_id == ADMIN and isinstance(d.alert.payload, HealthPush)
    ]
    assert healthy == [False, True]  # one warning, one recovery
    assert len(redis_warnings(bot)) == 1  # once, not per command
    matrix.record(mode, "/ticker (first, next)", f"{seconds(first)}, {seconds(second)}")
    matrix.record(mode, "logged", f"{len(redis_warnings(bot))} warning")
    matrix.record(mode, "/status", "redis degraded · in-process")
    matrix.record(mode, "admins told", "down + back")
    matrix.record(mode, "back on Redis", seconds(back) + " after heal")


async def test_the_per_user_limit_still_holds_while_redis_is_refused(
    redis_proxy: tuple[TcpProxy, str], make_dispatch: MakeDispatch, matrix: Matrix
) -> None:
    proxy, url = redis_proxy
    bot = await make_dispatch(redis_url=url, user_commands_per_minute=3)
    await proxy.set_mode("refuse")
    user = 700000 + uuid.uuid4().int % 100000
    for _ in range(5):
        await bot.command("/help", chat_id=user)
    texts = bot.texts()
    assert len(texts) == 4  # three answers, one "slow down", then silence
    assert "Slow down" in texts[-1]
    matrix.record("refuse", "per-user limit", "kept (in memory)")
