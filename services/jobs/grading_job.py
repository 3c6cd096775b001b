"""The grading job: brings in OKX 1-minute candles for the symbols with open calls, grades what
is due, moves pushed sniper maps along (edits and final replies), and keeps the hit-ratio
metrics current. Idempotent: every grade and every state change is written once, so a restart
or a second replica grades nothing twice."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from loguru import logger
from pydantic import ValidationError

from services.delivery.call_followups import FollowUps
from services.delivery.outbox import Outbox
from services.jobs.parts import JobParts
from services.kernel.errors import UpstreamError
from services.kernel.metrics import Metrics
from services.kernel.models import Candle
from services.kernel.symbols import Instrument
from services.signals.calls import Kind, levels
from services.signals.grade_rows import horizon_grades, sniper_grades
from services.signals.grading import (
    FINAL,
    HORIZONS,
    SniperLevels,
    SniperPath,
    SniperStatus,
    track_sniper,
)
from services.signals.sniper.rule import EntryMap
from services.signals.track_record import HORIZONS as KIND_HORIZONS
from services.storage.calls import CallStore, GradeBatch, StoredCall
from services.storage.candles import CandleStore
from services.storage.journal import Journal
from services.vendors.okx import OkxClient

# Candles fetched per symbol per run: ~4 OKX pages, so catching up after downtime never eats
# the whole OKX budget that chat commands share; the next run fetches the rest.
MAX_SPAN = timedelta(hours=20)
GIVE_UP = timedelta(days=3)  # past its last horizon by this much without candles: ungraded


BATCH = 100  # calls graded per transaction
SLICE_SECONDS = 0.0005  # CPU the grader takes before chat commands get their turn


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class GradingJob:
    def __init__(
        self,
        store: CallStore,
        candles: CandleStore,
        okx: OkxClient,
        follow_ups: FollowUps,
        metrics: Metrics,
        lifetime: timedelta,
        journal: Journal,
        keep: timedelta,
        *,
        outbox: Outbox | None = None,
        keep_alerts: timedelta = timedelta(days=30),
    ) -> None:
        self._store = store
        self._candles = candles
        self._okx = okx
        self._follow_ups = follow_ups
        self._metrics = metrics
        self._lifetime = lifetime
        self._journal = journal
        self._keep = keep
        self._outbox = outbox
        self._keep_alerts = keep_alerts
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
            as_of: datetime | None = now
            try:
                await self.sync(symbol, start, now)
            except UpstreamError as exc:  # grade with what is stored; the next run fetches
                logger.warning("grading: candles for {} unavailable ({})", symbol, exc)
                as_of = None
            candles = await self._candles.load(symbol, start, now)
            if as_of is None:
                # Without fresh candles, time stands where the data stops: an OKX outage must
                # not expire maps that may well have filled meanwhile.
                if not candles:
                    continue
                as_of = candles[-1].ts + timedelta(minutes=1)
            for first in range(0, len(calls), BATCH):
                written += await self._batch(calls[first : first + BATCH], candles, as_of)
                await asyncio.sleep(0)  # grading is CPU work: let chat commands in between
        if written:
            await self._refresh_metrics(now)
        await self._prune(now)
        return written

    async def _prune(self, now: datetime) -> None:
        """Journal, candles and finished alerts past their retention, at most hourly; calls
        and grades stay (the all-time record)."""
        if self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1):
            return
        self._pruned_at = now
        await self._journal.prune(now - self._keep)
        await self._candles.prune(now - self._keep)
        if self._outbox is not None:
            removed = await self._outbox.prune(now - self._keep_alerts)
            if removed:
                logger.info("outbox: {} finished alerts past retention removed", removed)

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
            # At most MAX_SPAN a run, cut so what is held stays one unbroken span: going back,
            # the newest part of the gap first; going forward, the oldest.
            if held is not None and end <= held[0]:
                begin = max(begin, end - MAX_SPAN)
            else:
                end = min(end, begin + MAX_SPAN)
            fetched = await self._okx.candles_range(inst, begin, end)
            added += await self._candles.save(symbol, fetched)
        return added

    async def _batch(self, calls: list[StoredCall], candles: list[Candle], now: datetime) -> int:
        """Grades a batch of calls and writes the grades in one transaction."""
        items: list[GradeBatch] = []
        moves: list[tuple[StoredCall, SniperPath, SniperLevels]] = []
        paused = time.perf_counter()
        for call in calls:
            if time.perf_counter() - paused > SLICE_SECONDS:
                await asyncio.sleep(0)  # walking candles is CPU work: commands go first
                paused = time.perf_counter()
            try:
                item = self._grade(call, candles, now, moves)
            except (ValueError, ValidationError) as exc:  # one bad row must not stop grading
                logger.error("grading: call {} cannot be graded ({}); closed", call.id, exc)
                item = GradeBatch(call_id=call.id, grades=[], status="invalid", close=True)
            if item is not None:
                items.append(item)
        for call, path, plan in moves:
            # Each change only from the state seen, in one transaction with its follow-ups:
            # what moved is followed up exactly once.
            async with self._follow_ups.transaction() as session:
                if not await self._store.move_in(session, call.id, path.status.value, call.status):
                    continue
                logger.info("sniper call {} on {}: {}", call.id, call.symbol, path.status.value)
                if call.pushed:
                    entry = EntryMap.model_validate_json(call.detail)
                    await self._follow_ups.sniper(
                        session, call.id, entry, path, plan.pushed_at + plan.lifetime
                    )
        added = await self._store.grade_many(items)
        kinds = {c.id: c for c in calls}
        for call_id, grade in added:
            if not grade.baseline:
                no_fill = grade.outcome == SniperStatus.EXPIRED and grade.at_from is None
                self._metrics.graded.labels(
                    kinds[call_id].kind, "no_fill" if no_fill else grade.outcome
                ).inc()
        return len(added)

    def _grade(
        self,
        call: StoredCall,
        candles: list[Candle],
        now: datetime,
        moves: list[tuple[StoredCall, SniperPath, SniperLevels]],
    ) -> GradeBatch | None:
        """What to write for one call now (None: nothing yet); a sniper map whose state
        changed is added to `moves`."""
        if call.kind == Kind.SNIPER:
            plan = levels(call, self._lifetime)
            if plan is None:
                return GradeBatch(call_id=call.id, grades=[], status="invalid", close=True)
            path = track_sniper(plan, candles, now)
            if path.status.value != call.status:
                moves.append((call, path, plan))
            if path.status not in FINAL:
                return None
            return GradeBatch(
                call_id=call.id, grades=sniper_grades(call, plan, path, candles), close=True
            )
        names = KIND_HORIZONS[call.kind]
        found = horizon_grades(call, candles) or []
        done = sum(1 for g in found if not g.baseline) == len(names)
        # A horizon whose candle never came (an OKX gap) must not keep the call open for good.
        overdue = now - call.made_at > HORIZONS[names[-1]] + GIVE_UP
        if not found and not overdue:
            return None
        return GradeBatch(
            call_id=call.id,
            grades=found,
            status="graded" if found and (done or overdue) else "ungraded" if overdue else None,
            close=done or overdue,
        )

    async def _refresh_metrics(self, now: datetime) -> None:
        ratios = await self._store.hit_ratios(now - timedelta(days=30))
        for (kind, horizon), (hits, n) in ratios.items():
            self._metrics.hit_ratio.labels(kind, horizon).set(hits / n)


def build(parts: JobParts) -> GradingJob:
    return GradingJob(
        parts.calls.store,
        parts.candles,
        parts.vendors.get(OkxClient),
        parts.follow_ups,
        parts.metrics,
        parts.lifetime(),
        parts.journal,
        timedelta(days=parts.settings.journal_retention_days),
        outbox=parts.outbox,
        keep_alerts=timedelta(days=parts.settings.alert_retention_days),
    )
