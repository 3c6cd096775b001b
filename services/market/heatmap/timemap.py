"""Liquidations by time and price, for the heatmap image: CoinGlass's model grid has a time
axis (one column per candle), and so does our own record of OKX's realized liquidations.

Longs and shorts are kept apart. For realized liquidations the side is OKX's (`posSide`: the
position closed out). CoinGlass's model only says where leverage would be liquidated: a level
above the price of its moment is where shorts get liquidated (price rising into them), below it
where longs do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.models import HeatmapGrid, Liquidation
from services.market.heatmap.analysis import band_step

COLUMNS = 48  # time buckets of a realized map: fine enough to see when, coarse enough to see


class TimeMap(BaseModel):
    """USD per cell: `times` and `prices` are the cells' edges (one more than cells), `longs`
    and `shorts` are [row][column]; `path` is the price line."""

    times: list[datetime]
    prices: list[Decimal]
    longs: list[list[Decimal]]
    shorts: list[list[Decimal]]
    path: list[tuple[datetime, Decimal]] = []


def _empty(rows: int, columns: int) -> list[list[Decimal]]:
    return [[Decimal(0)] * columns for _ in range(rows)]


def from_grid(grid: HeatmapGrid, last_candles: int | None) -> TimeMap | None:
    """CoinGlass model1 as it is: a column per candle (the last `last_candles` of them)."""
    if len(grid.path) < 2 or len(grid.y_axis) < 2:
        return None
    first = len(grid.path) - last_candles if last_candles is not None else 0
    path = grid.path[max(first, 0) :]
    step = grid.path[1][0] - grid.path[0][0]
    half = (grid.y_axis[1] - grid.y_axis[0]) / 2
    prices = [y - half for y in grid.y_axis] + [grid.y_axis[-1] + half]
    longs, shorts = _empty(len(grid.y_axis), len(path)), _empty(len(grid.y_axis), len(path))
    for x, y, usd in grid.cells:
        column = x - max(first, 0)
        if not 0 <= column < len(path):
            continue
        side = shorts if grid.y_axis[y] > path[column][1] else longs
        side[y][column] += usd
    times = [t for t, _ in path] + [path[-1][0] + step]
    return TimeMap(times=times, prices=prices, longs=longs, shorts=shorts, path=path)


def from_liquidations(
    events: list[Liquidation],
    start: datetime,
    end: datetime,
    price: Decimal,
    path: list[tuple[datetime, Decimal]],
) -> TimeMap:
    """Realized liquidations in COLUMNS time buckets and the bands /heatmap lists."""
    step = band_step(price)
    seen = [e.price for e in events] + [p for _, p in path] + [price]
    low = (min(seen) // step) * step
    high = (max(seen) // step + 1) * step
    rows = int((high - low) / step)
    width = (end - start) / COLUMNS
    cells: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    for e in events:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)  # SQLite gives naive UTC back
        column = min(int((at - start) / width), COLUMNS - 1)
        if column >= 0:
            cells[(e.side, int((e.price - low) // step), column)] += e.usd
    longs, shorts = _empty(rows, COLUMNS), _empty(rows, COLUMNS)
    for (side, row, column), usd in cells.items():
        (longs if side == "long" else shorts)[row][column] += usd
    return TimeMap(
        times=[start + width * i for i in range(COLUMNS + 1)],
        prices=[low + step * i for i in range(rows + 1)],
        longs=longs,
        shorts=shorts,
        path=path,
    )


def path_bar(span: timedelta) -> str:
    """The OKX candle size for the price line of a realized map of `span` (≈ 48-60 points)."""
    minutes = span.total_seconds() / 60
    return next(
        (bar for bar, size in (("1m", 1), ("5m", 5), ("15m", 15)) if minutes / size <= 60), "30m"
    )
