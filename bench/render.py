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
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts.depth import depth_chart
from bot.charts.heatmap import heatmap_chart
from bot.i18n import make_i18n
from bot.render.heatmap import heatmap_labels
from bot.render.orderbook import depth_labels
from bot.render.view import View
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


def main() -> None:
    book, heat = book_report(), heatmap_report()
    view = View(locale="en", tz=ZoneInfo("Asia/Jakarta"), now=datetime.now(UTC))
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):  # the words, translated as a handler does
        book_words, heat_words = depth_labels(book, view), heatmap_labels(heat, view)
    depth = measure(lambda: depth_chart(book, book_words, view))
    heatmap = measure(lambda: heatmap_chart(heat, heat_words, view))  # time by price
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
