"""Background jobs on APScheduler (asyncio), started and stopped with the bot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger

from services.container import Services
from services.discovery import PROBE_SECONDS, probe
from services.flags import Flag


async def poll_liquidations(services: Services) -> None:
    """Keeps the free heatmap's window filled; a failure waits for the next run."""
    if not await services.flags.enabled(Flag.HEATMAP):
        return
    coins = sorted({*services.settings.watch_symbols, services.settings.sniper_symbol})
    try:
        await services.heatmap.poll(coins)
    except asyncio.CancelledError:
        logger.debug("liquidation poll stopped by shutdown")  # not an error worth a traceback
    except Exception as exc:  # one bad poll must not stop the schedule
        logger.warning("liquidation poll failed: {}", exc)


async def discover(services: Services) -> None:
    try:
        await probe(services)
    except asyncio.CancelledError:
        logger.debug("capability probe stopped by shutdown")


def make_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=services.settings.timezone)
    scheduler.add_job(
        poll_liquidations,
        "interval",
        args=[services],
        seconds=services.settings.liquidation_poll_seconds,
        id="liquidations",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        discover,
        "interval",
        args=[services],
        seconds=PROBE_SECONDS,
        id="discovery",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=60,
        next_run_time=datetime.now(UTC),
    )
    return scheduler
