"""Grading 10,000 stored calls over 30 days of 1-minute candles, and what it costs commands.

The catch-up case: a bot that kept calls but graded none (new install of the grader, or a long
outage) grades a month at once. 30 days of SOL 1-minute candles (a seeded random walk) and
10,000 calls (bias, whale and sniper) are stored in SQLite; one grading run grades them all.
Meanwhile a client asks /ticker's service (uncached, against the fake OKX over HTTP) at a
steady pace; the same client runs without the grader just before and just after, so the p95
ratio compares like with like in one run.
Prints one JSON line: seconds, calls/s, peak RSS, command p95 with and without the grader.
Targets: all 10,000 graded; command p95 with the grader within 2x of without.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from services.container import Services, build_services
from services.kernel.models import Candle
from services.kernel.symbols import Instrument
from services.signals.bias.rule import Direction
from services.signals.calls import Kind, sniper_call
from services.storage.calls import NewCall
from tests.conftest import vendor_settings
from tests.fakes.vendors import FakeVendors
from tests.unit.test_sniper_rule import make

CALLS = 10_000
DAYS = 30
PACE_SECONDS = 0.02  # one command every 20 ms while measuring


def walk(now: datetime) -> list[Candle]:
    rng = random.Random(7)
    start = now - timedelta(days=DAYS)
    price = 100.0
    candles = []
    for i in range(DAYS * 24 * 60):
        high = price * (1 + rng.random() * 0.002)
        low = price * (1 - rng.random() * 0.002)
        close = rng.uniform(low, high)
        candles.append(
            Candle(
                ts=start + timedelta(minutes=i),
                open=Decimal(f"{price:.4f}"),
                high=Decimal(f"{high:.4f}"),
                low=Decimal(f"{low:.4f}"),
                close=Decimal(f"{close:.4f}"),
            )
        )
        price = close
    return candles


async def seed(services: Services, candles: list[Candle], now: datetime) -> None:
    await services.candles.save("SOL", candles)
    rng = random.Random(11)
    span = (DAYS - 2) * 24 * 60
    first = now - timedelta(days=DAYS) + timedelta(minutes=10)
    for n in range(CALLS):
        made = first + timedelta(minutes=rng.randrange(span))
        price = candles[int((made - candles[0].ts).total_seconds() // 60)].close
        kind = (Kind.BIAS, Kind.WHALE, Kind.SNIPER)[n % 3]
        if kind == Kind.SNIPER:
            # The hand-made map's levels scaled to the price at the time.
            entry = make(at=made)
            scale = price / entry.price
            levels = entry.model_copy(
                update={
                    "price": price,
                    "entry": entry.entry * scale,  # type: ignore[operator]
                    "invalidation": entry.invalidation * scale,  # type: ignore[operator]
                    "targets": [
                        t.model_copy(update={"price": t.price * scale}) for t in entry.targets
                    ],
                }
            )
            call = sniper_call(levels)
            call = call.model_copy(update={"key": f"{n}", "pushed": True})
            await services.calls.store.record(call, status="waiting")
            continue
        direction = rng.choice([Direction.LONG, Direction.SHORT]).value
        await services.calls.store.record(
            NewCall(
                kind=kind,
                symbol="SOL",
                direction=direction,
                made_at=made,
                key=f"{n}",
                price=price,
                pushed=True,
                detail="{}",
            )
        )


async def commands(services: Services, seconds: float, stop: asyncio.Event | None) -> list[float]:
    """Latencies of /ticker's service call, one every PACE_SECONDS."""
    latencies = []
    sol = Instrument(base="SOL")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not (stop and stop.is_set()):
        started = time.perf_counter()
        await services.ticker.ticker(sol)
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PACE_SECONDS)
    return latencies


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2) if len(values) > 20 else float("nan")


async def main() -> dict[str, object]:
    vendors = FakeVendors()
    await vendors.start()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(
            vendor_settings(
                vendors.base_url,
                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                okx_requests_per_2s=100_000,
            ),
            cache_enabled=False,
        )
        await services.start()
        await seed(services, walk(now), now)
        gc.freeze()  # as the bot does once started (bot/app.py)
        before = await commands(services, 3.0, None)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        done = asyncio.Event()
        started = time.perf_counter()
        grading = asyncio.create_task(services.grading_job.run(now + timedelta(minutes=1)))
        grading.add_done_callback(lambda _: done.set())
        during_task = asyncio.create_task(commands(services, 600.0, done))
        written = await grading
        seconds = time.perf_counter() - started
        during = await during_task
        before += await commands(services, 3.0, None)  # and after: the machine drifts
        open_left = len(await services.calls.store.open_calls())
        await services.aclose()
    await vendors.stop()
    graded = CALLS - open_left
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bench": "grading",
        "calls": CALLS,
        "candles": DAYS * 24 * 60,
        "graded": graded,
        "grade_rows": written,
        "seconds": round(seconds, 2),
        "calls_per_s": round(graded / seconds, 1),
        "peak_rss_mb": round(rss_peak / 1024, 1),
        "rss_growth_mb": round((rss_peak - rss_before) / 1024, 1),
        "command_p95_ms": {"without_grader": p95(before), "with_grader": p95(during)},
        "command_p95_ratio": round(p95(during) / p95(before), 2),
        "commands_during": len(during),
        "target_all_graded": graded == CALLS,
        "target_p95_ratio_within_2x": p95(during) <= 2 * p95(before),
    }


if __name__ == "__main__":
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    print(json.dumps(asyncio.run(main())))
