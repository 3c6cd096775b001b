"""The track record: graded calls summed up with their sample size, a 95 % interval and the
naive baseline beside them, never a bare percentage."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from services.signals.calls import Kind
from services.signals.grading import wilson
from services.storage.calls import CallStore, StoredCall, StoredGrade

MIN_CALLS = 10  # below this a hit ratio is noise: "not enough calls yet (n=4)"
HORIZONS = {Kind.BIAS: ("1h", "4h", "24h"), Kind.WHALE: ("15m", "1h"), Kind.SNIPER: ("outcome",)}
MAIN = {Kind.BIAS: "4h", Kind.WHALE: "1h", Kind.SNIPER: "outcome"}
WHALE_TARGET = 0.6  # the seeds' goal for whale signals: hit ratio > 60 %
ROLLING = 20  # calls per point of the rolling hit ratio
SOURCE = "OKX 1m candles"
UNGRADED = "ungraded"


class TrackLine(BaseModel):
    """One line of a kind's own track record, carried by the call it is pushed with."""

    kind: str
    label: str  # what was counted: "TP1 first", "right after 4h"
    hits: int
    n: int
    days: int
    enough: bool  # n reached the minimum: a percentage may be shown


class Ratio(BaseModel):
    hits: int
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_CALLS

    @property
    def ratio(self) -> float | None:
        return self.hits / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.hits, self.n)


class HorizonRecord(BaseModel):
    horizon: str
    calls: Ratio
    baseline: Ratio
    avg_move_pct: Decimal | None = None  # bias/whale: mean move in the call's direction
    avg_r: Decimal | None = None  # sniper: mean R of the trades that filled


class TargetCheck(BaseModel):
    threshold: float
    met: bool | None  # None: not enough calls to say
    proven: bool  # the whole 95 % interval is above the threshold


class Point(BaseModel):
    at: datetime
    value: float


class TrackRecord(BaseModel):
    kind: str
    days: int | None  # None: all time
    symbol: str | None
    made: int
    pushed: int
    pending: int  # made but not graded at the main horizon yet
    main: str
    horizons: list[HorizonRecord]
    outcomes: dict[str, int] = {}  # sniper: tp2, breakeven, stopped, expired, no fill
    target: TargetCheck | None = None
    series: list[Point] = []  # sniper: cumulative R; bias and whale: rolling hit ratio
    source: str = SOURCE
    as_of: datetime


class ReplayLine(BaseModel):
    kind: str
    symbol: str
    direction: str
    made_at: datetime
    pushed: bool
    status: str  # pending, hit, miss; sniper: its tracking status
    value: Decimal | None = None  # % move at the main horizon, or R
    horizon: str
    price: Decimal | None = None  # at the call: the one stored, else the one it was graded from


class Replay(BaseModel):
    since: datetime
    until: datetime
    lines: list[ReplayLine]
    source: str = SOURCE


def _mean(values: list[Decimal]) -> Decimal | None:
    return round(sum(values, Decimal(0)) / len(values), 2) if values else None


