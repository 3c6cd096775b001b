"""Concurrent identical requests share one in-flight call.

aiocache's stampede lock (RedLock) makes waiters re-read the cache after the holder finishes;
when the upstream call *fails* nothing is cached, so every waiter would call upstream again in
turn. Sharing the leader's outcome (value or error) through one future avoids that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class LeaderGone(Exception):
    """The call being shared was cancelled with its leader's caller; the follower goes on."""


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


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    def joining(self, key: str) -> asyncio.Future[Any] | None:
        """The running call's outcome, to await (shielded) with a time limit of one's own."""
        return self._inflight.get(key)

    async def do(self, key: str, call: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """Run `call` once per key at a time; returns (result, shared) where shared means a
        follower got the leader's result."""
        existing = self._inflight.get(key)
        if existing is not None:
            try:
                return await follow(existing), True
            except LeaderGone:
                return await self.do(key, call)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
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
            self._inflight.pop(key, None)
