"""Concurrent identical requests share one in-flight call.

aiocache's stampede lock (RedLock) makes waiters re-read the cache after the holder finishes;
when the upstream call *fails* nothing is cached, so every waiter would call upstream again in
turn. Sharing the leader's outcome (value or error) through one future avoids that.

Callers someone is waiting on in a chat (under a deadline, services/kernel/deadline.py) share
calls with each other, never with a job's: a job's call keeps the long retry budget (a vendor's
full timeout, tries and backoff), and a chat that joined it would wait that long, with no hedge
to a fallback. A follower under a deadline waits at most what is left of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from services.kernel import deadline

T = TypeVar("T")
R = TypeVar("R")
# What marks the flights of callers with a deadline apart from those of callers without one.
ANSWER_SCOPE = "\x1fanswer"


class LeaderGone(Exception):
    """The call being shared was cancelled with its leader's caller; the follower goes on."""


class FlightTimeout(TimeoutError):
    """A follower's deadline ran out while the call it shares was still running."""


def scoped(key: str) -> str:
    """The flight key for this caller: jobs and chat answers never share a call."""
    return key if deadline.current() is None else key + ANSWER_SCOPE


async def follow(flight: asyncio.Future[R]) -> R:
    """The leader's outcome. A leader whose own caller was cancelled (a chat's deadline)
    cancels its flight: the follower was not, so it is told `LeaderGone` and takes over,
    instead of receiving a cancellation that is not its own."""
    try:
        return await asyncio.shield(flight)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if flight.cancelled() and (task is None or task.cancelling() == 0):
            raise LeaderGone from None
        raise


async def follow_within(flight: asyncio.Future[R]) -> R:
    """`follow`, for at most what is left of the caller's deadline (if it has one)."""
    left = deadline.remaining()
    if left is None:
        return await follow(flight)
    try:
        return await asyncio.wait_for(follow(flight), left)
    except TimeoutError:
        raise FlightTimeout("the shared call outlasted this caller's deadline") from None


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    def joining(self, key: str) -> asyncio.Future[Any] | None:
        """The running call's outcome, to await (shielded) with a time limit of one's own."""
        return self._inflight.get(scoped(key))

    async def do(self, key: str, call: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """Run `call` once per key at a time; returns (result, shared) where shared means a
        follower got the leader's result. A follower under a deadline that runs out first
        gets `FlightTimeout`."""
        flight_key = scoped(key)
        existing = self._inflight.get(flight_key)
        if existing is not None:
            try:
                return await follow_within(existing), True
            except LeaderGone:
                return await self.do(key, call)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inflight[flight_key] = future
        try:
            result = await call()
        except BaseException as exc:
            if not future.done():
                if isinstance(exc, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(exc)
            # Retrieve so an unobserved follower-less exception is not logged as never retrieved.
            if not future.cancelled():
                future.exception()
            raise
        else:
            future.set_result(result)
            return result, False
        finally:
            self._inflight.pop(flight_key, None)
