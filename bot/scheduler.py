"""Background jobs on APScheduler (asyncio), started and stopped with the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger

from services.container import Services
from services.discovery import probe
from services.market.flags import Flag
from services.storage.errors import StorageUnavailableError


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


async def bias(services: Services) -> None:
    await _leased(services, "bias", services.settings.bias_interval_seconds, services.bias_job.run)


async def sniper(services: Services) -> None:
    await _leased(
        services, "sniper", services.settings.sniper_interval_seconds, services.sniper_job.run
    )


async def _leased(
    services: Services, name: str, interval: float, run: Callable[[], Awaitable[int]]
) -> None:
    """With several replicas only the lease holder runs the job (one alert, one warning); the
    lease outlives one interval so the holder keeps it, and lapses if the holder dies."""
    try:
        if not await services.leases.take(name, interval * 1.5 + 5):
            logger.debug("{} job: another replica holds it", name)
            return
        await run()
    except asyncio.CancelledError:
        logger.debug("{} job stopped by shutdown", name)
    except StorageUnavailableError as exc:  # not a bug: the next run tries again
        logger.warning("{} job skipped: storage unavailable ({})", name, exc.detail)
    except Exception as exc:  # the job's health counts module failures; this is our bug
        logger.opt(exception=exc).error("{} job crashed", name)


async def grading(services: Services) -> None:
    async def run() -> int:
        return await services.grading_job.run()

    await _leased(services, "grading", services.settings.grading_interval_seconds, run)


def make_scheduler(services: Services) -> AsyncIOScheduler:
    """Jobs run once at start, then on their interval; an interval of 0 leaves a job out."""
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    jobs = (
        ("liquidations", poll_liquidations, settings.liquidation_poll_seconds),
        ("discovery", discover, settings.probe_interval_seconds),
        ("bias", bias, settings.bias_interval_seconds),
        ("sniper", sniper, settings.sniper_interval_seconds),
        ("grading", grading, settings.grading_interval_seconds),
    )
    for name, job, seconds in jobs:
        if seconds <= 0:
            continue
        scheduler.add_job(
            job,
            "interval",
            args=[services],
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(30, int(seconds / 10)),
            next_run_time=datetime.now(UTC),
        )
    return scheduler
