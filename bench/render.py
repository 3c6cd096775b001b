"""Time to draw the /ob depth chart and the /heatmap image from the fixture data.

Prints one JSON line: median and max milliseconds over 20 renders, and the PNG bytes sent.
Target: well under 300 ms each on this machine.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts.depth import depth_chart
from bot.charts.heatmap import heatmap_chart
from services.analysis.heatmap import analyse as analyse_heatmap
from services.analysis.heatmap import bands_from_grid
from services.analysis.orderbook import analyse as analyse_book
from services.heatmap import HeatmapRange, HeatmapReport
from services.models import HeatmapGrid, OrderBook
from services.orderbook import OrderBookReport
from services.providers.levels import parse_levels
from services.symbols import parse_symbol
from tests.fakes.vendors import load

RUNS = 20
TARGET_MS = 300


def book_report() -> OrderBookReport:
    data = load("okx", "books_SOL-USDT.json")["data"][0]
    book = OrderBook(
        instrument=parse_symbol("SOL"),
        bids=parse_levels("okx", "b", data["bids"]),
        asks=parse_levels("okx", "b", data["asks"]),
        source="OKX",
        as_of=datetime.now(UTC),
    )
    analysis = analyse_book(book)
    assert analysis is not None
    return OrderBookReport(book=book, analysis=analysis)


def heatmap_report() -> HeatmapReport:
    data = load("coinglass", "liquidation_heatmap_model1_SOLUSDT.json")["data"]
    axis = [Decimal(str(y)) for y in data["y_axis"]]
    grid = HeatmapGrid(
        y_axis=axis,
        cells=[(int(x), int(y), Decimal(str(u))) for x, y, u in data["liquidation_leverage_data"]],
        candle_count=len(data["price_candlesticks"]),
        last_close=Decimal(data["price_candlesticks"][-1][4]),
        last_time=None,
    )
    price = grid.last_close or axis[0]
    return HeatmapReport(
        coin="SOL",
        range=HeatmapRange.H12,
        source="CoinGlass",
        modelled=True,
        analysis=analyse_heatmap(bands_from_grid(grid, price, None), price),
        as_of=datetime.now(UTC),
    )


def measure(draw: Callable[[], bytes]) -> dict[str, Any]:
    draw()  # warm-up: fonts and caches load once per process
    times, size = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        size = len(draw())
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "bytes": size,
    }


def main() -> None:
    book, heat = book_report(), heatmap_report()
    depth = measure(lambda: depth_chart(book, "SOL/USDT · OKX"))
    heatmap = measure(lambda: heatmap_chart(heat, "SOL liquidation map · 12h"))
    print(
        json.dumps(
            {
                "bench": "render",
                "runs": RUNS,
                "depth_chart": depth,
                "heatmap": heatmap,
                "target_ms": TARGET_MS,
                "target_met": depth["median_ms"] < TARGET_MS and heatmap["median_ms"] < TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
