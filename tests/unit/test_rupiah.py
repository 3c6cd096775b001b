"""Prices in rupiah for a chat that quotes in IDR: Indodax's own market for a coin that has one,
else OKX's USDT price times Indodax's USDT/IDR rate, always saying which; Indodax failing,
refusing or hanging costs the rupiah line, never the answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiocache import SimpleMemoryCache

from services.kernel.cache import ResilientCache
from services.kernel.errors import DataUnavailableError, UpstreamError
from services.market.rupiah import RupiahService
from services.vendors.indodax import IndodaxClient
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build
from tests.unit.dispatch import Dispatch

TICKER_ALL = "/api/ticker_all"


def asked(vendors: FakeVendors) -> int:
    return sum(1 for call in vendors.calls if call.path == TICKER_ALL)


async def test_a_coin_with_a_rupiah_market_reads_it_the_rest_convert(build: Build) -> None:
    services = await build()
    sol = await services.rupiah.quote("SOL", Decimal("142.35"))
    assert sol.market and sol.idr == Decimal(2_321_000) and sol.source == "Indodax"
    eth = await services.rupiah.quote("ETH", Decimal(3000))  # no eth_idr row in the fixture
    assert not eth.market and eth.rate == Decimal(16310)
    assert eth.idr == Decimal(3000) * Decimal(16310) and "USDT/IDR" in eth.source
    with pytest.raises(DataUnavailableError):
        await services.rupiah.quote("ETH", None)  # no USDT price to convert either


async def test_one_call_serves_every_coin_for_its_lifetime(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    for coin in ("SOL", "BTC", "ETH", "SOL"):
        await services.rupiah.quote(coin, Decimal(1))
    assert asked(vendors) == 1


async def test_a_failing_indodax_serves_its_last_copy_marked_stale_then_nothing(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    clock = [1_000.0]
    cache = ResilientCache(
        SimpleMemoryCache(), services.metrics, max_stale=600, clock=lambda: clock[0]
    )
    rupiah = RupiahService(services.vendors.get(IndodaxClient), cache, ttl_seconds=30)
    assert not (await rupiah.quote("SOL", None)).stale
    vendors.fail(TICKER_ALL, Fault(status=503, body={"error": "down"}))
    clock[0] += 60
    assert (await rupiah.quote("SOL", None)).stale
    clock[0] += 640  # past the TTL and STALE_MAX_AGE_SECONDS
    with pytest.raises(UpstreamError):
        await rupiah.quote("SOL", None)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=500, body={"error": "server"}),
        Fault(body={"error": "invalid_pair", "error_description": "Invalid pair"}),
        Fault(body={"tickers": {}}),
        Fault(malformed=True),
        Fault(hang=True),
        Fault(drop=True),
        Fault(status=429, body={"error": "too_many_requests"}, headers={"Retry-After": "30"}),
        Fault(status=403, body={"error": "forbidden"}),
    ],
    ids=["500", "refused", "empty", "malformed", "hang", "dropped", "429", "403"],
)
async def test_ticker_in_rupiah_survives_indodax_failing(
    dispatch: Dispatch, vendors: FakeVendors, fault: Fault
) -> None:
    vendors.fail(TICKER_ALL, fault)
    await dispatch.command("/settings quote idr")
    await dispatch.command("/ticker SOL")
    answer = dispatch.texts()[-1]
    assert "SOL/USDT" in answer and "24h change" in answer  # the answer itself stands
    assert "Rupiah price unavailable right now (Indodax)" in answer
    assert not dispatch.logs.tracebacks


async def test_ticker_says_where_its_rupiah_price_came_from(
    dispatch: Dispatch, vendors: FakeVendors
) -> None:
    await dispatch.command("/ticker SOL")
    assert "Rp" not in dispatch.texts()[-1] and asked(vendors) == 0  # a USDT chat never asks

    await dispatch.command("/settings quote idr")
    await dispatch.command("/ticker SOL")
    assert "≈ <b>Rp 2,321,000</b> · Indodax SOL/IDR" in dispatch.texts()[-1]


async def test_a_chat_in_indonesian_quotes_in_rupiah_unless_it_says_otherwise(
    dispatch: Dispatch,
) -> None:
    await dispatch.command("/lang id")
    await dispatch.command("/ticker SOL")
    assert "Rp 2.321.000" in dispatch.texts()[-1]  # Indonesian digits
    await dispatch.command("/settings quote usdt")
    await dispatch.command("/ticker SOL")
    assert "Rp" not in dispatch.texts()[-1]
