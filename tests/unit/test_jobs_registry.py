"""The jobs registry is what the scheduler runs and what /status and /healthz report."""

from __future__ import annotations

from bot.scheduler import OWN, make_scheduler, runs
from services.jobs.registry import JOBS, JUDGED, Job
from tests.unit.conftest import Build


async def test_every_job_in_the_registry_has_one_run_and_nothing_else_does(build: Build) -> None:
    services = await build()
    assert set(runs(services)) == set(JOBS)
    assert not set(OWN) & set(services.job_runs())  # one run per job, not two


async def test_the_scheduler_takes_its_jobs_and_periods_from_the_registry(build: Build) -> None:
    services = await build(grading_interval_seconds=0, bias_interval_seconds=120)
    scheduler = make_scheduler(services)
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert set(scheduled) == {job.value for job in JOBS if job is not Job.GRADING}  # 0: off
    assert scheduled["bias"].trigger.interval.total_seconds() == 120


async def test_status_and_healthz_list_the_jobs_judged_by_their_modules(build: Build) -> None:
    services = await build()
    health = services.job_health()
    assert [h.job for h in health] == [job.value for job in JUDGED] == ["bias", "sniper"]
    sniper = JOBS[Job.SNIPER]
    assert health[1]._main == tuple(m.value for m in sniper.main)  # its health judges those
