"""What a scheduled job is built from, and the building of every job in the registry.

Each job with a `builder` in `JOBS` (services/kernel/alerts.py) has `build(parts)` in
services/jobs/<builder>.py, so a new job is built without a line in the container.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from prometheus_client import Counter

from services.chats.settings import ChatSettingsService
from services.chats.subscriptions import SubscriptionService
from services.delivery.call_followups import FollowUps
from services.delivery.held import HeldPushes
from services.delivery.outbox import Outbox
from services.jobs.template import JobCommon
from services.kernel.alerts import JOBS, Job
from services.kernel.metrics import Metrics
from services.kernel.settings import Settings
from services.market.parts import ModuleServices, Vendors
from services.market.rupiah import RupiahService
from services.signals.bias.service import BiasService
from services.signals.calls import CallLog
from services.signals.health import JobHealth
from services.signals.sniper.service import SniperService
from services.signals.track_record import TrackRecordService
from services.storage.candles import CandleStore
from services.storage.journal import Journal
from services.storage.rules import RuleStore


@runtime_checkable
class JobRunner(Protocol):
    async def run(self) -> object:
        """One run of the job (the scheduler paces it and holds its lease)."""
        ...


@runtime_checkable
class JudgedJob(JobRunner, Protocol):
    """A job judged by its main modules (its health is in /status and /healthz)."""

    health: JobHealth


@dataclass
class JobParts:
    settings: Settings
    metrics: Metrics
    vendors: Vendors
    modules: ModuleServices
    bias: BiasService
    sniper: SniperService
    outbox: Outbox
    subscriptions: SubscriptionService
    calls: CallLog
    journal: Journal
    track_record: TrackRecordService
    follow_ups: FollowUps
    candles: CandleStore
    rules: RuleStore  # the alerts chats set
    chat_settings: ChatSettingsService  # each chat's watchlist, hours and brief
    held: HeldPushes  # what quiet hours held
    rupiah: RupiahService  # prices in IDR, for the chats that quote in it

    def lifetime(self) -> timedelta:
        """How long a pushed sniper map waits for its entry (SNIPER_SETUP_LIFETIME_MINUTES)."""
        return timedelta(minutes=self.settings.sniper_setup_lifetime_minutes)

    def common(self, job: Job, soft: Counter) -> JobCommon:
        """What a signal job runs with (services/jobs/template.py), its health judged."""
        return JobCommon(
            self.outbox, self.health(job, soft), self.metrics, self.journal, self.settings.admin_ids
        )

    def health(self, job: Job, soft: Counter) -> JobHealth:
        """The health of a job judged by its main modules (`soft` counts the optional ones
        that failed a run); its gauge starts healthy."""
        spec, metrics = JOBS[job], self.metrics
        metrics.job_healthy.labels(job.value).set(1)
        return JobHealth(
            job.value,
            tuple(module.value for module in spec.main),
            spec.interval(self.settings),
            self.settings.job_backoff_max_seconds,
            on_soft=lambda module: soft.labels(module).inc(),
            on_change=lambda healthy: metrics.job_healthy.labels(job.value).set(int(healthy)),
        )


def build_jobs(parts: JobParts) -> dict[Job, JobRunner]:
    built: dict[Job, JobRunner] = {}
    for job, spec in JOBS.items():
        if spec.builder is None:
            continue
        made = importlib.import_module(f"services.jobs.{spec.builder}").build(parts)
        if not isinstance(made, JudgedJob if spec.main else JobRunner):
            raise TypeError(f"{type(made).__name__} is not a job (run, and health if judged)")
        built[job] = made
    return built
