"""The sniper job: inside ACTIVE_HOURS, the entry map for SNIPER_SYMBOL. Each new setup is a
call, recorded and tracked; each chat gets a setup once, including a chat that subscribes
while the setup is still waiting for its entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from loguru import logger

from services.chats.subscriptions import SubscriptionService
from services.delivery.models import Alert, Signal, SniperPush
from services.delivery.outbox import Outbox, SetupRule
from services.jobs.active_hours import ActiveHours
from services.jobs.admin_notice import notify_admins
from services.jobs.parts import JobParts
from services.kernel.alerts import AlertType, Job
from services.kernel.metrics import Metrics
from services.kernel.symbols import Instrument
from services.signals.calls import CallLog, Kind
from services.signals.grading import SniperStatus
from services.signals.health import JobHealth
from services.signals.sniper.rule import EntryMap, same_setup
from services.signals.sniper.service import SniperService
from services.signals.track_record import TrackRecordService
from services.storage.journal import Entry, Journal


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
        *,
        calls: CallLog,
        journal: Journal,
        track_record: TrackRecordService,
        lifetime: timedelta,
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
        self._calls = calls
        self._journal = journal
        self._track_record = track_record
        self._lifetime = lifetime

    async def run(self) -> int:
        started = datetime.now(UTC)
        if not self._hours.check(started):
            return 0
        if not self.health.may_run(started):
            logger.debug("sniper job backing off until {}", self.health.resume_at)
            return 0
        read = await self._sniper.read(Instrument(base=self._symbol))
        await self._journal.write(
            [
                Entry(
                    job="sniper",
                    symbol=read.inputs.symbol,
                    at=read.inputs.at,
                    inputs=read.inputs.compact().model_dump(mode="json"),
                )
            ]
        )
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
        live = await self._calls.live_sniper(entry.symbol)
        if entry.setup and (
            live is None
            or not same_setup(live[1].fingerprint(), entry.fingerprint(), self._same_setup_pct)
        ):
            call_id = await self._calls.sniper(entry)
            logger.info("sniper: new {} setup {}", entry.symbol, entry.fingerprint())
            return await self.offer(call_id, entry, started, new=True)
        if (
            live is not None
            and live[0].status == SniperStatus.WAITING
            and started < live[0].made_at + self._lifetime
        ):
            # The setup still waits for its entry: chats that subscribed since get it too
            # (never once its lifetime is over, whether or not the grader has closed it).
            return await self.offer(live[0].id, live[1], started, new=False)
        return 0

    async def offer(self, call_id: int, entry: EntryMap, started: datetime, new: bool) -> int:
        signal = Signal(
            symbol=entry.symbol,
            direction="LONG",
            strength=entry.confidence,
            fingerprint=entry.fingerprint(),
        )
        chats = await self._subscriptions.subscribers(AlertType.SNIPER)
        record = await self._track_record.line(Kind.SNIPER, entry.symbol, started)
        alert = Alert(started_at=started, payload=SniperPush(maps=[entry], record=record))
        published = await self._outbox.queue(
            alert,
            [signal],
            chats,
            setup=SetupRule(
                same_pct=self._same_setup_pct, lifetime_seconds=self._lifetime.total_seconds()
            ),
            call_id=call_id,
            remember=new,
            then=self._calls.pushed(call_id),
        )
        if published.queued:
            logger.info(
                "sniper: {} setup {} queued for {} chats",
                "new" if new else "live",
                signal.fingerprint,
                published.queued,
            )
        return published.queued


def build(parts: JobParts) -> SniperJob:
    settings = parts.settings
    return SniperJob(
        parts.sniper,
        parts.outbox,
        parts.subscriptions,
        parts.health(Job.SNIPER, parts.metrics.sniper_soft_fail),
        ActiveHours(settings.active_hours, settings.timezone),
        parts.metrics,
        settings.sniper_symbol,
        settings.admin_ids,
        settings.sniper_same_setup_pct,
        calls=parts.calls,
        journal=parts.journal,
        track_record=parts.track_record,
        lifetime=parts.lifetime(),
    )
