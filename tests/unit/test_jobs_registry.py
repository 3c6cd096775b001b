"""The jobs registry is what the scheduler runs and what /status and /healthz report."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.scheduler import OWN, make_scheduler, runs
from services.kernel.alerts import JOBS, JUDGED, Job
from tests.conftest import make_settings
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


async def test_every_job_with_a_builder_is_built_by_its_own_file(build: Build) -> None:
    services = await build()
    built = {job: spec.builder for job, spec in JOBS.items() if spec.builder}
    assert set(services.jobs) == set(built) and set(built).isdisjoint(OWN)
    for job, builder in built.items():
        assert type(services.jobs[job]).__module__ == f"services.jobs.{builder}"


def test_each_job_period_is_a_setting_made_from_its_registry_entry() -> None:
    settings = make_settings(bias_interval_seconds="45", grading_interval_seconds="0")
    assert JOBS[Job.BIAS].interval(settings) == 45 and JOBS[Job.GRADING].interval(settings) == 0
    defaults = make_settings()
    assert all(spec.interval(defaults) == spec.default_interval for spec in JOBS.values())
    with pytest.raises(ValidationError):
        make_settings(sniper_interval_seconds="-1")
