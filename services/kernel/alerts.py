"""The one registry of what the bot pushes and of the jobs that run on a schedule.

`AlertType` is the one enum of alert types and subscription kinds (`SUBSCRIBABLE`, with the
words a chat reads for each, names the ones a chat can switch). `JOBS` lists every scheduled
job: the setting that paces it (a field of Settings made from this table, like the module
switches), whether one replica at a time runs it, the modules whose failure makes it
unhealthy, what it pushes, and the file under services/jobs/ that builds it. The container,
the scheduler, /status, /healthz and /subscribe all read this table: a new push is an entry
here, its job, its renderer and its translations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.kernel.modules import N_, Module


class AlertType(StrEnum):
    BIAS = "bias"
    SNIPER = "sniper"
    HEALTH = "health"  # to the bot admins only, never to subscribers
    # Follow-ups on what a chat was pushed before:
    SNIPER_EDIT = "sniper_edit"  # the pushed map edited in place with its live state
    SNIPER_OUTCOME = "sniper_outcome"  # a short reply to it on the final outcome
    BIAS_WITHDRAWN = "bias_withdrawn"  # a pushed LONG/SHORT the bot no longer makes
    # The subscription to those replies (on unless muted with /unsubscribe followups); the
    # silent edits of a pushed map always happen.
    FOLLOWUPS = "followups"
    RULE = "rule"  # the alerts a chat set itself (/alert) that fired
    AWAY = "away"  # what quiet hours held, as one message when they end
    BRIEF = "brief"  # a chat's daily brief, at the time it set


# What a chat can /subscribe to, and what /subscribe calls it.
SUBSCRIBABLE_WORDS: dict[AlertType, str] = {
    AlertType.BIAS: N_("institutional-bias calls"),
    AlertType.SNIPER: N_("SOL sniper entry maps"),
    AlertType.FOLLOWUPS: N_("follow-up replies on how pushed calls ended"),
}
SUBSCRIBABLE: tuple[AlertType, ...] = tuple(SUBSCRIBABLE_WORDS)
PUSHES: tuple[AlertType, ...] = (AlertType.BIAS, AlertType.SNIPER)  # what `all` subscribes to


class Job(StrEnum):
    LIQUIDATIONS = "liquidations"
    DISCOVERY = "discovery"
    BIAS = "bias"
    SNIPER = "sniper"
    GRADING = "grading"
    RULES = "alerts"  # the alerts chats set (/alert): one pass over the prices
    DESK = "desk"  # each minute: the briefs that are due, the held pushes whose hours ended


@dataclass(frozen=True)
class JobSpec:
    interval_setting: str  # the Settings field with its period in seconds; 0 turns it off
    default_interval: int | float  # its default (its type is the setting's)
    leased: bool  # with several replicas, only the lease holder runs it
    main: tuple[Module, ...] = ()  # all failing together: unhealthy, the admins are told
    pushes: AlertType | None = None
    # services/jobs/<builder>.py, whose `build(parts)` makes the job; None: the scheduler's
    # own run (bot/scheduler.py).
    builder: str | None = None

    def interval(self, settings: object) -> float:
        """The period from Settings (typed `object`: Settings is made from this table, so
        this module must not import it)."""
        return float(getattr(settings, self.interval_setting))


JOBS: dict[Job, JobSpec] = {
    Job.LIQUIDATIONS: JobSpec("liquidation_poll_seconds", 90.0, leased=False),
    Job.DISCOVERY: JobSpec("probe_interval_seconds", 600.0, leased=False),  # capability probe
    Job.BIAS: JobSpec(
        "bias_interval_seconds",
        300,
        leased=True,
        main=(Module.WHALE, Module.ETF, Module.SENTIMENT),
        pushes=AlertType.BIAS,
        builder="bias_job",
    ),
    Job.SNIPER: JobSpec(
        "sniper_interval_seconds",
        300,
        leased=True,
        main=(Module.WHALE, Module.HEATMAP, Module.SPOT_OB),
        pushes=AlertType.SNIPER,
        builder="sniper_job",
    ),
    # Grades pushed calls against OKX's candles (the track record).
    Job.GRADING: JobSpec("grading_interval_seconds", 60.0, leased=True, builder="grading_job"),
    # The alerts chats set: a pass over the prices every ALERT_CHECK_SECONDS.
    Job.RULES: JobSpec(
        "alert_check_seconds", 5.0, leased=True, pushes=AlertType.RULE, builder="rules_job"
    ),
    # Each minute: the chats whose brief is due, and those whose quiet hours ended.
    Job.DESK: JobSpec(
        "desk_check_seconds", 60.0, leased=True, pushes=AlertType.BRIEF, builder="desk_job"
    ),
}
# Jobs whose runs are judged by their modules (shown in /status and /healthz).
JUDGED: tuple[Job, ...] = tuple(job for job, spec in JOBS.items() if spec.main)
