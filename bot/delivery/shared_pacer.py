"""Telegram's overall send limit shared by every replica (it is per bot token, not per process).

Two replicas pacing themselves at 25 messages/s each would send 50/s on one token. With
REDIS_URL the overall gap is booked in Redis: one script takes the next free slot on Redis's own
clock (so the replicas' clocks need not agree) and says how long to wait for it, and a 429's
pause is written there too so every replica waits it out. Per-chat gaps stay in the process:
a chat's replies come from whichever replica got its updates, seldom two at once. While Redis
does not answer, each replica paces on its own (the Pacer it extends) and says so once.

A slot is a moment on Redis's clock, booked ahead; a send that wakes well after its slot (the
event loop stalled, the machine was busy) books another instead of going at once: a stalled
replica would otherwise send every slot it missed in one burst beside the other replica's
on-time sends, and break the token's rate.

Written here because Telegram counts an even rate per token; `limits`' windows allow a burst at
the start of each window (see pacer.py).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import time
from typing import Any

import redis.asyncio as redis
from loguru import logger

from bot.delivery.pacer import Pacer
from services.kernel.fallback_backend import REDIS_ERRORS, SOCKET_SECONDS, redis_retry
from services.kernel.settings import Settings

RETRY_SECONDS = 10.0  # Redis failed: pace alone this long before asking it again
POOL = 8
LATE_SECONDS = 0.05  # a send this much after its slot (or a gap, if longer) books another
REBOOKS = 3  # then it goes anyway: a clock estimate gone wrong must not hold sends back
OFFSETS = 64  # bookings the clock estimate is taken from, those of the last OFFSET_SECONDS:
OFFSET_SECONDS = 10.0  # a step of Redis's clock (a failover to another host) is forgotten soon

# now = Redis's clock in seconds; the slot starts at the latest of now, the next free slot and
# the end of a pause; the next slot is one gap later. Returns {start, wait} as strings.
BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, nxt, paused)
redis.call('SET', KEYS[1], string.format('%.6f', start + tonumber(ARGV[1])), 'PX', 60000)
return {string.format('%.6f', start), string.format('%.6f', start - now)}
"""
PAUSE = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > paused then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.ceil(ARGV[1] * 1000) + 1000)
end
return 1
"""


class SharedPacer(Pacer):
    def __init__(self, redis_url: str, token: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Telegram's limit is per token: bots sharing one Redis do not share it.
        prefix = "cryptobot:pacer:" + hashlib.sha256(token.encode()).hexdigest()[:16]
        self._keys = [f"{prefix}:next", f"{prefix}:paused"]
        # A burst's sends queue for a few connections (booking is one short script) rather
        # than opening one each, which made Redis slow enough to time out.
        pool = redis.BlockingConnectionPool.from_url(
            redis_url,
            max_connections=POOL,
            timeout=None,
            socket_timeout=SOCKET_SECONDS,
            socket_connect_timeout=SOCKET_SECONDS,
            retry=redis_retry(),
        )
        self._redis = redis.Redis(connection_pool=pool)
        self._book = self._redis.register_script(BOOK)
        self._pause = self._redis.register_script(PAUSE)
        self._alone_until = 0.0
        self._pausing: set[asyncio.Task[None]] = set()
        # (when, our clock minus Redis's) of recent bookings: the smallest offset holds the least
        # delay (a slow answer, a busy loop), so it places a slot on our clock best.
        self._offsets: collections.deque[tuple[float, float]] = collections.deque(maxlen=OFFSETS)
        # The latest slots taken (Redis time), for tests and benches; bounded, as it lives long.
        self.booked: collections.deque[float] = collections.deque(maxlen=1000)
        self.rebooked = 0  # slots missed and booked again, for tests and benches

    async def _global_turn(self) -> float:
        for attempt in range(REBOOKS + 1):
            if time.monotonic() < self._alone_until:
                return await super()._global_turn()
            try:
                start, wait = await self._book(keys=self._keys, args=[self._gap])
            except REDIS_ERRORS as exc:
                self._alone(exc)
                return await super()._global_turn()
            answered = self._clock()
            slot, redis_now = float(start), float(start) - float(wait)
            self._offsets.append((answered, answered - redis_now))
            recent = answered - OFFSET_SECONDS
            due = slot + min(offset for at, offset in self._offsets if at >= recent)
            if due > answered:
                await asyncio.sleep(due - answered)
            now = self._clock()
            if now - due <= max(self._gap, LATE_SECONDS) or attempt == REBOOKS:
                self.booked.append(slot)
                return now
            self.rebooked += 1  # this slot has passed: a late send now would make a burst
        raise AssertionError("unreachable")  # the last attempt returns

    def pause(self, seconds: float) -> None:
        super().pause(seconds)
        task = asyncio.get_running_loop().create_task(self._share_pause(seconds))
        self._pausing.add(task)  # kept: a task only the loop references may be collected
        task.add_done_callback(self._pausing.discard)

    async def _share_pause(self, seconds: float) -> None:
        try:
            await self._pause(keys=self._keys[1:], args=[seconds])
        except REDIS_ERRORS as exc:
            self._alone(exc)

    def _alone(self, exc: BaseException) -> None:
        if time.monotonic() >= self._alone_until:
            logger.warning(
                "Telegram pacing is per replica for now: Redis does not answer ({})",
                type(exc).__name__,
            )
        self._alone_until = time.monotonic() + RETRY_SECONDS

    async def aclose(self) -> None:
        await self._redis.aclose(close_connection_pool=True)


def shared_pacer_for(settings: Settings) -> Pacer:
    """The fleet's pacer with REDIS_URL, else this process's own."""
    args = (
        settings.telegram_global_per_second,
        settings.telegram_chat_per_second,
        settings.telegram_group_per_minute,
    )
    if settings.redis_url:
        return SharedPacer(settings.redis_url, settings.bot_token.get_secret_value(), *args)
    return Pacer(*args)
