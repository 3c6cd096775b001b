"""Capability discovery: at start-up and every PROBE_INTERVAL_SECONDS (10 minutes) each module
is tried once, cheaply, through its own service, so route aliases are found and /status is
true before anyone asks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from loguru import logger

from services.container import Services
from services.kernel.errors import UpstreamError
from services.kernel.symbols import Instrument
from services.market.flags import ModuleDisabledError
from services.market.heatmap.service import HeatmapRange


def _checks(services: Services, inst: Instrument) -> dict[str, Callable[[], Awaitable[Any]]]:
    return {
        "ticker": lambda: services.ticker.ticker(inst),
        "spot_ob": lambda: services.orderbook.report(inst),
        "whale": lambda: services.whale.recent(inst),
        "sentiment": services.sentiment.current,
        "etf": services.etf.bitcoin,
        "heatmap": lambda: services.heatmap.heatmap(inst, HeatmapRange.H1),
        # SOL has no OKX options today; BTC always has: the probe checks the module, not a coin.
        "options": lambda: services.options.summary(Instrument(base="BTC")),
    }


async def probe(services: Services) -> dict[str, str]:
    """Module -> "ok" or why not; every module reports its own status as it runs."""
    inst = Instrument(base=services.settings.sniper_symbol.upper())
    checks = _checks(services, inst)

    async def one(name: str, check: Callable[[], Awaitable[Any]]) -> tuple[str, str]:
        try:
            await check()
        except ModuleDisabledError:
            return name, "disabled"
        except UpstreamError as exc:
            return name, str(exc)
        except Exception as exc:  # a probe must never take the bot down
            logger.warning("probe {} failed: {}", name, type(exc).__name__)
            return name, type(exc).__name__
        return name, "ok"

    results = dict(await asyncio.gather(*(one(n, c) for n, c in checks.items())))
    problems = {k: v for k, v in results.items() if v != "ok"}
    logger.info(
        "capability probe: {} ok{}",
        len(results) - len(problems),
        f"; {problems}" if problems else "",
    )
    return results
