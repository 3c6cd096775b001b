"""The bias job: every WATCH_SYMBOL's call, pushed when its direction changes (edge-triggered),
never on every run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from loguru import logger

from services.alerts.models import Alert, AlertType, Signal
from services.alerts.outbox import Outbox
from services.analysis.bias import BiasCall, Direction
from services.bias import BiasService
from services.jobs.admin_notice import notify_admins
from services.jobs.health import JobHealth, RunOutcome
from services.metrics import Metrics
from services.subscriptions import AlertKind, SubscriptionService
from services.symbols import Instrument

MIN_INPUTS = 2  # fewer inputs make no call; such a run must not overwrite the last one


class BiasJob:
    def __init__(
        self,
        bias: BiasService,
        outbox: Outbox,
        subscriptions: SubscriptionService,
        health: JobHealth,
        metrics: Metrics,
        symbols: list[str],
        admins: list[int],
    ) -> None:
        self._bias = bias
        self._outbox = outbox
        self._subscriptions = subscriptions
        self.health = health
        self._metrics = metrics
        self._symbols = symbols
        self._admins = admins

    async def run(self) -> int:
        """One run; returns how many deliveries it queued."""
        started = datetime.now(UTC)
        if not self.health.may_run(started):
            logger.debug("bias job backing off until {}", self.health.resume_at)
            return 0
        calls = await asyncio.gather(*(self._bias.call(Instrument(base=s)) for s in self._symbols))
        outcome = _outcome(calls)
        change = self.health.record(outcome, started)
        self._metrics.job_runs.labels("bias", "ok" if outcome.ok else "failed").inc()
        if change is not None:
            await notify_admins(self._outbox, self._admins, self.health, change, outcome, started)
        pushed: list[BiasCall] = []
        signals: list[Signal] = []
        quiet: list[Signal] = []
        for call in calls:
            if len(call.evidence) < MIN_INPUTS:
                continue
            signal = Signal(
                symbol=call.symbol,
                direction=call.direction.value,
                strength=call.confidence,
                fingerprint=call.direction.value,
            )
            last = await self._outbox.last(AlertType.BIAS, call.symbol)
            if (last.fingerprint if last else Direction.NEUTRAL.value) == signal.fingerprint:
                continue
            if call.direction is Direction.NEUTRAL:
                quiet.append(signal)  # a call fading to neutral is remembered, not pushed
            else:
                pushed.append(call)
                signals.append(signal)
        await self._outbox.remember(AlertType.BIAS, quiet)
        if not pushed:
            return 0
        chats = await self._subscriptions.subscribers(AlertKind.BIAS)
        alert = Alert(type=AlertType.BIAS, started_at=started, bias=pushed)
        queued = await self._outbox.publish(alert, signals, chats)
        logger.info(
            "bias job: {} changed, queued for {} chats",
            ", ".join(f"{c.symbol} {c.direction.value}" for c in pushed),
            queued,
        )
        return queued


def _outcome(calls: list[BiasCall]) -> RunOutcome:
    outcome = RunOutcome()
    for call in calls:
        outcome.ok.update(e.name for e in call.evidence)
        for missing in call.missing:
            outcome.failed.setdefault(missing.name, missing.reason)
    for name in outcome.ok:
        outcome.failed.pop(name, None)
    return outcome
