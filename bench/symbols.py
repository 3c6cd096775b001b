"""Upstream calls and answers with a price for 1, 10 and 100 distinct symbols asked at once.

Clients ask `ticker()` for N distinct OKX spot pairs round-robin for a few seconds, through the
bot's own OKX budget (20 requests per 2 s, as configured by default) against a fake OKX with
50 ms latency. The same run also measures the old way, one OKX call per symbol, as a baseline.
Prints one JSON line. Target: upstream calls flat in the number of symbols (the calls at 100
symbols within 1.5x of those at 1) and every answer a fresh price.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from bench.burst import serve_in_thread
from services.container import Services, build_services
from services.kernel.settings import Settings
from services.kernel.symbols import parse_symbol
from tests.fakes.vendors import FakeVendors

COUNTS = (1, 10, 100)
SECONDS = 3.0
CLIENTS = 50
PAUSE = 0.01  # each client's pause between asks: ~5,000 asks/s offered in all
TTL_MS = 300
OKX_TICKER_PATHS = ("/api/v5/market/ticker", "/api/v5/market/tickers")


def coins(n: int) -> list[str]:
    return [f"Z{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(n)]


def settings(base_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        okx_base_url=base_url,
        coinapi_base_url=base_url,
        redis_url="",
        coinapi_api_key="",
        ticker_cache_ttl_ms=TTL_MS,
    )


def per_symbol(services: Services) -> None:
    """The baseline: each symbol's ticker on its own OKX call, as before the snapshot."""
    # The bench reaches inside on purpose: no setting brings the old path back.
    snapshots = services.ticker.snapshots
    services.ticker.snapshots = SimpleNamespace(ticker=snapshots._okx.ticker)  # type: ignore[assignment]


async def run(vendors: FakeVendors, n: int, baseline: bool) -> dict[str, Any]:
    services = build_services(settings(vendors.base_url))
    if baseline:
        per_symbol(services)
    symbols = [parse_symbol(c) for c in coins(n)]
    before = sum(vendors.count(p) for p in OKX_TICKER_PATHS)
    priced = 0
    failed = 0
    deadline = time.perf_counter() + SECONDS

    async def client(start: int) -> None:
        nonlocal priced, failed
        turn = start
        while time.perf_counter() < deadline:
            try:
                ticker = await services.ticker.ticker(symbols[turn % n])
            except Exception:
                failed += 1
            else:
                if ticker.stale:
                    failed += 1
                else:
                    priced += 1
            turn += 1
            await asyncio.sleep(PAUSE)

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    await services.aclose()
    calls = sum(vendors.count(p) for p in OKX_TICKER_PATHS) - before
    return {
        "symbols": n,
        "asks": priced + failed,
        "upstream_calls_per_s": round(calls / elapsed, 2),
        "priced_pct": round(100 * priced / max(1, priced + failed), 1),
    }


async def main() -> None:
    logger.remove()  # the baseline's refusals would fill the screen; the figures say it
    logger.add(sys.stderr, level="ERROR")
    vendors, loop = serve_in_thread()
    vendors.list_spot([f"{c}-USDT" for c in coins(max(COUNTS))])
    try:
        bulk = [await run(vendors, n, baseline=False) for n in COUNTS]
        old = [await run(vendors, n, baseline=True) for n in COUNTS]
    finally:
        asyncio.run_coroutine_threadsafe(vendors.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
    flat = bulk[-1]["upstream_calls_per_s"] / max(0.01, bulk[0]["upstream_calls_per_s"])
    result = {
        "bench": "symbols",
        "seconds_each": SECONDS,
        "ttl_ms": TTL_MS,
        "snapshot": bulk,
        "per_symbol_baseline": old,
        "calls_ratio_100_vs_1": round(flat, 2),
        "target_flat": flat <= 1.5,
        "target_all_priced": all(r["priced_pct"] == 100.0 for r in bulk),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
