"""Pending liquidations by time and price, for the heatmap image: CoinGlass's model grid has a
time axis (one column per candle), and so does the free estimate (free_map.py, a column per
period or group of them).

Longs and shorts are kept apart. CoinGlass's model only says where leverage would be
liquidated: a level above the price of its moment is where shorts get liquidated (price rising
into them), below it where longs do.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.models import HeatmapGrid


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
