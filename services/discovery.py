"""Capability discovery: at start-up and every PROBE_INTERVAL_SECONDS (10 minutes) each module
is tried once, cheaply, through its own service's `probe`, so route aliases are found and
/status is true before anyone asks."""

from __future__ import annotations

import asyncio

from loguru import logger

from services.container import Services
from services.kernel.errors import UpstreamError
from services.kernel.modules import MODULES, Module
from services.kernel.symbols import Instrument
from services.market.flags import ModuleDisabledError


async def probe(services: Services) -> dict[str, str]:
    """Module -> "ok" or why not; every module reports its own status as it runs."""
    inst = Instrument(base=services.settings.sniper_symbol.upper())

    async def one(module: Module) -> tuple[str, str]:
        name = module.value
        try:
            await services.modules.of(module).probe(inst)
        except ModuleDisabledError:
            return name, "disabled"
        except UpstreamError as exc:
            return name, str(exc)
        except Exception as exc:  # a probe must never take the bot down
            logger.warning("probe {} failed: {}", name, type(exc).__name__)
            return name, type(exc).__name__
        return name, "ok"

    results = dict(await asyncio.gather(*(one(module) for module in MODULES)))
    problems = {k: v for k, v in results.items() if v != "ok"}
    logger.info(
        "capability probe: {} ok{}",
        len(results) - len(problems),
        f"; {problems}" if problems else "",
    )
    return results
