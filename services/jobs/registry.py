"""The one list of scheduled jobs: each job's name, the setting that paces it, whether one
replica at a time runs it, the modules whose failure makes it unhealthy, and what it pushes.
The container builds their health from it, the scheduler runs them by it, and /status and
/healthz list them from it. A new job is an entry here, its class, and its wiring in the
container (`Services.job_runs`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.kernel.alerts import AlertType
from services.kernel.modules import Module
from services.kernel.settings import Settings


class Job(StrEnum):
    LIQUIDATIONS = "liquidations"
    DISCOVERY = "discovery"
    BIAS = "bias"
    SNIPER = "sniper"
    GRADING = "grading"


@dataclass(frozen=True)
class JobSpec:
    interval_setting: str  # the Settings field with its period in seconds; 0 turns it off
    leased: bool  # with several replicas, only the lease holder runs it
    main: tuple[Module, ...] = ()  # all failing together: unhealthy, the admins are told
    pushes: AlertType | None = None

    def interval(self, settings: Settings) -> float:
        return float(getattr(settings, self.interval_setting))


JOBS: dict[Job, JobSpec] = {
    Job.LIQUIDATIONS: JobSpec("liquidation_poll_seconds", leased=False),
    Job.DISCOVERY: JobSpec("probe_interval_seconds", leased=False),
    Job.BIAS: JobSpec(
        "bias_interval_seconds",
        leased=True,
        main=(Module.WHALE, Module.ETF, Module.SENTIMENT),
        pushes=AlertType.BIAS,
    ),
    Job.SNIPER: JobSpec(
        "sniper_interval_seconds",
        leased=True,
        main=(Module.WHALE, Module.HEATMAP, Module.SPOT_OB),
        pushes=AlertType.SNIPER,
    ),
    Job.GRADING: JobSpec("grading_interval_seconds", leased=True),
}
# Jobs whose runs are judged by their modules (shown in /status and /healthz).
JUDGED: tuple[Job, ...] = tuple(job for job, spec in JOBS.items() if spec.main)
