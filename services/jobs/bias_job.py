"""The bias job: every WATCH_SYMBOL's call, pushed when its direction changes (edge-triggered),
never on every run. Every LONG/SHORT it makes is recorded for grading, pushed or not; what it
read is journaled; a pushed call that fades is withdrawn once."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loguru import logger

from services.chats.settings import ChatSettingsService
from services.chats.subscriptions import SubscriptionService
from services.delivery.call_followups import FollowUps
from services.delivery.models import Alert, BiasPush, Signal, Withdrawal
from services.jobs.parts import JobParts
from services.jobs.template import JobCommon, SignalJob
from services.kernel.alerts import AlertType, Job
from services.kernel.errors import Reason
from services.kernel.symbols import Instrument
from services.signals.bias.rule import BiasCall, BiasInputs, Direction
from services.signals.bias.service import BiasService
from services.signals.calls import CallLog, Kind
from services.signals.health import RunOutcome
from services.signals.track_record import TrackRecordService
from services.storage.errors import StorageUnavailableError
from services.storage.journal import Entry

MIN_INPUTS = 2  # fewer inputs make no call; such a run must not overwrite the last one


@dataclass(frozen=True)
class BiasRun:
    inputs: list[BiasInputs]
    calls: list[BiasCall]
    # The subscribed chats whose settings let bias calls through, each with its watchlist;
    # None when the database could not say (the operator's WATCH_SYMBOLS are evaluated).
    audience: dict[int, set[str]] | None = None


class BiasJob(SignalJob[BiasRun]):
    name = "bias"

    def __init__(
        self,
        common: JobCommon,
        bias: BiasService,
        subscriptions: SubscriptionService,
        symbols: list[str],
        *,
        chat_settings: ChatSettingsService,
        calls: CallLog,
        follow_ups: FollowUps,
        track_record: TrackRecordService,
        whale_threshold: Decimal,
    ) -> None:
        super().__init__(common)
        self._bias = bias
        self._subscriptions = subscriptions
        self._symbols = symbols
        self._settings = chat_settings
        self._calls = calls
        self._follow_ups = follow_ups
        self._track_record = track_record
        self._whale_threshold = whale_threshold

    async def read(self, started: datetime) -> BiasRun:
        audience = await self._audience()
        # The operator's coins and every coin a subscribed chat watches (its choices are held
        # to WATCHLIST_CHOICES): each evaluated once, however many chats watch it.
        watched = {c for coins in (audience or {}).values() for c in coins}
        symbols = [*self._symbols, *sorted(watched - set(self._symbols))]
        inputs: list[BiasInputs] = await asyncio.gather(
            *(self._bias.inputs(Instrument(base=s)) for s in symbols)
        )
        return BiasRun(inputs, [self._bias.evaluate(i) for i in inputs], audience)

    async def _audience(self) -> dict[int, set[str]] | None:
        try:
            chats = await self._subscriptions.subscribers(AlertType.BIAS)
            desks = await self._settings.audience(AlertType.BIAS, chats)
        except StorageUnavailableError:
            return None
        defaults = self._settings.defaults
        return {chat: set(desk.watch(defaults)) for chat, desk in desks.items()}

    def journal(self, read: BiasRun) -> list[Entry]:
        return [
            Entry(job="bias", symbol=i.symbol, at=i.at, inputs=i.compact().model_dump(mode="json"))
            for i in read.inputs
        ]

    def outcome(self, read: BiasRun) -> RunOutcome:
        return _outcome(read.calls)

    async def decide(self, read: BiasRun, started: datetime) -> int:
        for i in read.inputs:  # each whale event over the threshold is a call of its own
            if i.whale is not None:
                await self._calls.whales(i.whale.events, self._whale_threshold)
        return await self._push(read.calls, started, read.audience)

    async def _push(
        self, calls: list[BiasCall], started: datetime, audience: dict[int, set[str]] | None
    ) -> int:
        pushed: list[BiasCall] = []
        signals: list[Signal] = []
        quiet: list[Signal] = []
        faded: list[tuple[str, str, BiasCall]] = []
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
            was = last.fingerprint if last else Direction.NEUTRAL.value
            if was == signal.fingerprint:
                continue
            if call.direction is Direction.NEUTRAL:
                quiet.append(signal)  # a call fading to neutral is withdrawn, not re-pushed
                faded.append((call.symbol, was, call))
            else:
                if was != Direction.NEUTRAL.value:
                    call = call.model_copy(update={"previous": Direction(was)})
                pushed.append(call)
                signals.append(signal)
        await self._outbox.remember(AlertType.BIAS, quiet)
        queued = 0
        for symbol, was, now in faded:
            queued += await self._follow_ups.bias_withdrawn(
                symbol, was, Direction.NEUTRAL.value, await self._withdrawal(symbol, was, now)
            )
        if not pushed:
            return queued
        if audience is None:  # the database did not answer in read(): ask again, to all
            chats = await self._subscriptions.subscribers(AlertType.BIAS)
        else:
            chats = list(audience)
        record = await self._track_record.line(Kind.BIAS, None, started)
        alert = Alert(started_at=started, payload=BiasPush(calls=pushed, record=record))
        published = await self._outbox.queue(
            alert, signals, chats, then=self._calls.bias(pushed), interests=audience
        )
        logger.info(
            "bias job: {} changed, queued for {} chats",
            ", ".join(f"{c.symbol} {c.direction.value}" for c in pushed),
            published.queued,
        )
        return queued + published.queued

    async def _withdrawal(self, symbol: str, was: str, now: BiasCall) -> Withdrawal:
        """What a withdrawn call's follow-up states: when the pushed call was made and at
        what price, and the price now (the database failing leaves the first two unknown)."""
        called = None
        with contextlib.suppress(StorageUnavailableError):
            called = await self._calls.store.last_pushed(Kind.BIAS, symbol)
        return Withdrawal(
            symbol=symbol,
            was=was,
            now=Direction.NEUTRAL.value,
            called_at=called.made_at if called else None,
            called_price=called.price if called else None,
            price=now.price,
        )


def _outcome(calls: list[BiasCall]) -> RunOutcome:
    """A module that only had an old copy still informs the call, but is not healthy: the
    admins hear of a dead vendor when it dies, not when its last copy expires."""
    outcome = RunOutcome()
    for call in calls:
        outcome.ok.update(e.name for e in call.evidence if not e.stale)
        for e in call.evidence:
            if e.stale:
                outcome.failed.setdefault(e.name, Reason.STALE)
        for missing in call.missing:
            outcome.failed.setdefault(missing.name, missing.reason)
    for name in outcome.ok:
        outcome.failed.pop(name, None)
    return outcome


def build(parts: JobParts) -> BiasJob:
    settings = parts.settings
    return BiasJob(
        parts.common(Job.BIAS, parts.metrics.bias_soft_fail),
        parts.bias,
        parts.subscriptions,
        settings.watch_symbols,
        chat_settings=parts.chat_settings,
        calls=parts.calls,
        follow_ups=parts.follow_ups,
        track_record=parts.track_record,
        whale_threshold=settings.whale_min_usd,
    )
