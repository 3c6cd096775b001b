"""The alerts job: every ALERT_CHECK_SECONDS, one look at the prices of every instrument that
has an alert (OKX's bulk lists: one call per kind, however many alerts), the engine's decision,
and in one transaction the alerts' new state, their firings and the messages carrying them. A
SIGKILL between a crossing and its send loses none and sends none twice: the firing and its
message are written together, and the outbox delivers what is written.

One replica runs it (its lease); another takes over within the lease if it dies. After a
restart, a crossing in the gap is found in OKX's 1-minute candles since the pass last looked,
up to a day back (what `candles` still serves).
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from loguru import logger

from services.delivery.models import Alert, RulePush
from services.delivery.outbox import Outbox
from services.jobs.parts import JobParts
from services.kernel.alerts import JOBS, Job
from services.kernel.errors import UpstreamError
from services.kernel.metrics import Metrics
from services.kernel.rule_model import LIVE, WINDOWS, Metric, Rule, RuleFire, RuleKind, split_key
from services.kernel.symbols import parse_symbol
from services.market.funding.service import FundingService
from services.market.oi.service import OiService
from services.market.ticker.service import TickerService, lasts
from services.signals.rules.engine import Decision, RuleEngine
from services.signals.rules.readings import DerivReadings
from services.storage.rules import Fired, RuleStore
from services.vendors.okx import OkxClient

SEEN_BACK = timedelta(hours=24)  # how far back a gap is looked into (OKX's 1m candles)
GAPS_PER_PASS = 10  # instruments whose gap (or move history) is read from candles per pass
SAMPLE_KEEP = timedelta(hours=24, minutes=5)  # a move's longest window, and a little
# Where the passes left each instrument is written this often, not every pass: after a
# restart the gap is read from there, so it is re-read at most this much more than needed.
MARK_EVERY = timedelta(seconds=30)


class RulesJob:
    def __init__(
        self,
        store: RuleStore,
        outbox: Outbox,
        tickers: TickerService,
        okx: OkxClient,
        metrics: Metrics,
        interval: float,
        max_per_minute: int,
        readings: DerivReadings,
    ) -> None:
        self.engine = RuleEngine()
        self._store = store
        self._outbox = outbox
        self._tickers = tickers
        self._okx = okx
        self._metrics = metrics
        self._interval = interval
        self._max_per_minute = max_per_minute
        self._since: datetime | None = None  # the last reload
        self._marks: dict[str, tuple[datetime, Decimal]] | None = None  # read once, at start
        self._gaps: set[str] = set()  # instruments whose gap since their mark is still unread
        self._samples: dict[str, deque[tuple[datetime, Decimal]]] = {}  # a price a minute
        self._filled: set[str] = set()  # instruments whose move history came from candles
        self._told: dict[int, deque[datetime]] = {}  # a chat's alert messages, last minute
        self._held = True  # fires may wait from before (a cap, a restart): looked for once
        self._marked: datetime | None = None
        self._readings = readings

    async def run(self) -> int:
        """One pass; returns how many messages it queued."""
        now = datetime.now(UTC)
        await self._reload(now)
        keys = self.engine.symbols()
        symbols = {key for key in keys if split_key(key)[0] is Metric.PRICE}
        if self._marks is None:
            self._marks = await self._store.marks()
            self._gaps = {s for s in symbols if s in self._marks}
        decisions: list[Decision] = []
        prices: dict[str, Decimal] = {}
        try:
            prices = await lasts(self._tickers, symbols) if symbols else {}
        except UpstreamError as exc:  # no prices this pass: the next looks again, gap included
            logger.warning("alerts pass without prices: {}", exc)
            if symbols == keys:
                return 0
        if prices:
            ranges = {s: (p, p, p) for s, p in prices.items()}
            await self._read_gaps(ranges, now)
            for symbol, price in prices.items():
                self._sample(symbol, now, price)
            starts = await self._starts(now)
            decisions = self.engine.evaluate(ranges, now, starts)
        # Funding and open interest: each new settlement or reading its own look, in order.
        settled: dict[str, tuple[datetime, Decimal]] = {}
        sources: dict[str, str] = {}  # who served each funding or open interest key
        batches = await self._readings.batches(keys - symbols, self.engine.windows(), self._marks)
        for batch in batches:
            if batch.value is not None:
                value = batch.value
                ranges = {batch.key: (value, value, value)}
                decisions += self.engine.evaluate(ranges, now, batch.starts, batch.at)
            sources[batch.key] = batch.source
            if batch.settled:
                settled[batch.key] = (batch.at, batch.value or Decimal(0))
        if not prices and not batches:
            decisions += self.engine.evaluate({}, now)  # expiries, reminders, wake-ups
        return await self._write(decisions, prices, now, settled, sources)

    async def _reload(self, now: datetime) -> None:
        # A second of overlap: a change committed while the last reload read is not missed
        # (a rule read twice is loaded twice, harmlessly).
        since = self._since - timedelta(seconds=1) if self._since is not None else None
        changed = await self._store.changed_since(since)
        self._since = now
        if changed:
            self.engine.load(changed)

    async def _read_gaps(
        self, ranges: dict[str, tuple[Decimal, Decimal, Decimal]], now: datetime
    ) -> None:
        """After a restart: what the price did while no pass looked, a few instruments a pass
        (each costs a few candle calls), so a crossing then fires now."""
        assert self._marks is not None
        for symbol in sorted(self._gaps)[:GAPS_PER_PASS]:
            self._gaps.discard(symbol)
            checked_at, _price = self._marks[symbol]
            since = max(checked_at, now - SEEN_BACK)
            if now - since < timedelta(seconds=self._interval * 3) or symbol not in ranges:
                continue
            try:
                candles = await self._okx.candles_range(parse_symbol(symbol), since, now, own=True)
            except UpstreamError as exc:
                logger.info("alerts: the gap of {} could not be read: {}", symbol, exc)
                continue
            if not candles:
                continue
            low, high, last = ranges[symbol]
            ranges[symbol] = (
                min(low, *(c.low for c in candles)),
                max(high, *(c.high for c in candles)),
                last,
            )

    def _sample(self, symbol: str, at: datetime, price: Decimal) -> None:
        samples = self._samples.setdefault(symbol, deque())
        minute = at.replace(second=0, microsecond=0)
        if samples and samples[-1][0] == minute:
            return  # one a minute is enough for the shortest window (5m)
        samples.append((minute, price))
        while samples and at - samples[0][0] > SAMPLE_KEEP:
            samples.popleft()

    async def _starts(self, now: datetime) -> dict[tuple[str, str], Decimal]:
        """The price at the start of each window a move alert reads, from the pass's own minute
        samples, or from OKX's 1-minute candles until those reach back far enough."""
        starts: dict[tuple[str, str], Decimal] = {}
        wanted = self.engine.windows()
        reads = 0
        for symbol, windows in wanted.items():
            longest = max(WINDOWS[w] for w in windows)
            samples = self._samples.get(symbol, deque())
            covered = bool(samples) and now - samples[0][0] >= longest
            if not covered and symbol not in self._filled and reads < GAPS_PER_PASS:
                reads += 1
                self._filled.add(symbol)
                await self._fill(symbol, now - longest - timedelta(minutes=1), now)
                samples = self._samples.get(symbol, deque())
            for window in windows:
                start = _price_at(samples, now - WINDOWS[window])
                if start is not None:
                    starts[(symbol, window)] = start
        return starts

    async def _fill(self, symbol: str, since: datetime, now: datetime) -> None:
        try:
            candles = await self._okx.candles_range(parse_symbol(symbol), since, now, own=True)
        except UpstreamError as exc:
            logger.info("alerts: the move history of {} could not be read: {}", symbol, exc)
            return
        known = self._samples.get(symbol, deque())
        merged = sorted({**{c.ts: c.close for c in candles}, **dict(known)}.items())
        self._samples[symbol] = deque(merged)

    async def _write(
        self,
        decisions: list[Decision],
        prices: dict[str, Decimal],
        now: datetime,
        settled: dict[str, tuple[datetime, Decimal]],
        sources: dict[str, str],
    ) -> int:
        states = [(d.rule, d.status) for d in decisions if not d.reminder]
        fired = [
            Fired(
                d.rule.id,
                d.rule.chat_id,
                d.at or now,
                _price(d, prices),
                _fire(d, prices, sources.get(d.rule.spec.key)),
            )
            for d in decisions
            if d.hit is not None or d.expired or d.reminder
        ]
        reminded = [d.rule.id for d in decisions if d.reminder]
        marking = self._marked is None or now - self._marked >= MARK_EVERY
        if not (decisions or marking or self._held or settled):
            return 0  # a quiet pass writes nothing
        queued, self._held = 0, False
        async with self._outbox.transaction() as session:
            await self._store.apply(session, states, fired, reminded)
            if marking:
                await self._store.mark(session, prices, now)
                self._marked = now
            for key, (at, rate) in settled.items():  # the last settlement judged, per contract
                await self._store.mark(session, {key: rate}, at)
                assert self._marks is not None
                self._marks[key] = (at, rate)
            for chat, waiting in (await self._store.waiting(session)).items():
                if not self._may_tell(chat, now):
                    self._held = True  # merged into this chat's next message
                    continue
                fires = [RuleFire.model_validate_json(detail) for _id, detail in waiting]
                alert = Alert(started_at=now, payload=RulePush(fires=fires))
                alert_id = await self._outbox.queue_for(session, alert, chat)
                await self._store.carried(session, [i for i, _d in waiting], alert_id)
                self._told.setdefault(chat, deque()).append(now)
                queued += 1
        if queued:
            self._outbox.published()
        self._metrics.rule_fires.inc(len(fired))
        return queued

    def _may_tell(self, chat: int, now: datetime) -> bool:
        """ALERT_MAX_PER_MINUTE messages a minute per chat; what fires beyond waits, merged."""
        told = self._told.get(chat)
        if told is None:
            return True
        while told and now - told[0] >= timedelta(minutes=1):
            told.popleft()
        if not told:
            del self._told[chat]
            return True
        return len(told) < self._max_per_minute