def summarise(
    kind: str,
    calls: list[StoredCall],
    grades: dict[int, list[StoredGrade]],
    *,
    days: int | None,
    symbol: str | None,
    now: datetime,
) -> TrackRecord:
    """Pure: the calls of one kind with their grades, summed per horizon."""
    main = MAIN[kind]
    horizons = []
    for horizon in HORIZONS[kind]:
        own = [g for c in calls for g in grades[c.id] if g.horizon == horizon and not g.baseline]
        base = [g for c in calls for g in grades[c.id] if g.horizon == horizon and g.baseline]
        decided = [g for g in own if g.hit is not None]
        base_decided = [g for g in base if g.hit is not None]
        # Sniper R counts every trade that filled, a marked-to-market expiry included; a map
        # that never filled was no trade and has no R.
        values = [g.value for g in (own if kind == Kind.SNIPER else decided) if g.value is not None]
        horizons.append(
            HorizonRecord(
                horizon=horizon,
                calls=Ratio(hits=sum(1 for g in decided if g.hit), n=len(decided)),
                baseline=Ratio(hits=sum(1 for g in base_decided if g.hit), n=len(base_decided)),
                avg_r=_mean(values) if kind == Kind.SNIPER else None,
                avg_move_pct=_mean(values) if kind != Kind.SNIPER else None,
            )
        )
    graded_main = {c.id for c in calls for g in grades[c.id] if g.horizon == main}
    record = TrackRecord(
        kind=kind,
        days=days,
        symbol=symbol,
        made=len(calls),
        pushed=sum(1 for c in calls if c.pushed),
        pending=sum(1 for c in calls if c.open and c.id not in graded_main),
        main=main,
        horizons=horizons,
        as_of=now,
    )
    ordered = sorted(
        (g for c in calls for g in grades[c.id] if g.horizon == main and not g.baseline),
        key=lambda g: g.at_to or g.graded_at,
    )
    if kind == Kind.SNIPER:
        record.outcomes = dict(
            Counter("no_fill" if g.at_from is None else g.outcome for g in ordered)
        )
        total = Decimal(0)
        for g in ordered:
            if g.value is not None:
                total += g.value
                record.series.append(Point(at=g.at_to or g.graded_at, value=float(total)))
    else:
        decided = [g for g in ordered if g.hit is not None]
        for i in range(len(decided)):
            window = decided[max(0, i + 1 - ROLLING) : i + 1]
            record.series.append(
                Point(
                    at=decided[i].at_to or decided[i].graded_at,
                    value=sum(1 for g in window if g.hit) / len(window),
                )
            )
    if kind == Kind.WHALE:
        main_ratio = next(h.calls for h in horizons if h.horizon == main)
        record.target = TargetCheck(
            threshold=WHALE_TARGET,
            met=(main_ratio.ratio or 0) > WHALE_TARGET if main_ratio.enough else None,
            proven=main_ratio.enough and main_ratio.interval[0] > WHALE_TARGET,
        )
    return record


def _status(
    call: StoredCall, grades: list[StoredGrade], horizon: str
) -> tuple[str, Decimal | None]:
    grade = next((g for g in grades if g.horizon == horizon and not g.baseline), None)
    if grade is None and not call.open:
        return UNGRADED, None  # closed without this grade: no candles, or an unreadable call
    if call.kind == Kind.SNIPER:
        return call.status, grade.value if grade else None
    if grade is None:
        return "pending", None
    return ("hit" if grade.hit else "miss"), grade.value


class TrackRecordService:
    def __init__(self, store: CallStore) -> None:
        self._store = store

    async def record(
        self, kind: str, days: int | None, symbol: str | None, now: datetime
    ) -> TrackRecord:
        since = now - timedelta(days=days) if days else datetime.min.replace(tzinfo=now.tzinfo)
        calls = [
            c
            for c in await self._store.between(since, kind=kind)
            if symbol is None or c.symbol == symbol
        ]
        grades = await self._store.grades_for([c.id for c in calls])
        return summarise(kind, calls, grades, days=days, symbol=symbol, now=now)

    async def replay(self, hours: int, now: datetime) -> Replay:
        since = now - timedelta(hours=hours)
        calls = await self._store.between(since)
        grades = await self._store.grades_for([c.id for c in calls])
        lines = []
        for call in calls:
            horizon = MAIN.get(call.kind, "outcome")
            status, value = _status(call, grades[call.id], horizon)
            graded_from = next((g.price_from for g in grades[call.id] if g.price_from), None)
            lines.append(
                ReplayLine(
                    price=call.price if call.price is not None else graded_from,
                    kind=call.kind,
                    symbol=call.symbol,
                    direction=call.direction,
                    made_at=call.made_at,
                    pushed=call.pushed,
                    status=status,
                    value=value,
                    horizon=horizon,
                )
            )
        return Replay(since=since, until=now, lines=lines)

    async def line(self, kind: str, symbol: str | None, now: datetime, days: int = 30) -> TrackLine:
        """The line a pushed call carries about its own kind's record on this symbol."""
        record = await self.record(kind, days, symbol, now)
        main = next(h for h in record.horizons if h.horizon == record.main)
        return TrackLine(
            kind=kind,
            label=record.main,
            hits=main.calls.hits,
            n=main.calls.n,
            days=days,
            enough=main.calls.enough,
        )
