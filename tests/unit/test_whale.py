"""Whales: contract sizing, the threshold, CoinGlass plan walls, the free fallback, the flag."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.kernel.breaker import BreakerState
from services.kernel.errors import DataUnavailableError, Reason
from services.kernel.status import Health
from services.kernel.symbols import parse_symbol
from services.market.flags import Flag, ModuleDisabledError
from services.market.whale.analysis import WhaleSide, whale_trades
from services.vendors.okx_rows import Trade
from tests.fakes.vendors import FakeVendors, Fault, load
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

ALERTS = "/api/hyperliquid/whale-alert"
TRADES = "/api/v5/market/trades"
SOL = parse_symbol("SOL")


def swap_trades() -> list[Trade]:
    return [Trade.model_validate(r) for r in load("okx", "trades_SOL-USDT-SWAP.json")["data"]]


def test_swap_contracts_times_ct_val_times_price_against_the_threshold() -> None:
    events = whale_trades(swap_trades(), Decimal(1), Decimal(1_000_000), "OKX")
    assert sorted((e.usd, e.side) for e in events) == [
        (Decimal("1053834.00"), WhaleSide.BUY),
        (Decimal("1152630.00"), WhaleSide.SELL),
    ]
    assert all(e.usd >= 1_000_000 for e in events)  # the $982,077 print stays out
    assert {e.venue for e in events} == {"OKX SOL-USDT-SWAP"}


def test_a_smaller_contract_value_scales_the_notional() -> None:
    # BTC-USDT-SWAP style: 0.01 coin per contract makes every SOL fixture print 100x smaller.
    assert whale_trades(swap_trades(), Decimal("0.01"), Decimal(10_000), "OKX") != []
    assert whale_trades(swap_trades(), Decimal("0.01"), Decimal(1_000_000), "OKX") == []


async def test_without_a_key_whales_come_from_okx_trades(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    report = await services.whale.recent(SOL)
    assert report.source == "OKX" and report.fallback_reason is None
    assert sorted(e.usd for e in report.events) == [Decimal("1053834.00"), Decimal("1152630.00")]
    assert vendors.count(ALERTS) == 0  # no key, no call
    status = services.status.get("whale")
    assert status is not None and status.health is Health.DEGRADED
    assert status.reason is Reason.NO_KEY and status.source == "OKX"


async def test_with_a_key_whales_come_from_coinglass(build: Build, vendors: FakeVendors) -> None:
    services = await build(coinglass_api_key="cg-key")
    report = await services.whale.recent(SOL)
    assert report.source == "CoinGlass"
    assert {(e.side, e.opened) for e in report.events} >= {(WhaleSide.SHORT, True)}
    assert all(e.coin == "SOL" for e in report.events)
    assert next(c for c in vendors.calls if c.path == ALERTS).headers["CG-API-KEY"] == "cg-key"
    assert vendors.count(TRADES) == 0


@pytest.mark.parametrize("body", ["error_plan_required.json", "error_plan_required_code400.json"])
async def test_plan_wall_in_a_200_falls_back_and_opens_the_breaker_for_an_hour(
    build: Build, vendors: FakeVendors, body: str
) -> None:
    services = await build(coinglass_api_key="cg-key", whale_cache_ttl_seconds=0.001)
    vendors.fail(ALERTS, Fault(fixture=("coinglass", body)))
    report = await services.whale.recent(SOL)
    assert report.source == "OKX" and report.fallback_reason == "CoinGlass plan"
    breaker = services.breakers.get("coinglass", "whale_alert").snapshot()
    assert breaker.state is BreakerState.OPEN and breaker.retry_in_seconds > 3500
    await services.whale.recent(parse_symbol("BTC"))
    assert vendors.count(ALERTS) == 1  # the breaker holds further calls back


async def test_both_sources_failing_names_both(build: Build, vendors: FakeVendors) -> None:
    services = await build(coinglass_api_key="cg-key")
    vendors.fail(ALERTS, Fault(status=500, fixture=("coinglass", "error_500_internal.json")))
    vendors.fail(TRADES, Fault(status=500))
    with pytest.raises(DataUnavailableError) as info:
        await services.whale.recent(SOL)
    assert info.value.failures == [("CoinGlass", Reason.ERROR), ("OKX", Reason.ERROR)]


async def test_disabled_flag_makes_no_vendor_call(build: Build, vendors: FakeVendors) -> None:
    services = await build(feature_whale="off")
    with pytest.raises(ModuleDisabledError) as info:
        await services.whale.recent(SOL)
    assert info.value.flag is Flag.WHALE
    assert vendors.calls == []


async def test_without_contract_values_only_spot_trades_are_sized(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail("/api/v5/public/instruments", Fault(status=500))
    report = await (await build()).whale.recent(SOL)
    assert report.events == []  # the spot fixture has no whale-sized trade
    assert not [c for c in vendors.calls if c.query.get("instId") == "SOL-USDT-SWAP"]
