"""Background jobs on APScheduler (asyncio), started and stopped with the bot."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger

from services.container import Services
from services.discovery import probe
from services.kernel.alerts import JOBS, Job
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


async def _leased(
    services: Services, name: str, interval: float, run: Callable[[], Awaitable[object]]
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


# The scheduler's own runs; every other job of the registry (services/jobs/registry.py) is run
# as the service graph wires it (`Services.job_runs`).
OWN: dict[Job, Callable[[Services], Awaitable[object]]] = {
    Job.LIQUIDATIONS: poll_liquidations,
    Job.DISCOVERY: discover,
}


def runs(services: Services) -> dict[Job, Callable[[], Awaitable[object]]]:
    return {
        **{job: functools.partial(run, services) for job, run in OWN.items()},
        **services.job_runs(),
    }


async def run_job(services: Services, job: Job) -> None:
    spec = JOBS[job]
    run = runs(services)[job]
    if spec.leased:
        await _leased(services, job.value, spec.interval(services.settings), run)
    else:
        await run()


def make_scheduler(services: Services) -> AsyncIOScheduler:
    """Jobs run once at start, then on their interval; an interval of 0 leaves a job out."""
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    for job, spec in JOBS.items():
        seconds = spec.interval(settings)
        if seconds <= 0:
            continue
        scheduler.add_job(
            run_job,
            "interval",
            args=[services, job],
            seconds=seconds,
            id=job.value,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(30, int(seconds / 10)),
            next_run_time=datetime.now(UTC),
        )
    return scheduler
