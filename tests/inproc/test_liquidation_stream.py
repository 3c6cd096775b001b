"""Live liquidations from OKX's WebSocket channel, against a fake WebSocket server over real
local sockets: sizes in contracts read as coins (× ctVal) and dollars, inverse swaps left out,
a drop or a silent connection answered by a reconnect with a /status line meanwhile, one
replica on the channel at a time, and nothing stored twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.container import Services
from services.jobs.liquidation_stream import NAME, LiquidationStream, StreamTiming
from services.kernel.status import Health
from services.market.contracts import contract_values
from services.storage.leases import Leases
from services.storage.liquidations import LiquidationStore
from services.vendors.okx import OkxClient
from tests.fakes.okx_ws import FakeOkxWs, docs_push, push
from tests.fakes.stores import until
from tests.inproc.helpers import wait_until
from tests.unit.conftest import Build

QUICK = StreamTiming(
    ping_after=0.3, pong_within=0.3, lease_seconds=1.0, flush_seconds=0.05, backoff_first=0.05,
    backoff_max=0.2,
)  # fmt: skip
NOW_MS = int(datetime.now(UTC).timestamp() * 1000)


def row(
    inst_id: str, sz: str, px: str, side: str, pos_side: str, ts: int = NOW_MS
) -> dict[str, Any]:
    detail = {"bkPx": px, "sz": sz, "side": side, "posSide": pos_side, "ts": str(ts), "bkLoss": "0"}
    return {"instId": inst_id, "instType": "SWAP", "details": [detail]}


@pytest.fixture
async def okx_ws() -> AsyncIterator[FakeOkxWs]:
    server = FakeOkxWs()
    await server.start()
    yield server
    await server.stop()


def stream(services: Services, url: str, holder: str = "a") -> LiquidationStream:
    return LiquidationStream(
        url,
        lambda: contract_values(services.cache, services.vendors.get(OkxClient)),
        LiquidationStore(services.db),
        Leases(services.db, holder),
        services.status,
        services.flags,
        QUICK,
    )


@contextlib.asynccontextmanager
async def running(live: LiquidationStream) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(live.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def stored(services: Services, coin: str, n: int) -> list[Any]:
    store = LiquidationStore(services.db)

    async def enough() -> bool:
        return len(await store.window(coin, datetime.now(UTC) - timedelta(hours=1))) >= n

    await wait_until(enough, 5, f"{n} {coin} liquidations stored")
    return await store.window(coin, datetime.now(UTC) - timedelta(hours=1))


async def test_a_push_is_stored_in_coins_and_dollars_and_an_inverse_swap_is_left_out(
    build: Build, okx_ws: FakeOkxWs
) -> None:
    services = await build()
    live = stream(services, okx_ws.url)
    async with running(live):
        await okx_ws.wait_connections(1)
        await okx_ws.send(docs_push())  # OKX's own sample: IOST, a coin we hold no ctVal for
        await okx_ws.send(
            push(
                # 250 contracts of 0.01 BTC bought back at 90,000: a short liquidated.
                row("BTC-USDT-SWAP", "250", "90000", "buy", "short"),
                # An inverse swap's contract is 100 dollars, not coins: not read.
                row("BTC-USD-SWAP", "7", "90000", "sell", "long"),
                row("SOL-USDT-SWAP", "40", "140", "sell", "long"),
            )
        )
        [btc] = await stored(services, "BTC", 1)
        [sol] = await stored(services, "SOL", 1)
    assert okx_ws.subscriptions == [
        {"op": "subscribe", "args": [{"channel": "liquidation-orders", "instType": "SWAP"}]}
    ]
    assert (btc.side, btc.size_coin, btc.usd) == ("short", Decimal("2.50"), Decimal("225000.00"))
    assert (sol.side, sol.size_coin, sol.usd) == ("long", Decimal(40), Decimal(5600))
    assert live.received == 2
    status = services.status.get(NAME)
    assert status is not None and status.health is Health.OK


async def test_a_dropped_connection_is_a_status_line_and_a_reconnect(
    build: Build, okx_ws: FakeOkxWs
) -> None:
    services = await build()
    async with running(stream(services, okx_ws.url)):
        await okx_ws.wait_connections(1)
        await okx_ws.drop()
        await until(
            lambda: (s := services.status.get(NAME)) is not None and s.health is not Health.OK
        )
        s = services.status.get(NAME)
        assert s is not None and s.health is Health.UNAVAILABLE and s.reason_by == "OKX"
        await okx_ws.wait_connections(2)
        await okx_ws.send(push(row("SOL-USDT-SWAP", "3", "141", "buy", "short")))
        await stored(services, "SOL", 1)  # served again after the reconnect
        status = services.status.get(NAME)
        assert status is not None and status.health is Health.OK


async def test_a_quiet_channel_is_pinged_and_one_that_stops_answering_is_left(
    build: Build, okx_ws: FakeOkxWs
) -> None:
    services = await build()
    async with running(stream(services, okx_ws.url)):
        await okx_ws.wait_connections(1)
        await until(lambda: okx_ws.pings >= 2)  # quiet: pinged, answered, pinged again
        assert okx_ws.connections == 1  # a pong keeps the connection
        okx_ws.silent = True
        await okx_ws.wait_connections(2)  # no pong: a new connection
    assert okx_ws.connections >= 2


async def test_one_replica_holds_the_channel_and_another_takes_it_when_it_dies(
    build: Build, okx_ws: FakeOkxWs
) -> None:
    services = await build()
    first, second = stream(services, okx_ws.url, "a"), stream(services, okx_ws.url, "b")
    async with running(first) as holder, running(second):
        await okx_ws.wait_connections(1)
        await asyncio.sleep(QUICK.lease_seconds / 2)
        assert okx_ws.connections == 1  # the second waits its turn
        holder.cancel()  # killed: its lease is not released, it lapses
        await okx_ws.wait_connections(2)
        assert second.connections == 1
        same = row("SOL-USDT-SWAP", "5", "142", "sell", "long")
        await okx_ws.send(push(same))
        await okx_ws.send(push(same))  # OKX sent it twice (or the REST poll had it)
        await stored(services, "SOL", 1)
        await asyncio.sleep(QUICK.flush_seconds * 4)
    assert len(await stored(services, "SOL", 1)) == 1  # kept once
