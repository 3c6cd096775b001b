"""One run of a signal job, the same for each: may it run (its back-off after failures, its
hours), read its inputs, journal what it read, record how the run went (health, metrics, the
admins told of a change), then decide and queue its signals. A job file holds only its domain:
what it reads and what it decides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from loguru import logger

from services.delivery.outbox import Outbox
from services.jobs.admin_notice import notify_admins
from services.kernel.metrics import Metrics
from services.signals.health import JobHealth, RunOutcome
from services.storage.journal import Entry, Journal

R = TypeVar("R")  # what one run read


@dataclass
class JobCommon:
    """What every signal job runs with."""

    outbox: Outbox
    health: JobHealth
    metrics: Metrics
    journal: Journal
    admins: list[int]


class SignalJob(ABC, Generic[R]):
    name: ClassVar[str]  # the job's registry name: its metrics and journal label

    def __init__(self, common: JobCommon) -> None:
        self.common = common
        self.health = common.health
        self._outbox = common.outbox

    async def run(self) -> int:
        """One run; returns how many deliveries it queued."""
        started = datetime.now(UTC)
        if not self.may_run(started):
            return 0
        if not self.health.may_run(started):
            logger.debug("{} job backing off until {}", self.name, self.health.resume_at)
            return 0
        read = await self.read(started)
        await self.common.journal.write(self.journal(read))
        outcome = self.outcome(read)
        change = self.health.record(outcome, started)
        self.common.metrics.job_runs.labels(self.name, "ok" if outcome.ok else "failed").inc()
        if change is not None:
            await notify_admins(
                self._outbox, self.common.admins, self.health, change, outcome, started
            )
        return await self.decide(read, started)

    def may_run(self, at: datetime) -> bool:
        """The job's own reason not to run now (its active hours); its back-off is checked
        after this."""
        return True

    @abstractmethod
    async def read(self, started: datetime) -> R:
        """The run's inputs, as read from the modules."""

    @abstractmethod
    def journal(self, read: R) -> list[Entry]:
        """What is kept of what it read (the journal)."""

    @abstractmethod
    def outcome(self, read: R) -> RunOutcome:
        """Which modules answered and which failed, for the job's health."""

    @abstractmethod
    async def decide(self, read: R, started: datetime) -> int:
        """The signals the inputs make, queued to the chats; how many deliveries."""
