"""Every symbol's price from one bulk OKX call per kind (spot, swap) per TTL."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from services.kernel.deadline import answer_within
from services.kernel.errors import DataUnavailableError, Reason, SymbolError
from services.kernel.symbols import parse_symbol
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

BULK = "/api/v5/market/tickers"
SINGLE = "/api/v5/market/ticker"


def coins(n: int) -> list[str]:
    """n made-up coin names OKX could list (ZAA, ZAB, ...)."""
    return [f"Z{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(n)]


async def test_a_hundred_symbols_cost_one_upstream_call_and_each_gets_its_own_price(
    build: Build, vendors: FakeVendors
) -> None:
    names = coins(100)
    vendors.list_spot([f"{c}-USDT" for c in names])
    for n, coin in enumerate(names):
        vendors.set_last(f"{coin}-USDT", f"{n + 1}.5")
    services = await build()
    # Twice each, all at once, before anything is cached: one call is shared by all.
    asked = [services.ticker.ticker(parse_symbol(c)) for c in names + names]
    tickers = await asyncio.gather(*asked)
    assert [t.last for t in tickers[:100]] == [Decimal(f"{n + 1}.5") for n in range(100)]
    assert [t.instrument.base for t in tickers[:100]] == names  # no coin got a neighbour's row
    assert vendors.count(BULK) == 1 and vendors.count(SINGLE) == 0
    assert [c.query.get("instType") for c in vendors.calls if c.path == BULK] == ["SPOT"]


async def test_the_snapshot_is_taken_again_after_the_ttl_once_for_every_symbol(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(ticker_cache_ttl_ms=50)
    await services.ticker.ticker(parse_symbol("SOL"))
    await services.ticker.ticker(parse_symbol("BTC"))
    assert vendors.count(BULK) == 1
    vendors.set_last("SOL-USDT", "150.01")
    await asyncio.sleep(0.1)  # past the TTL
    sol = await services.ticker.ticker(parse_symbol("SOL"))
    await services.ticker.ticker(parse_symbol("BTC"))
    assert sol.last == Decimal("150.01")  # the new snapshot, not the kept one
    assert vendors.count(BULK) == 2


async def test_spot_and_swap_are_separate_lists(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    spot = await services.ticker.ticker(parse_symbol("SOL"))
    swap = await services.ticker.ticker(parse_symbol("SOL-PERP"))
    assert (spot.last, swap.last) == (Decimal("142.35"), Decimal("142.31"))
    kinds = [c.query.get("instType") for c in vendors.calls if c.path == BULK]
    assert sorted(kinds) == ["SPOT", "SWAP"]


def with_btc_swap(body: Any) -> Any:
    """A BTC perpetual row: 1,000,000 contracts of 0.01 BTC traded = 10,000 BTC."""
    row = dict(body["data"][0]) | {
        "instId": "BTC-USDT-SWAP",
        "instType": "SWAP",
        "last": "51000",
        "vol24h": "1000000",
        "volCcy24h": "10000",
    }
    return {**body, "data": [*body["data"], row]}


async def test_volumes_read_from_the_list_are_coins_not_contracts(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    vendors.fail(BULK, Fault(transform=with_btc_swap))
    swap = await services.ticker.ticker(parse_symbol("BTC-PERP"))
    assert swap.volume_base == Decimal("10000") and swap.volume_quote is None
    vendors.clear(BULK)
    spot = await services.ticker.ticker(parse_symbol("BTC"))
    # Spot: vol24h is BTC and volCcy24h USDT, so their ratio is about the price.
    assert spot.volume_base is not None and spot.volume_quote is not None
    assert abs(spot.volume_quote / spot.volume_base / spot.last - 1) < Decimal("0.05")


def without(inst_id: str) -> Any:
    def drop(body: Any) -> Any:
        return {**body, "data": [r for r in body["data"] if r["instId"] != inst_id]}

    return drop


async def test_a_pair_missing_from_the_list_is_asked_on_its_own(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    vendors.fail(BULK, Fault(transform=without("SOL-USDT")))  # listed a moment ago
    sol = await services.ticker.ticker(parse_symbol("SOL"))
    assert sol.last == Decimal("142.35")
    assert [c.query["instId"] for c in vendors.calls if c.path == SINGLE] == ["SOL-USDT"]
    # ETH is in the catalogue, but OKX has no ticker for it: 51001 on its own endpoint.
    with pytest.raises(SymbolError):
        await services.ticker.ticker(parse_symbol("ETH"))


def spoil(inst_id: str) -> Any:
    def change(body: Any) -> Any:
        rows = [r | {"last": "NaN"} if r["instId"] == inst_id else r for r in body["data"]]
        return {**body, "data": rows}

    return change


async def test_one_bad_row_spoils_only_its_own_symbol(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    vendors.fail(BULK, Fault(transform=spoil("SOL-USDT")))
    btc = await services.ticker.ticker(parse_symbol("BTC"))
    assert btc.last == Decimal("51240") and btc.source == "OKX"
    with pytest.raises(DataUnavailableError) as info:
        await services.ticker.ticker(parse_symbol("SOL"))
    assert info.value.failures[0] == ("OKX", Reason.BAD_DATA)


async def test_a_failed_list_is_not_kept_and_the_next_ask_tries_again(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    vendors.fail(BULK, Fault(status=500, times=3))  # the three attempts of one call
    with pytest.raises(DataUnavailableError):
        await services.ticker.ticker(parse_symbol("SOL"))
    sol = await services.ticker.ticker(parse_symbol("SOL"))
    assert sol.last == Decimal("142.35")


async def test_a_failed_bulk_call_is_not_asked_again_nor_per_symbol_within_one_answer(
    build: Build, vendors: FakeVendors
) -> None:
    """One answer reading several coins one after another (an /alpha, a board) meets the
    failed snapshot once: its next coin gets the same failure, not a new bulk call and not
    one call per coin. The next answer asks afresh."""
    services = await build()
    vendors.fail(BULK, Fault(status=500, body={"code": "50026", "msg": "System error."}))
    with answer_within(3.0, hedge_after=1.0):
        for coin in ("SOL", "BTC", "ETH"):
            with pytest.raises(DataUnavailableError) as failed:
                await services.ticker.ticker(parse_symbol(coin))
            assert failed.value.failures[0] == ("OKX", Reason.ERROR)
    assert vendors.count(BULK) == 3  # the one bulk call and its two retries (QUICK_RETRY)
    assert vendors.count(SINGLE) == 0
    vendors.clear()
    with answer_within(3.0, hedge_after=1.0):
        assert (await services.ticker.ticker(parse_symbol("SOL"))).last == Decimal("142.35")
    assert vendors.count(BULK) == 4
