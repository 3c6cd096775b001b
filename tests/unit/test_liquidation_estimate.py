"""The free liquidation estimate reads open interest for what it means (docs/liquidation-estimate
.md): positions opened where OI rose, split by who bought, liquidated at levels set by leverage,
gone once price trades through them or OI falls; a realized liquidation is never a level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.kernel.symbols import parse_symbol
from services.market.heatmap.estimate import TIERS, Estimator, Period, estimate
from services.market.heatmap.service import HeatmapMethod, HeatmapRange
from services.signals.sniper.rule import SniperLimits, _cluster
from tests.fakes.vendors import FakeVendors
from tests.unit.conftest import Build

T0 = datetime(2026, 12, 1, tzinfo=UTC)
FIVE = timedelta(minutes=5)
LONGS = [80.5, 90.5, 96.5, 98.5, 99.5]  # 100 × (1 − 1/L + 0.5 %) for 5, 10, 25, 50, 100×
SHORTS = [100.5, 101.5, 103.5, 109.5, 119.5]  # 100 × (1 + 1/L − 0.5 %)


def period(n: int, before: float, after: float, low: float = 100, high: float = 100,
           close: float = 100, buy: float | None = None) -> Period:  # fmt: skip
    return Period(T0 + n * FIVE, before, after, high, low, close, buy)


def prices(levels: list, side: str) -> list[float]:  # type: ignore[type-arg]
    return sorted(float(level.price) for level in levels if level.side == side)


# (what happened, the long levels that must remain, the short levels that must remain)
PATHS = [
    ("OI up, every taker bought: longs only", [period(0, 1000, 2000, buy=1.0)], LONGS, []),
    ("OI up, every taker sold: shorts only", [period(0, 1000, 2000, buy=0.0)], [], SHORTS),
    ("OI up, buyers unknown: both, evenly", [period(0, 1000, 2000)], LONGS, SHORTS),
    ("OI flat: nothing opened", [period(0, 1000, 1000, buy=1.0)], [], []),
    ("OI down: nothing opened", [period(0, 2000, 1000, buy=1.0)], [], []),
    (
        "a fall to 97 liquidates the longs at 98.5 and 99.5",
        [period(0, 1000, 2000, buy=1.0), period(1, 2000, 2000, low=97)],
        [80.5, 90.5, 96.5],
        [],
    ),
    (
        "a rise to 102 liquidates the shorts at 100.5 and 101.5",
        [period(0, 1000, 2000, buy=0.0), period(1, 2000, 2000, high=102)],
        [],
        [103.5, 109.5, 119.5],
    ),
    (
        "a level just out of reach stays",
        [period(0, 1000, 2000, buy=1.0), period(1, 2000, 2000, low=99.6)],
        LONGS,
        [],
    ),
]


@pytest.mark.parametrize(("why", "path", "longs", "shorts"), PATHS, ids=[p[0] for p in PATHS])
def test_open_interest_paths_make_the_levels_they_must_and_no_others(
    why: str, path: list[Period], longs: list[float], shorts: list[float]
) -> None:
    levels = estimate(path)
    assert prices(levels, "long") == pytest.approx(longs), why
    assert prices(levels, "short") == pytest.approx(shorts), why


def test_each_tier_holds_its_share_of_the_new_positions_in_usd_at_its_level() -> None:
    levels = estimate([period(0, 1000, 2000, buy=1.0)])
    by_price = {round(float(level.price), 4): float(level.usd) for level in levels}
    for (leverage, weight), price in zip(TIERS, LONGS, strict=True):
        assert by_price[price] == pytest.approx(1000 * weight * price), leverage


def test_oi_falling_by_choice_shrinks_every_open_level_in_proportion() -> None:
    opened = period(0, 1000, 2000, buy=1.0)
    half_closed = period(1, 2000, 1000)  # no trade-through: half of all OI closed by choice
    before = {level.price: level.usd for level in estimate([opened])}
    after = {level.price: level.usd for level in estimate([opened, half_closed])}
    assert after.keys() == before.keys()
    for price, usd in after.items():
        assert float(usd) == pytest.approx(float(before[price]) / 2)


def test_oi_falling_by_what_was_just_liquidated_closes_nothing_more() -> None:
    opened = period(0, 1000, 2000, buy=1.0)
    # The fall to 97 liquidates the 50× and 100× tiers (25 % of the 1,000 new coins); OI
    # falling by exactly those 250 coins is that liquidation, not positions closed by choice.
    liquidated = period(1, 2000, 1750, low=97)
    levels = {round(float(lv.price), 4): float(lv.usd) for lv in estimate([opened, liquidated])}
    assert levels == pytest.approx({80.5: 1000 * 0.2 * 80.5, 90.5: 1000 * 0.3 * 90.5,
                                    96.5: 1000 * 0.25 * 96.5})  # fmt: skip


def test_a_level_once_traded_through_does_not_come_back_when_price_returns() -> None:
    path = [period(0, 1000, 2000, buy=1.0), period(1, 2000, 2000, low=97), period(2, 2000, 2000)]
    assert 99.5 not in prices(estimate(path), "long")


def test_only_positions_opened_since_the_range_start_are_shown() -> None:
    model = Estimator()
    for p in (period(0, 1000, 2000, buy=1.0), period(1, 2000, 3000, buy=0.0)):
        model.run(p)
    recent = model.levels(since=T0 + FIVE)
    assert prices(recent, "long") == [] and prices(recent, "short") == pytest.approx(SHORTS)


async def test_realized_liquidations_at_price_never_make_a_cluster_nor_the_snipers_condition(
    build: Build, vendors: FakeVendors
) -> None:
    """OKX reports liquidations right at the price, but open interest did not grow: nothing is
    pending there. The realized layer shows them; the bands, the cluster and the sniper's
    condition do not."""
    now = int(datetime.now(UTC).timestamp() * 1000) // 300_000 * 300_000
    vendors.set_open_interest(
        "SOL-USDT-SWAP", "5m", [(now - n * 300_000, 2_500_000.0) for n in range(60)]
    )
    services = await build()
    report = await services.heatmap.heatmap(parse_symbol("SOL"), HeatmapRange.H4)
    assert report.method is HeatmapMethod.ESTIMATE
    assert report.realized is not None and report.realized.count > 0
    near = [p for p in report.realized.points if abs(p.price - report.analysis.price) < 2]
    assert near, "the fixture's realized liquidations are near the price"
    assert report.analysis.bands == [] and report.analysis.nearest is None
    assert _cluster(report.analysis, SniperLimits()).met is False


async def test_every_range_has_a_map_from_the_first_minute(
    build: Build, vendors: FakeVendors
) -> None:
    """No record of our own is needed: the open interest history fills each range at once."""
    services = await build()
    for range_ in HeatmapRange:
        report = await services.heatmap.heatmap(parse_symbol("SOL"), range_)
        assert report.map is not None and report.map.longs, range_
        assert report.lookback is not None and report.lookback >= timedelta(hours=3)
        assert report.analysis.bands, range_
        assert Decimal(0) < report.analysis.total_usd


def test_positions_closed_by_choice_in_a_cascade_are_a_share_of_what_was_left() -> None:
    """The fall to 97 liquidates 250 of the 1,000 new coins; OI falls by 750, so 500 more were
    closed by choice out of the 1,750 the liquidations left: each level keeps 1,250/1,750."""
    opened = period(0, 1000, 2000, buy=1.0)
    cascade = period(1, 2000, 1250, low=97)
    levels = {round(float(lv.price), 4): float(lv.usd) for lv in estimate([opened, cascade])}
    keep = 1 - 500 / 1750
    assert levels == pytest.approx(
        {80.5: 200 * 80.5 * keep, 90.5: 300 * 90.5 * keep, 96.5: 250 * 96.5 * keep}
    )