def _price_at(samples: deque[tuple[datetime, Decimal]], at: datetime) -> Decimal | None:
    """The last sample at or before `at`; None when the samples start after it."""
    found = None
    for moment, price in samples:
        if moment > at:
            break
        found = price
    return found


def _price(decision: Decision, prices: dict[str, Decimal]) -> Decimal:
    if decision.hit is not None:
        return decision.hit.price
    spec = decision.rule.spec
    if spec.metric is not Metric.PRICE:
        return spec.level or Decimal(0)  # an expiry or a reminder: no reading to tell
    return prices.get(spec.symbol) or spec.level or Decimal(0)


def _fire(decision: Decision, prices: dict[str, Decimal], source: str | None) -> str:
    rule: Rule = decision.rule
    spec, hit = rule.spec, decision.hit
    return RuleFire(
        rule_id=rule.id,
        symbol=spec.symbol,
        kind=spec.kind.value,
        metric=spec.metric.value,
        previous=hit.previous if hit is not None else None,
        source=source or "OKX",
        direction=spec.side.value,
        level=spec.level if spec.kind is RuleKind.LEVEL else None,
        move_pct=spec.move_pct,
        window=spec.window,
        moved_pct=hit.moved_pct if hit is not None else None,
        price=_price(decision, prices),
        at=decision.at or datetime.now(UTC),
        note=rule.note,
        repeats=spec.repeat_seconds is not None,
        urgent=spec.urgent,
        ended=decision.status not in LIVE,
        expired=decision.expired,
        reminder=decision.reminder,
    ).model_dump_json()


def build(parts: JobParts) -> RulesJob:
    settings = parts.settings
    return RulesJob(
        parts.rules,
        parts.outbox,
        parts.modules.get(TickerService),
        parts.vendors.get(OkxClient),
        parts.metrics,
        JOBS[Job.RULES].interval(settings),
        settings.alert_max_per_minute,
        DerivReadings(parts.modules.get(FundingService), parts.modules.get(OiService)),
    )
