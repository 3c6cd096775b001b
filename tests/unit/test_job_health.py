"""Job health: soft failures forgiven and counted, hard ones backing off with jitter, one
unhealthy transition when every main module fails, one recovery; active hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from loguru import logger

from services.jobs.active_hours import ActiveHours
from services.kernel.errors import Reason
from services.signals.health import JobHealth, RunOutcome

MAIN = ("whale", "heatmap", "spot_ob")
T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def health(jitter: float = 1.0) -> tuple[JobHealth, list[str], list[bool]]:
    soft: list[str] = []
    changes: list[bool] = []
    job = JobHealth(
        "sniper",
        MAIN,
        300,
        1800,
        on_soft=soft.append,
        on_change=changes.append,
        jitter=lambda: jitter,
    )
    return job, soft, changes


def outcome(ok: tuple[str, ...] = (), **failed: Reason) -> RunOutcome:
    return RunOutcome(ok=set(ok), failed=failed)


ALL_DOWN = outcome(whale=Reason.ERROR, heatmap=Reason.ERROR, spot_ob=Reason.RATE_LIMITED)


def test_soft_failures_are_counted_and_never_back_the_job_off() -> None:
    job, soft, changes = health()
    run = outcome(("whale", "heatmap", "spot_ob"), etf=Reason.PLAN)
    assert job.record(run, T0) is None
    assert soft == ["etf"]
    assert job.failures == 0 and job.may_run(T0)
    # Everything unavailable by plan/flag/key/breaker: still no failure, no alarm.
    soft_only = outcome(whale=Reason.DISABLED, heatmap=Reason.PLAN, spot_ob=Reason.BREAKER_OPEN)
    assert job.record(soft_only, T0) is None
    assert job.failures == 0 and job.healthy and changes == []


def test_backoff_doubles_per_failed_run_is_jittered_and_capped() -> None:
    full, _, _ = health(jitter=1.0)
    half, _, _ = health(jitter=0.0)
    seen_full, seen_half = [], []
    for _ in range(5):
        full.record(outcome(whale=Reason.ERROR), T0)
        half.record(outcome(whale=Reason.ERROR), T0)
        assert full.resume_at is not None and half.resume_at is not None
        seen_full.append((full.resume_at - T0).total_seconds())
        seen_half.append((half.resume_at - T0).total_seconds())
    assert seen_full == [300, 600, 1200, 1800, 1800]
    assert seen_half == [150, 300, 600, 900, 900]
    assert not full.may_run(T0 + timedelta(seconds=1799))
    assert full.may_run(T0 + timedelta(seconds=1800))
    full.record(outcome(("heatmap",)), T0)  # one module answered: count and backoff reset
    assert full.failures == 0 and full.may_run(T0)


def test_unhealthy_once_when_every_main_module_fails_and_recovered_once() -> None:
    job, _, changes = health()
    two_down = outcome(whale=Reason.ERROR, heatmap=Reason.ERROR)  # spot_ob not even tried
    assert job.record(two_down, T0) is None
    assert job.record(ALL_DOWN, T0) is False
    assert job.record(ALL_DOWN, T0) is None  # still down: no second warning
    assert job.record(outcome(("etf",), **ALL_DOWN.failed), T0) is None  # etf is not main
    assert not job.healthy
    assert job.record(outcome(("spot_ob",)), T0) is True
    assert job.record(outcome(("spot_ob",)), T0) is None
    assert changes == [False, True]
    assert job.failing(ALL_DOWN)[0].name == "whale"


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("00:00-24:00", ["00:00", "12:00", "23:59"], []),
        ("07:00-23:00", ["07:00", "22:59"], ["06:59", "23:00", "03:00"]),
        ("22:00-04:00", ["22:00", "23:30", "03:59"], ["04:00", "12:00", "21:59"]),
    ],
)
def test_active_hours_in_the_configured_time_zone(
    spec: str, inside: list[str], outside: list[str]
) -> None:
    hours = ActiveHours(spec, "Asia/Jakarta")

    def at(local: str) -> datetime:
        h, m = map(int, local.split(":"))
        # Jakarta is UTC+7 all year: 07:00 WIB is 00:00 UTC.
        return datetime(2026, 11, 21, h, m, tzinfo=hours.zone).astimezone(UTC)

    assert all(hours.contains(at(t)) for t in inside)
    assert not any(hours.contains(at(t)) for t in outside)


def test_active_hours_are_logged_once_per_window_not_every_tick() -> None:
    hours = ActiveHours("07:00-23:00", "Asia/Jakarta")
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), format="{message}")
    try:
        start = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 07:00 WIB
        for minutes in range(0, 24 * 60, 5):  # a day of 5-minute ticks
            hours.check(start + timedelta(minutes=minutes))
    finally:
        logger.remove(sink)
    assert len(lines) == 2
    assert lines[0].startswith("active trading hours - Jakarta 07:00-23:00 (07:00 now)")
    assert lines[1].startswith("outside active trading hours - Jakarta")
