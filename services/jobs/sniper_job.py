"""The sniper job: inside ACTIVE_HOURS, the entry map for SNIPER_SYMBOL, pushed once per setup."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from loguru import logger

from services.alerts.models import Alert, AlertType, Signal
from services.alerts.outbox import Outbox
from services.analysis.sniper import same_setup
from services.jobs.active_hours import ActiveHours
from services.jobs.admin_notice import notify_admins
from services.jobs.health import JobHealth
from services.metrics import Metrics
from services.sniper import SniperService
from services.subscriptions import AlertKind, SubscriptionService
from services.symbols import Instrument


class SniperJob:
    def __init__(
        self,
        sniper: SniperService,
        outbox: Outbox,
        subscriptions: SubscriptionService,
        health: JobHealth,
        hours: ActiveHours,
        metrics: Metrics,
        symbol: str,
        admins: list[int],
        same_setup_pct: Decimal,
    ) -> None:
        self._sniper = sniper
        self._outbox = outbox
        self._subscriptions = subscriptions
        self.health = health
        self._hours = hours
        self._metrics = metrics
        self._symbol = symbol
        self._admins = admins
        self._same_setup_pct = same_setup_pct

    async def run(self) -> int:
        started = datetime.now(UTC)
        if not self._hours.check(started):
            return 0
        if not self.health.may_run(started):
            logger.debug("sniper job backing off until {}", self.health.resume_at)
            return 0
        read = await self._sniper.read(Instrument(base=self._symbol))
        change = self.health.record(read.outcome, started)
        self._metrics.job_runs.labels("sniper", "ok" if read.outcome.ok else "failed").inc()
        if change is not None:
            await notify_admins(
                self._outbox, self._admins, self.health, change, read.outcome, started
            )
        entry = read.map
        if not entry.setup:
            logger.debug(
                "sniper: no setup on {} ({})",
                self._symbol,
                ", ".join(f"{c.name}={c.met}" for c in entry.checks),
            )
            return 0
        fingerprint = entry.fingerprint()
        last = await self._outbox.last(AlertType.SNIPER, entry.symbol)
        if last is not None and same_setup(last.fingerprint, fingerprint, self._same_setup_pct):
            logger.debug("sniper: same setup as last pushed ({})", fingerprint)
            return 0
        signal = Signal(
            symbol=entry.symbol,
            direction="LONG",
            strength=entry.confidence,
            fingerprint=fingerprint,
        )
        chats = await self._subscriptions.subscribers(AlertKind.SNIPER)
        alert = Alert(type=AlertType.SNIPER, started_at=started, sniper=[entry])
        queued = await self._outbox.publish(alert, [signal], chats)
        logger.info(
            "sniper: new {} setup {}, queued for {} chats", entry.symbol, fingerprint, queued
        )
        return queued
