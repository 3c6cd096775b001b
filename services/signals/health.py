"""A job's health across runs: soft failures are noted and forgiven, hard failures back the job
off (with jitter) and, when every main module fails together, make it unhealthy: one warning
on the way down, one recovery on the way up, never a stream."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from loguru import logger
from pydantic import BaseModel

from services.kernel.errors import Reason
from services.signals.bias.rule import Missing

# Unavailable by configuration or by the vendor's terms, not broken: no backoff, no alarm.
SOFT = frozenset({Reason.PLAN, Reason.DISABLED, Reason.NO_KEY, Reason.BREAKER_OPEN, Reason.REGION})


class RunOutcome(BaseModel):
    ok: set[str] = set()
    failed: dict[str, Reason] = {}
    by: dict[str, str] = {}  # the source each failure is about, where one is known

    def soft(self) -> dict[str, Reason]:
        return {m: r for m, r in self.failed.items() if r in SOFT}

    def hard(self) -> dict[str, Reason]:
        return {m: r for m, r in self.failed.items() if r not in SOFT}


class JobHealth:
    def __init__(
        self,
        job: str,
        main: tuple[str, ...],
        interval: float,
        backoff_max: float,
        on_soft: Callable[[str], None],
        on_change: Callable[[bool], None] = lambda healthy: None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.job = job
        self._main = main
        self._interval = interval
        self._backoff_max = backoff_max
        self._on_soft = on_soft
        self._on_change = on_change
        self._jitter = jitter
        self.failures = 0  # consecutive runs with only hard failures
        self.healthy = True
        self.resume_at: datetime | None = None

    def may_run(self, now: datetime) -> bool:
        return self.resume_at is None or now >= self.resume_at

    def record(self, outcome: RunOutcome, now: datetime) -> bool | None:
        """Takes one run's outcome; returns the new health when it changed, else None."""
        for module in outcome.soft():
            self._on_soft(module)
        if outcome.ok:
            self.failures = 0
            self.resume_at = None
        elif outcome.hard():
            self.failures += 1
            # Exponential in runs, capped, and jittered (half to full) so replicas and vendors
            # do not see every bot retry on the same tick. A skip-until time, not a retry loop,
            # which is why this is not tenacity.
            delay = min(self._backoff_max, self._interval * 2 ** (self.failures - 1))
            self.resume_at = now + timedelta(seconds=delay * (0.5 + self._jitter() / 2))
            logger.warning(
                "{} job: run failed ({}), {} in a row; next run after {}",
                self.job,
                ", ".join(f"{m}: {r.value}" for m, r in sorted(outcome.hard().items())),
                self.failures,
                self.resume_at.isoformat(timespec="seconds"),
            )
        main_failed = all(m in outcome.failed for m in self._main)
        main_hard = any(m in outcome.hard() for m in self._main)
        if self.healthy and main_failed and main_hard:
            self.healthy = False
            self._on_change(False)
            return False
        if not self.healthy and any(m in outcome.ok for m in self._main):
            self.healthy = True
            self._on_change(True)
            return True
        return None

    def failing(self, outcome: RunOutcome) -> list[Missing]:
        return [
            Missing(name=m, reason=r, by=outcome.by.get(m))
            for m, r in outcome.failed.items()
            if m in self._main
        ]
