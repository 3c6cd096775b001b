"""The grading job: brings in OKX 1-minute candles for the symbols with open calls, grades what
is due, moves pushed sniper maps along (edits and final replies), and keeps the hit-ratio
metrics current. Idempotent: every grade and every state change is written once, so a restart
or a second replica grades nothing twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from loguru import logger

from services.analysis.sniper import EntryMap
from services.errors import UpstreamError
from services.metrics import Metrics
from services.models import Candle
from services.providers.okx import OkxClient
from services.signals.calls import Kind, levels
from services.signals.followups import FollowUps
from services.signals.grade_rows import horizon_grades, sniper_grades
from services.signals.grading import FINAL, HORIZONS, SniperStatus, track_sniper
from services.signals.track_record import HORIZONS as KIND_HORIZONS
from services.signals.track_record import TrackRecordService
from services.storage.calls import CallStore, StoredCall
from services.storage.candles import CandleStore
from services.storage.journal import Journal
from services.symbols import Instrument

# Candles fetched per symbol per run: ~4 OKX pages, so catching up after downtime never eats
# the whole OKX budget that chat commands share; the next run fetches the rest.
MAX_SPAN = timedelta(hours=20)
GIVE_UP = timedelta(days=3)  # past its last horizon by this much without candles: ungraded


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class GradingJob:
    def __init__(
        self,
        store: CallStore,
        candles: CandleStore,
        okx: OkxClient,
        follow_ups: FollowUps,
        track_record: TrackRecordService,
        metrics: Metrics,
        lifetime: timedelta,
        journal: Journal,
        keep: timedelta,
    ) -> None:
        self._store = store
        self._candles = candles
        self._okx = okx
        self._follow_ups = follow_ups
        self._track_record = track_record
        self._metrics = metrics
        self._lifetime = lifetime
        self._journal = journal
        self._keep = keep
        self._pruned_at: datetime | None = None

    async def run(self, now: datetime | None = None) -> int:
        """One pass; returns how many grades it wrote."""
        now = now or datetime.now(UTC)
        by_symbol: dict[str, list[StoredCall]] = defaultdict(list)
        for call in await self._store.open_calls():
            by_symbol[call.symbol].append(call)
        written = 0
        for symbol, calls in by_symbol.items():
            start = floor_minute(min(c.made_at for c in calls)) - timedelta(minutes=2)
            try:
                await self.sync(symbol, start, now)
            except UpstreamError as exc:  # grade with what is stored; the next run fetches
                logger.warning("grading: candles for {} unavailable ({})", symbol, exc)
            candles = await self._candles.load(symbol, start, now)
            for call in calls:
                written += await self._grade(call, candles, now)
        if written:
            await self._refresh_metrics(now)
        await self._prune(now)
        return written

    async def _prune(self, now: datetime) -> None:
        """Journal and candles past the retention, at most hourly; calls and grades stay (the
        all-time record)."""
        if self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1):
            return
        self._pruned_at = now
        await self._journal.prune(now - self._keep)
        await self._candles.prune(now - self._keep)

    async def sync(self, symbol: str, start: datetime, now: datetime) -> int:
        """Fetches what the store lacks between `start` and `now`, both ends."""
        held = await self._candles.bounds(symbol)
        wanted: list[tuple[datetime, datetime]] = []
        if held is None:
            wanted.append((start, now))
        else:
            earliest, latest = held
            if start < earliest:
                wanted.append((start, earliest))
            if latest + timedelta(minutes=2) <= now:
                wanted.append((latest + timedelta(minutes=1), now))
        added = 0
        inst = Instrument(base=symbol)
        for begin, end in wanted:
            end = min(end, begin + MAX_SPAN)
            fetched = await self._okx.candles_range(inst, begin, end)
            added += await self._candles.save(symbol, fetched)
        return added

    async def _grade(self, call: StoredCall, candles: list[Candle], now: datetime) -> int:
        if call.kind == Kind.SNIPER:
            return await self._sniper(call, candles, now)
        return await self._horizons(call, candles, now)

    async def _horizons(self, call: StoredCall, candles: list[Candle], now: datetime) -> int:
        grades = horizon_grades(call, candles)
        if grades is None:
            last = KIND_HORIZONS[call.kind][-1]
            if now - call.made_at > HORIZONS[last] + GIVE_UP:
                await self._store.grade(call.id, [], status="ungraded", close=True)
            return 0
        done = sum(1 for g in grades if not g.baseline) == len(KIND_HORIZONS[call.kind])
        added = await self._store.grade(
            call.id, grades, status="graded" if done else None, close=done
        )
        for grade in added:
            if not grade.baseline:
                self._metrics.graded.labels(call.kind, grade.outcome).inc()
        return len(added)

    async def _sniper(self, call: StoredCall, candles: list[Candle], now: datetime) -> int:
        plan = levels(call, self._lifetime)
        if plan is None:
            await self._store.grade(call.id, [], status="invalid", close=True)
            return 0
        path = track_sniper(plan, candles, now)
        if path.status.value != call.status and await self._store.set_status(
            call.id, path.status.value, expected=call.status
        ):
            logger.info("sniper call {} on {}: {}", call.id, call.symbol, path.status.value)
            entry = EntryMap.model_validate_json(call.detail)
            await self._follow_ups.sniper(call.id, entry, path, plan.pushed_at + plan.lifetime)
        if path.status not in FINAL:
            return 0
        grades = sniper_grades(call, plan, path, candles)
        added = await self._store.grade(call.id, grades, status=path.status.value, close=True)
        for grade in added:
            if not grade.baseline:
                outcome = (
                    "no_fill"
                    if path.status is SniperStatus.EXPIRED and not path.entered_at
                    else grade.outcome
                )
                self._metrics.graded.labels(call.kind, outcome).inc()
        return len(added)

    async def _refresh_metrics(self, now: datetime) -> None:
        for kind in (Kind.BIAS, Kind.SNIPER, Kind.WHALE):
            record = await self._track_record.record(kind, 30, None, now)
            for horizon in record.horizons:
                ratio = horizon.calls.ratio
                self._metrics.hit_ratio.labels(kind, horizon.horizon).set(
                    ratio if ratio is not None else float("nan")
                )
