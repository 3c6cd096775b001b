"""Ticker source chain: OKX truth, CoinAPI fallback only with a key, stale from cache, status."""

from __future__ import annotations

import asyncio

import pytest

from services.kernel.errors import DataUnavailableError, Reason, SymbolError
from services.kernel.status import Health, Overall
from services.kernel.symbols import parse_symbol
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

TICKER = "/api/v5/market/tickers"
SOL = parse_symbol("SOL")


async def test_okx_answers_and_the_module_is_ok(build: Build) -> None:
    services = await build()
    ticker = await services.ticker.ticker(SOL)
    assert ticker.source == "OKX" and ticker.fallback_reason is None and not ticker.stale
    status = services.status.get("ticker")
    assert status is not None and status.health is Health.OK and status.last_success


async def test_okx_failure_falls_back_to_coinapi_with_a_key(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(coinapi_api_key="k-123")
    vendors.fail(TICKER, Fault(status=500))
    ticker = await services.ticker.ticker(SOL)
    assert ticker.source == "CoinAPI"
    assert str(ticker.last) == "142.36"
    assert ticker.fallback_reason == "OKX error"
    coinapi_call = next(c for c in vendors.calls if c.path.startswith("/v1/quotes/"))
    assert coinapi_call.path == "/v1/quotes/BINANCE_SPOT_SOL_USDT/current"
    assert coinapi_call.headers.get("X-CoinAPI-Key") == "k-123"
    status = services.status.get("ticker")
    assert status is not None and status.health is Health.DEGRADED and status.source == "CoinAPI"


async def test_coinapi_is_never_called_while_okx_works(build: Build, vendors: FakeVendors) -> None:
    services = await build(coinapi_api_key="k-123")
    await services.ticker.ticker(SOL)
    assert not [c for c in vendors.calls if c.path.startswith("/v1/")]


async def test_without_a_key_the_answer_is_unavailable_with_reasons(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    vendors.fail(TICKER, Fault(status=500))
    with pytest.raises(DataUnavailableError) as info:
        await services.ticker.ticker(SOL)
    assert info.value.failures == [("OKX", Reason.ERROR), ("CoinAPI", Reason.NO_KEY)]
    assert not [c for c in vendors.calls if c.path.startswith("/v1/")]
    status = services.status.get("ticker")
    assert status is not None and status.health is Health.UNAVAILABLE
    # The order book, the other main module, still works: degraded, not unhealthy.
    assert services.status.overall() is Overall.DEGRADED


async def test_both_failing_serves_the_last_good_price_marked_stale(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(ticker_cache_ttl_ms=1)
    fresh = await services.ticker.ticker(SOL)
    vendors.fail(TICKER, Fault(status=503))
    await asyncio.sleep(0.01)  # past the 1 ms TTL
    stale = await services.ticker.ticker(SOL)
    assert stale.stale and stale.last == fresh.last and stale.source == "OKX"
    status = services.status.get("ticker")
    assert status is not None and status.health is Health.DEGRADED


async def test_unknown_instrument_is_a_symbol_error_not_an_outage(build: Build) -> None:
    services = await build(coinapi_api_key="k-123")
    with pytest.raises(SymbolError) as info:
        await services.ticker.ticker(parse_symbol("NOPE"))
    assert info.value.kind == "unknown"


async def test_catalog_rejects_unknown_symbols_with_a_suggestion(build: Build) -> None:
    services = await build()
    with pytest.raises(SymbolError) as info:
        await services.instruments.resolve("SOLL")
    assert info.value.kind == "unknown" and info.value.suggestion == "SOL"
    with pytest.raises(SymbolError) as info:
        await services.instruments.resolve("DOGE-USDT-SWAP")
    assert info.value.suggestion == "DOGE"  # spot exists, the perpetual does not
    assert (await services.instruments.resolve("$sol")).base == "SOL"


async def test_catalog_is_fetched_once_and_cached(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    for text in ("SOL", "BTC", "ETH-USDT-SWAP"):
        await services.instruments.resolve(text)
    assert vendors.count("/api/v5/public/instruments") == 2  # SPOT and SWAP, once each


async def test_catalog_outage_does_not_block_answers(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    vendors.fail("/api/v5/public/instruments", Fault(status=500))
    assert (await services.instruments.resolve("SOL")).base == "SOL"


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_an_empty_instrument_list_is_not_news_that_every_coin_is_gone(
    build: Build, vendors: FakeVendors
) -> None:
    empty = Fault(body={"code": "0", "msg": "", "data": []})
    vendors.fail("/api/v5/public/instruments", empty)
    services = await build()
    assert (await services.instruments.resolve("SOL")).base == "SOL"  # not "I don't know SOL"

    # A good catalogue is kept when a later refresh comes back empty.
    vendors.clear()
    services = await build(instruments_cache_ttl_seconds=1)
    await services.instruments.resolve("SOL")
    vendors.fail("/api/v5/public/instruments", empty)
    await asyncio.sleep(1.1)  # the catalogue is due for a refresh, which answers empty
    assert (await services.instruments.resolve("SOL")).base == "SOL"
    with pytest.raises(SymbolError) as info:
        await services.instruments.resolve("SOLL")
    assert info.value.suggestion == "SOL"  # still judged by the good catalogue
    assert vendors.count("/api/v5/public/instruments") >= 3  # the refresh was tried
