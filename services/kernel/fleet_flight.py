"""One refresh per key for every replica sharing the cache, not one per replica.

The in-process singleflight makes a burst in one process one upstream call; with several
replicas behind a load balancer each would still make its own. Before calling upstream, a
refresh takes the key's lease in the shared store (an atomic add, with an expiry so a replica
that dies holding it frees it). Whoever finds the lease taken polls the cache for the value
the holder stores, and takes over if the lease lapses without one. Redis is the store here;
with it down, the in-process twin answers and each replica leads its own refreshes.

Written here because aiocache's RedLock makes waiters re-read only after the holder ends and
retries every one of them upstream when it failed (see singleflight.py); this waits on the
value instead, for at most the lease.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from loguru import logger

from services.kernel import deadline
from services.kernel.singleflight import scoped

LEASE_SECONDS = 5.0  # longer than any refresh may take under a deadline; a dead holder's bound
POLL_SECONDS = 0.025


class FleetFlight:
    def __init__(
        self,
        backend: Any,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self._backend = backend
        self._lease = LEASE_SECONDS if lease_seconds is None else lease_seconds
        self._poll = POLL_SECONDS if poll_seconds is None else poll_seconds
        self._held: dict[str, str] = {}

    async def lead(self, key: str, arrived: Callable[[], Awaitable[bool]]) -> bool:
        """True: this replica refreshes `key` (then `release` it). False: another replica's
        refresh stored it meanwhile (`arrived` saw it)."""
        key = scoped(key)  # chat answers and jobs hold leases of their own (singleflight.py)
        token = uuid.uuid4().hex
        if await self._take(key, token):
            return True
        left = deadline.remaining()
        give_up = time.monotonic() + (self._lease if left is None else min(self._lease, left))
        while time.monotonic() < give_up:
            await asyncio.sleep(self._poll)
            if await arrived():
                return False
            if await self._take(key, token):  # the holder finished without a value, or died
                return True
        return True  # the holder overran its lease: refresh without it

    async def release(self, key: str) -> None:
        key = scoped(key)
        token = self._held.pop(key, None)
        if token is None:
            return
        try:
            if await self._backend.get(_lease(key)) == token:
                await self._backend.delete(_lease(key))
        except Exception as exc:  # it lapses by itself
            logger.debug("lease release failed: {}", type(exc).__name__)

    async def _take(self, key: str, token: str) -> bool:
        try:
            await self._backend.add(_lease(key), token, ttl=self._lease)
        except ValueError:  # aiocache: the key exists, another replica holds the lease
            return False
        except Exception as exc:  # the store failing must not stop the refresh
            logger.debug("lease not taken: {}", type(exc).__name__)
            return True
        self._held[key] = token
        return True


def _lease(key: str) -> str:
    return f"lease:{key}"
