"""Time to draw each chart: the /ob depth chart, the /heatmap image (CoinGlass's grid and the
free estimate) and the /chart candles.

Prints one JSON line: median and max milliseconds over 20 renders, and the PNG bytes sent.
Target: well under 300 ms each on this machine.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts.candles import candle_chart
from bot.charts.depth import depth_chart
from bot.charts.heatmap import heatmap_chart
from bot.i18n import make_i18n
from bot.render.chart import candle_labels
from bot.render.heatmap import heatmap_labels
from bot.render.orderbook import depth_labels
from bot.render.view import View
from services.kernel.symbols import parse_symbol
from services.market.heatmap.analysis import analyse
from services.market.heatmap.free_map import build_map
from services.market.heatmap.service import HeatmapMethod, HeatmapReport
from services.market.ticker.candles import Bar, CandleBar, CandleReport
from tests.fakes.reports import book_report, heatmap_report

RUNS = 20
TARGET_MS = 300


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


def estimated(heat: HeatmapReport) -> HeatmapReport:
    """The free map: the estimate from 1,440 five-minute open interest points (bench/estimate.py's
    synthetic week), drawn over 24 hours."""
    from bench.estimate import inputs  # the same synthetic history the model's bench uses

    data, price, end = inputs(1440)
    built = build_map(data, price, end - timedelta(hours=24))
    return heat.model_copy(
        update={
            "method": HeatmapMethod.ESTIMATE,
            "source": "OKX",
            "map": built.map,
            "analysis": analyse(built.analysis_bands, price),
            "lookback": built.lookback,
        }
    )


def candle_report() -> CandleReport:
    """/chart's default: 96 hourly bars, four days."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=96)
    bars = [
        CandleBar(
            ts=start + timedelta(hours=i),
            open=140 + i % 5,
            high=146,
            low=139,
            close=141 + i % 4,
            volume=1000 + i,
        )
        for i in range(96)
    ]
    return CandleReport(
        instrument=parse_symbol("SOL"), bar=Bar.H1, candles=bars, source="OKX", as_of=start
    )


def main() -> None:
    book, heat = book_report(), heatmap_report()
    free, bars = estimated(heat), candle_report()
    view = View(locale="en", tz=ZoneInfo("Asia/Jakarta"), now=datetime.now(UTC))
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):  # the words, translated as a handler does
        book_words, heat_words = depth_labels(book, view), heatmap_labels(heat, view)
        free_words, candle_words = heatmap_labels(free, view), candle_labels(bars, view)
    results = {
        "depth_chart": measure(lambda: depth_chart(book, book_words, view)),
        "heatmap": measure(lambda: heatmap_chart(heat, heat_words, view)),  # CoinGlass's grid
        "heatmap_estimate": measure(lambda: heatmap_chart(free, free_words, view)),
        "candles": measure(lambda: candle_chart(bars, candle_words, view)),
    }
    print(
        json.dumps(
            {
                "bench": "render",
                "runs": RUNS,
                **results,
                "target_ms": TARGET_MS,
                "target_met": all(r["median_ms"] < TARGET_MS for r in results.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
