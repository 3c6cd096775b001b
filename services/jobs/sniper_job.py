"""The sniper job: inside ACTIVE_HOURS, the entry map for SNIPER_SYMBOL. Each new setup is a
call, recorded and tracked; each chat gets a setup once, including a chat that subscribes
while the setup is still waiting for its entry."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from loguru import logger

from services.chats.subscriptions import SubscriptionService
from services.delivery.models import Alert, Signal, SniperPush
from services.delivery.outbox import SetupRule
from services.jobs.active_hours import ActiveHours
from services.jobs.parts import JobParts
from services.jobs.template import JobCommon, SignalJob
from services.kernel.alerts import AlertType, Job
from services.kernel.symbols import Instrument
from services.signals.calls import CallLog, Kind
from services.signals.grading import SniperStatus
from services.signals.health import RunOutcome
from services.signals.sniper.rule import EntryMap, same_setup
from services.signals.sniper.service import SniperRead, SniperService
from services.signals.track_record import TrackRecordService
from services.storage.journal import Entry


class SniperJob(SignalJob[SniperRead]):
    name = "sniper"

    def __init__(
        self,
        common: JobCommon,
        sniper: SniperService,
        subscriptions: SubscriptionService,
        hours: ActiveHours,
        symbol: str,
        same_setup_pct: Decimal,
        *,
        calls: CallLog,
        track_record: TrackRecordService,
        lifetime: timedelta,
    ) -> None:
        super().__init__(common)
        self._sniper = sniper
        self._subscriptions = subscriptions
        self._hours = hours
        self._symbol = symbol
        self._same_setup_pct = same_setup_pct
        self._calls = calls
        self._track_record = track_record
        self._lifetime = lifetime

    def may_run(self, at: datetime) -> bool:
        return self._hours.check(at)

    async def read(self, started: datetime) -> SniperRead:
        return await self._sniper.read(Instrument(base=self._symbol))

    def journal(self, read: SniperRead) -> list[Entry]:
        inputs = read.inputs
        compact = inputs.compact().model_dump(mode="json")
        return [Entry(job="sniper", symbol=inputs.symbol, at=inputs.at, inputs=compact)]

    def outcome(self, read: SniperRead) -> RunOutcome:
        return read.outcome

    async def decide(self, read: SniperRead, started: datetime) -> int:
        """A new setup is a call, offered to every subscriber; the live one still waiting for
        its entry is offered to chats that subscribed since."""
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
        parts.common(Job.SNIPER, parts.metrics.sniper_soft_fail),
        parts.sniper,
        parts.subscriptions,
        ActiveHours(settings.active_hours, settings.timezone),
        settings.sniper_symbol,
        settings.sniper_same_setup_pct,
        calls=parts.calls,
        track_record=parts.track_record,
        lifetime=parts.lifetime(),
    )
