"""The heatmap by time and price: CoinGlass's grid column by candle, our own record bucketed in
time; longs and shorts kept apart by what the data means; only ranges worth a button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.charts.frame import ChartFrame, figure
from bot.charts.heatmap import HeatmapLabels, _time_map
from bot.render.view import View
from services.kernel.models import HeatmapGrid
from services.market.heatmap.service import HeatmapMethod, HeatmapRange
from services.market.heatmap.timemap import from_grid
from tests.fakes.reports import heatmap_report

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def grid() -> HeatmapGrid:
    """Three 5m candles closing at 100, 110, 100; levels at 95, 105 and 115."""
    return HeatmapGrid(
        y_axis=[Decimal(95), Decimal(105), Decimal(115)],
        cells=[(0, 1, Decimal(10)), (1, 1, Decimal(20)), (2, 2, Decimal(30)), (2, 0, Decimal(5))],
        candle_count=3,
        last_close=Decimal(100),
        last_time=T0 + 10 * MINUTE,
        path=[
            (T0, Decimal(100)),
            (T0 + 5 * MINUTE, Decimal(110)),
            (T0 + 10 * MINUTE, Decimal(100)),
        ],
    )


def test_a_models_level_above_the_price_of_its_moment_is_where_shorts_get_liquidated() -> None:
    m = from_grid(grid(), None)
    assert m is not None
    assert len(m.times) == 4 and m.times[-1] == T0 + 15 * MINUTE  # edges: one more than columns
    assert m.prices == [Decimal(90), Decimal(100), Decimal(110), Decimal(120)]
    assert m.shorts[1][0] == 10  # 105 above a close of 100: shorts' liquidation level
    assert m.longs[1][1] == 20 and m.shorts[1][1] == 0  # 105 under a close of 110: longs'
    assert m.shorts[2][2] == 30 and m.longs[0][2] == 5
    cut = from_grid(grid(), 1)  # a 1h answer cut from a longer grid keeps its last candles
    assert cut is not None and len(cut.times) == 2 and cut.shorts[2][0] == 30


def test_every_range_is_offered() -> None:
    """The estimate reads days of open interest from the start: each range has its map."""
    estimate = heatmap_report().model_copy(update={"method": HeatmapMethod.ESTIMATE})
    assert estimate.ranges() == list(HeatmapRange)
    assert heatmap_report().ranges() == list(HeatmapRange)


def test_the_time_map_draws_both_sides_and_the_price_line() -> None:
    m = from_grid(grid(), None)
    assert m is not None
    view = View(locale="en", tz=ZoneInfo("Asia/Jakarta"), now=T0)
    labels = HeatmapLabels(
        frame=ChartFrame("t", "c", "en"),
        x_axis="x",
        y_axis="price",
        price="price 100",
        time_axis="time",
        longs="longs",
        shorts="shorts",
        realized="liquidated",
        scale="USD",
    )
    _fig, ax = figure()
    _norm, _cmap, handles = _time_map(ax, m, labels, view)
    ax.legend(handles=handles)
    assert len(ax.collections) == 2  # a mesh for longs, one for shorts
    [line] = ax.get_lines()
    assert list(line.get_ydata()) == [100.0, 110.0, 100.0]  # the price over the map
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["longs", "shorts", "price 100"]
