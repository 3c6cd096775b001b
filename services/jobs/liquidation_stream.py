"""Live liquidations from OKX's WebSocket channel into the store the free heatmap reads.

One connection for every swap, held by one replica (a lease, renewed while it runs, taken over
by another when its holder dies); a text `ping` when the channel is quiet and a reconnect,
with exponential backoff and jitter, when the pong does not come or the connection drops.
Its health is a /status line of its own. The REST poll (the heatmap's `poll`) stays as the
back-fill: the store keeps each liquidation once, whoever brought it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
from loguru import logger

from services.kernel.errors import Reason, UpstreamError
from services.kernel.models import Liquidation
from services.kernel.status import StatusRegistry
from services.market.flags import Flag, FlagService
from services.storage.leases import Leases
from services.storage.liquidations import LiquidationStore
from services.vendors.okx_rows import ContractValues
from services.vendors.okx_ws import PING, SUBSCRIBE, read_message

NAME = "liquidation_stream"  # its /status line and its lease


@dataclass(frozen=True)
class StreamTiming:
    ping_after: float = 25.0  # quiet this long: send a ping (OKX drops a connection at 30 s)
    pong_within: float = 10.0  # no answer to the ping this soon: the connection is dead
    lease_seconds: float = 30.0
    flush_seconds: float = 1.0  # pushes are written in batches, at least this often
    backoff_first: float = 1.0
    backoff_max: float = 60.0


class StreamDown(Exception):
    """The connection is gone or silent: reconnect after a backoff."""


class LiquidationStream:
    def __init__(
        self,
        url: str,
        contracts: Callable[[], Awaitable[ContractValues]],
        store: LiquidationStore,
        leases: Leases,
        status: StatusRegistry,
        flags: FlagService,
        timing: StreamTiming = StreamTiming(),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._url = url
        self._contracts = contracts
        self._store = store
        self._leases = leases
        self._status = status
        self._flags = flags
        self._timing = timing
        self._jitter = jitter
        self.received = 0  # liquidations read from pushes (kept or already there)
        self.connections = 0
        status.register(NAME, main=False)

    async def run(self) -> None:
        """Until cancelled: hold the lease and the connection, or wait for a turn."""
        failures = 0
        while True:
            wait = self._timing.lease_seconds / 3
            if await self._flags.enabled(Flag.HEATMAP) and await self._take():
                try:
                    await self._connected()
                    failures = 0
                except (StreamDown, aiohttp.ClientError, OSError, UpstreamError) as down:
                    failures += 1
                    self._status.unavailable(NAME, Reason.UNREACHABLE, f"OKX {down}", by="OKX")
                    cap = min(self._timing.backoff_max, self._timing.backoff_first * 2**failures)
                    wait = cap * (0.5 + self._jitter() / 2)  # not every replica on one tick
                    logger.warning("liquidation stream down ({}); again in {:.0f}s", down, wait)
            await asyncio.sleep(wait)

    async def _take(self) -> bool:
        return await self._leases.take(NAME, self._timing.lease_seconds)

    async def _connected(self) -> None:
        """One connection's life: returns when another replica took the lease over."""
        ct_vals = (await self._contracts()).ct_val
        timeout = aiohttp.ClientWSTimeout(ws_close=5.0)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(self._url, timeout=timeout, autoping=True, heartbeat=None) as ws,
        ):
            await ws.send_json(SUBSCRIBE)
            self.connections += 1
            self._status.ok(NAME, "OKX")
            batch: list[Liquidation] = []
            flushed = renewed = heard = time.monotonic()
            pinged: float | None = None
            while True:
                now = time.monotonic()
                if batch and now - flushed >= self._timing.flush_seconds:
                    await self._store.add(batch)
                    batch, flushed = [], now
                if now - renewed >= self._timing.lease_seconds / 3:
                    if not await self._take():
                        await self._store.add(batch)
                        return  # another replica holds it now: leave the channel to it
                    renewed = now
                if pinged is not None and now - pinged >= self._timing.pong_within:
                    raise StreamDown("no pong")
                if pinged is None and now - heard >= self._timing.ping_after:
                    # Quiet: OKX answers a text ping with a pong, or the connection is dead.
                    await ws.send_str(PING)
                    pinged = now
                # Wake for the next write, lease renewal, ping or pong, whichever is first.
                due = min(
                    heard + self._timing.ping_after
                    if pinged is None
                    else pinged + self._timing.pong_within,
                    renewed + self._timing.lease_seconds / 3,
                    flushed + self._timing.flush_seconds if batch else float("inf"),
                )
                try:
                    message = await asyncio.wait_for(ws.receive(), max(0.01, due - now))
                except TimeoutError:
                    continue
                heard, pinged = time.monotonic(), None  # any message is a sign of life
                events = read_message(_text(message), ct_vals)
                if events:
                    batch += events
                    self.received += len(events)


def _text(message: aiohttp.WSMessage) -> str:
    if message.type is aiohttp.WSMsgType.TEXT:
        return str(message.data)
    if message.type is aiohttp.WSMsgType.ERROR:
        raise StreamDown("error")
    raise StreamDown("closed")  # CLOSE, CLOSING, CLOSED: OKX or the network ended it
