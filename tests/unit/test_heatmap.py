"""Heatmap: bands, the CoinGlass grid (and its broken docs example), range cuts, the stored
window, and the paid/free chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.kernel.breaker import BreakerState
from services.kernel.errors import ArgumentError, Reason
from services.kernel.models import Liquidation
from services.kernel.symbols import parse_symbol
from services.market.heatmap.analysis import analyse, band_step, bands_of
from services.market.heatmap.service import HeatmapMethod, HeatmapRange, parse_range
from services.storage.db import Database
from services.storage.liquidations import LiquidationStore
from tests.conftest import sqlite_copy
from tests.fakes.vendors import FakeVendors, Fault
from tests.postgres import drop_database, temporary_database
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

CG_HEATMAP = "/api/futures/liquidation/heatmap/model1"
OKX_LIQ = "/api/v5/public/liquidation-orders"
OI_HISTORY = "/api/v5/rubik/stat/contracts/open-interest-history"
SOL = parse_symbol("SOL")
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def liq(price: str, usd: str, side: str = "long", minutes: int = 0) -> Liquidation:
    return Liquidation(
        coin="SOL",
        side=side,
        price=Decimal(price),
        size_coin=Decimal(1),
        usd=Decimal(usd),
        at=NOW - timedelta(minutes=minutes),
    )


def test_band_steps_are_round_and_about_a_fifth_of_a_percent() -> None:
    assert band_step(Decimal(142)) == Decimal("0.5")
    assert band_step(Decimal(96850)) == Decimal(250)
    assert band_step(Decimal("0.0000123")) == Decimal("0.0001")


def test_bands_clusters_and_the_one_within_half_a_percent() -> None:
    price = Decimal(100)  # band step 0.25
    events = [
        liq("98.05", "500000"),
        liq("98.20", "400000"),  # band 98.00-98.25: 900k
        liq("100.30", "300000", "short"),  # 100.25-100.50: 300k, mid +0.375%
        liq("103.70", "100000", "short"),  # 103.50-103.75: 100k, under 20% of 900k
        liq("95.20", "1000"),
    ]  # noise
    result = analyse(bands_of(events, price), price)
    assert [(b.low, b.usd) for b in result.below] == [(Decimal("98.00"), Decimal("900000"))]
    assert [(b.low, b.usd) for b in result.above] == [(Decimal("100.25"), Decimal("300000"))]
    assert result.nearest is not None and result.nearest.low == Decimal("100.25")
    assert result.nearest.distance_pct == Decimal("0.375")
    assert result.total_usd == Decimal("1301000")


def test_no_events_no_bands() -> None:
    result = analyse([], Decimal(100))
    assert result.bands == [] and result.nearest is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, HeatmapRange.H4), ("1H", HeatmapRange.H1), ("24h", HeatmapRange.H24)],
)
def test_range_argument(text: str | None, expected: HeatmapRange) -> None:
    assert parse_range(text) is expected


def test_unknown_range_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError):
        parse_range("3d")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path
) -> AsyncIterator[LiquidationStore]:
    if request.param == "sqlite":
        db = Database(sqlite_copy(migrated_sqlite, tmp_path / "liq.db"))
        name = None
    else:
        base = request.getfixturevalue("database_url")
        url, name = await temporary_database(base, migrated=True)
        db = Database(url)
    yield LiquidationStore(db)
    await db.close()
    if name is not None:
        await drop_database(request.getfixturevalue("database_url"), name)


async def test_store_keeps_each_liquidation_once_and_windows_by_time(
    store: LiquidationStore,
) -> None:
    events = [liq("140.1", "1000", minutes=10), liq("140.2", "2000", minutes=90)]
    assert await store.add(events) == 2
    assert await store.add(events) == 0  # polled again: nothing new
    recent = await store.window("SOL", NOW - timedelta(hours=1))
    assert [e.price for e in recent] == [Decimal("140.1")]
    assert await store.earliest("SOL") == NOW - timedelta(minutes=90)
    await store.prune(NOW + timedelta(hours=26, minutes=-30))
    assert [e.price for e in await store.window("SOL", NOW - timedelta(days=2))] == [
        Decimal("140.1")
    ]


async def test_with_a_key_the_modelled_map_and_its_range_cut(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(coinglass_api_key="k")
    full = await services.heatmap.heatmap(SOL, HeatmapRange.H12)
    cut = await services.heatmap.heatmap(SOL, HeatmapRange.H4)
    assert full.modelled and full.cut_from is None and full.analysis.price == Decimal("142.33")
    assert cut.cut_from == "12h"
    assert cut.analysis.total_usd < full.analysis.total_usd  # 48 of 144 candles
    near = full.analysis.nearest
    assert near is not None and near.mid == Decimal("143.000")
    assert round(near.distance_pct, 2) == Decimal("0.47")
    queries = [c.query for c in vendors.calls if c.path == CG_HEATMAP]
    assert queries == [{"exchange": "Binance", "symbol": "SOLUSDT", "range": "12h"}] * 2
    assert vendors.count(OI_HISTORY) == 0  # the paid map asks nothing of the free one


async def test_docs_grid_with_cells_past_its_axis_does_not_crash(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(CG_HEATMAP, Fault(fixture=("coinglass", "liquidation_heatmap_model1_docs.json")))
    report = await (await build(coinglass_api_key="k")).heatmap.heatmap(SOL, HeatmapRange.H24)
    assert report.analysis.bands == []  # every cell pointed past the 3-entry axis


async def test_without_a_key_the_map_is_estimated_and_realized_liquidations_are_a_layer(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    report = await services.heatmap.heatmap(SOL, HeatmapRange.H24)
    assert report.method is HeatmapMethod.ESTIMATE and report.source == "OKX"
    assert report.analysis.above and report.analysis.below  # OI rose: levels on both sides
    oi = [c.query for c in vendors.calls if c.path == OI_HISTORY]
    assert {q["period"] for q in oi} == {"5m", "1H"}
    assert {q["instId"] for q in oi} == {"SOL-USDT-SWAP"}
    assert report.realized is not None and report.realized.count == 30
    call = next(c for c in vendors.calls if c.path == OKX_LIQ)
    assert call.query == {"instType": "SWAP", "uly": "SOL-USDT", "state": "filled", "limit": "100"}
    assert await services.heatmap.poll(["SOL"]) == 0  # the same rows again: nothing new


async def test_realized_liquidations_failing_leave_the_estimate_answering(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(OKX_LIQ, Fault(status=500))
    report = await (await build()).heatmap.heatmap(SOL, HeatmapRange.H4)
    assert report.method is HeatmapMethod.ESTIMATE and report.analysis.bands
    assert report.realized is None


async def test_plan_wall_falls_back_to_realized_and_status_says_plan(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(CG_HEATMAP, Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}))
    services = await build(coinglass_api_key="k")
    report = await services.heatmap.heatmap(SOL, HeatmapRange.H4)
    assert report.method is HeatmapMethod.ESTIMATE
    assert report.fallback_reason == "CoinGlass plan"
    status = services.status.get("heatmap")
    assert status is not None and status.reason is Reason.PLAN
    assert services.breakers.get("coinglass", "liquidation_heatmap").state is BreakerState.OPEN
