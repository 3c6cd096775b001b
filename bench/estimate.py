"""CPU cost of the free liquidation estimate (services/market/heatmap/free_map.py): a 5-day map
from 1,440 five-minute open interest points (all OKX keeps), and a 1-day one from 288 as the
baseline of the same run (the ratio says how the cost grows with history).

Prints one JSON line: CPU milliseconds (median of 7 builds) for each, their ratio, and the
levels and map cells built. Target: the 5-day map under 250 ms of CPU.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.market.heatmap.free_map import Bar, EstimateInputs, Series, build_map
from services.vendors.okx_stats import OiPoint, TakerPoint

RUNS = 7
TARGET_MS = 250.0
STEP = timedelta(minutes=5)


def inputs(points: int) -> tuple[EstimateInputs, Decimal, datetime]:
    """A swinging price (±6 %) and open interest that builds and bleeds, as a real week does."""
    end = datetime(2026, 12, 7, tzinfo=UTC)
    start = end - STEP * points
    oi, bars, taker = [], [], []
    for n in range(points + 1):
        at = start + STEP * n
        price = 140 * (1 + 0.06 * math.sin(n / 90) + 0.01 * math.sin(n / 7))
        coins = 2_500_000 * (1 + 0.1 * math.sin(n / 150) + 0.02 * math.sin(n / 11))
        oi.append(OiPoint(at=at, coins=Decimal(repr(round(coins, 2))), usd=Decimal(0)))
        bars.append(Bar(at=at, high=price * 1.002, low=price * 0.998, close=price))
        buy = 0.5 + 0.2 * math.sin(n / 13)
        taker.append(TakerPoint(at=at, sell=Decimal(repr(1 - buy)), buy=Decimal(repr(buy))))
    series = Series(period="5m", oi=oi, taker=taker, bars=bars)
    return EstimateInputs(coin="SOL", fine=series), Decimal(repr(round(price, 2))), end


def measure(points: int) -> dict[str, Any]:
    data, price, end = inputs(points)
    build_map(data, price, end - timedelta(hours=24))  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.process_time()
        built = build_map(data, price, end - timedelta(hours=24))
        times.append((time.process_time() - started) * 1000)
    cells = 0 if built.map is None else len(built.map.longs) * (len(built.map.times) - 1)
    return {
        "points": points,
        "cpu_ms": round(statistics.median(times), 1),
        "levels": len(built.levels),
        "map_cells": cells,
    }


def main() -> None:
    full, day = measure(1440), measure(288)
    print(
        json.dumps(
            {
                "bench": "estimate",
                "five_days": full,
                "one_day_baseline": day,
                "cost_ratio_5d_vs_1d": round(full["cpu_ms"] / max(day["cpu_ms"], 0.1), 2),
                "target_ms": TARGET_MS,
                "target_met": full["cpu_ms"] < TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
