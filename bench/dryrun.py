"""The dry-run an alert is answered with, timed: 30 days of 5-minute candles at the fake OKX
(served on its own thread, paged as OKX pages them), each alert set on a coin no one asked about
yet (nothing cached), then set again on a coin just read (the span cached, as /alerts history
and a second alert find it).

Prints one JSON line:
- `cold_ms` p50/p95 by the bars the replay reads (`1H` for levels and long moves, `5m` for short
  moves and quick repeats): from the alert set to its dry-run counted. Target: p50 within the chat
  deadline less what the reply keeps back (else the answer says "still counting" and is edited).
- `warm_ms` p50: the same with the span cached.
- `okx_calls` per cold dry-run, by bars; `page_ms` p50: one `history-candles` call alone, the
  baseline the cold figure is a multiple of (`cold_over_page`).
- `days_covered` by bars: how far back the replay could read.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from bench.alerts import pct
from bench.burst import serve_in_thread
from bot.handlers.rule_answers import ANSWER_RESERVE
from services.container import build_services
from services.vendors.okx import OkxClient
from tests.conftest import vendor_settings

DAYS = 30
FIVE_MS = 5 * 60 * 1000
TRIALS = 9  # cold dry-runs per kind of bars
ALERTS = {  # what a trader types, by the bars its replay reads
    "1H": "{} > {}",
    "5m": "{} move 2% 15m",
}
TZ = ZoneInfo("Asia/Jakarta")


def month(rng: random.Random) -> list[tuple[int, float, float, float, float]]:
    """A 30-day random walk of 5-minute bars, ending now."""
    now = int(time.time() * 1000) // FIVE_MS * FIVE_MS
    price, rows = 100.0, []
    for ts in range(now - DAYS * 24 * 3600 * 1000, now + FIVE_MS, FIVE_MS):
        close = max(1.0, price * (1 + rng.gauss(0, 0.003)))
        high = max(price, close) * (1 + abs(rng.gauss(0, 0.001)))
        low = min(price, close) * (1 - abs(rng.gauss(0, 0.001)))
        rows.append((ts, price, high, low, close))
        price = close
    return rows


async def main() -> dict[str, Any]:
    vendors, vendor_loop = serve_in_thread()
    rng = random.Random(7)
    coins = [f"D{n:02d}" for n in range(TRIALS * len(ALERTS))]
    for coin in coins:
        vendors.set_candles(f"{coin}-USDT", month(rng))
    vendors.list_spot([f"{coin}-USDT" for coin in coins])
    history = "/api/v5/market/history-candles"
    recent = "/api/v5/market/candles"
    result: dict[str, Any] = {"bench": "dryrun", "days": DAYS}
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(
            vendor_settings(vendors.base_url, database_url=f"sqlite+aiosqlite:///{tmp}/b.db")
        )
        await services.start()
        okx = services.vendors.get(OkxClient)
        pages = []
        for coin in coins[:TRIALS]:
            started = time.perf_counter()
            await okx.candles(await services.instruments.resolve(coin), "5m", history=True)
            pages.append((time.perf_counter() - started) * 1000)
        cold: dict[str, list[float]] = {}
        warm: dict[str, list[float]] = {}
        calls: dict[str, list[int]] = {}
        covered: dict[str, float] = {}
        for index, (bars, text) in enumerate(ALERTS.items()):
            for n, coin in enumerate(coins[index * TRIALS : (index + 1) * TRIALS]):
                before = vendors.count(history) + vendors.count(recent)
                for timings in (cold, warm):
                    # A new chat each time: the alerts' limit is not what is measured.
                    chat = 10_000 * (index + 1) + 2 * n + (timings is warm)
                    started = time.perf_counter()
                    created = await services.rules.create(chat, chat, False, text.format(coin, 200))
                    dry = await services.rule_review.dry_run(created.rule, TZ, created.price)
                    timings.setdefault(bars, []).append((time.perf_counter() - started) * 1000)
                    if timings is cold:
                        made = vendors.count(history) + vendors.count(recent) - before
                        calls.setdefault(bars, []).append(made)
                covered[bars] = float(dry.days)
        await services.aclose()
    asyncio.run_coroutine_threadsafe(vendors.stop(), vendor_loop).result(10)
    vendor_loop.call_soon_threadsafe(vendor_loop.stop)
    page = median(pages)
    budget = services.settings.chat_deadline_seconds - ANSWER_RESERVE
    result["cold_ms"] = {
        bars: {"p50": round(pct(v, 0.5)), "p95": round(pct(v, 0.95))} for bars, v in cold.items()
    }
    result["warm_ms"] = {bars: {"p50": round(pct(v, 0.5), 1)} for bars, v in warm.items()}
    result["okx_calls"] = {bars: max(v) for bars, v in calls.items()}
    result["page_ms"] = {"p50": round(page, 1)}
    result["cold_over_page"] = {bars: round(pct(v, 0.5) / page, 1) for bars, v in cold.items()}
    result["days_covered"] = covered
    result["answer_budget_ms"] = round(budget * 1000)
    result["target_met"] = all(pct(v, 0.5) < budget * 1000 for v in cold.values())
    return result


if __name__ == "__main__":
    logger.remove()  # one JSON line is the output
    print(json.dumps(asyncio.run(main())))
