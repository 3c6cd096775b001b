"""How an alert would have behaved: replayed over the bars OKX still serves through the same
condition code the live engine steps (condition.step), counted, and, for a noisy repeating
one, a threshold found that would have fired about once a day.

A bar is one stretch (its low, high and close), so a replay counts at most one firing per bar:
it reads bars no longer than the alert can tell apart (5-minute bars for a short move or a
quick repeat, hours otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from services.kernel.rule_model import Metric, RuleKind, RuleSpec, RuleState, Side
from services.market.ticker.candles import Bar, CandleBar
from services.signals.rules.condition import Stretch, step

DAYS = 30
AFTER = timedelta(hours=4)  # what the price did this long after each firing
NIGHT = (22, 6)  # from 22:00 to 06:00, the reader's time
# The most a dry-run reads: 1-hour bars reach 30 days in three `candles` calls; 5-minute bars
# reach 1,440 bars (5 days) there and a little more from `history-candles` (100 a call).
PAGES = 12
# A repeating alert firing more than this many times a day is offered a quieter threshold.
NOISY_PER_DAY = 1.5
_MOVE_STEPS = (Decimal("1.25"), Decimal("1.5"), Decimal(2), Decimal("2.5"), Decimal(3),
               Decimal(4), Decimal(5), Decimal(7), Decimal(10))  # fmt: skip
_LEVEL_STEPS = tuple(Decimal(s) / 100 for s in ("0.5", "1", "2", "3", "5", "8", "13", "20"))


def bar_for(spec: RuleSpec) -> Bar:
    """The bars a replay of this alert reads."""
    if spec.kind is RuleKind.MOVE:
        return Bar.M5 if spec.window_length < timedelta(hours=1) else Bar.H1
    if spec.repeat_seconds is not None and spec.repeat_seconds < 3600:
        return Bar.M5
    return Bar.H1


@dataclass(frozen=True, slots=True)
class Firing:
    at: datetime
    price: Decimal
    after_pct: Decimal | None  # the move AFTER later; None near the end of the bars


@dataclass(frozen=True)
class DryRun:
    fires: int
    night: int  # of them, at night in the reader's time
    days: Decimal  # how much history the bars covered
    median_after: Decimal | None  # the median move AFTER a firing, in %
    repeats: bool
    quieter: Decimal | None = None  # a level or move % that fires about once a day
    metric: Metric = Metric.PRICE  # what set it off: the price, funding or open interest


def replay(spec: RuleSpec, bars: Sequence[CandleBar], bar_seconds: int) -> list[Firing]:
    """Every firing over the bars, oldest first. A `once` alert is replayed as if it re-armed
    at each crossing: how often its condition came true is what tells how noisy it is."""
    if not bars:
        return []
    if spec.repeat_seconds is None:
        spec = spec.model_copy(update={"repeat_seconds": 0})
    length = timedelta(seconds=bar_seconds)
    state = RuleState(armed=_armed_at_start(spec, bars[0]))
    back = spec.window_length // length if spec.kind is RuleKind.MOVE else 0
    later = AFTER // length
    firings = []
    signed: Decimal | None = None  # a flip: the last value with a sign before this bar
    for index, bar in enumerate(bars):
        start = bars[index - back].close if spec.kind is RuleKind.MOVE and index >= back else None
        if spec.kind is RuleKind.FLIP:
            start, signed = signed, bar.close if bar.close != 0 else signed
        if spec.kind in (RuleKind.MOVE, RuleKind.FLIP) and start is None:
            continue
        stretch = Stretch(
            at=bar.ts + length, low=bar.low, high=bar.high, last=bar.close, start=start
        )
        state, hit = step(spec, state, stretch)
        if hit is None:
            continue
        after = None
        if index + later < len(bars):
            after = (bars[index + later].close - hit.price) / hit.price * 100
        firings.append(Firing(at=stretch.at, price=hit.price, after_pct=after))
    return firings


def _armed_at_start(spec: RuleSpec, first: CandleBar) -> bool:
    """A price level is armed only on the side it is set from, as a live alert is set; a
    funding level is judged at every settlement, whichever side it starts on."""
    if spec.kind is not RuleKind.LEVEL or spec.level is None or spec.metric is not Metric.PRICE:
        return True
    return first.open < spec.level if spec.side is Side.ABOVE else first.open > spec.level


def dry_run(
    spec: RuleSpec, bars: Sequence[CandleBar], bar_seconds: int, tz: ZoneInfo, price: Decimal
) -> DryRun:
    """The count, the night share and the median move after, and a quieter threshold for a
    repeating alert that would have fired more than about once a day."""
    firings = replay(spec, bars, bar_seconds)
    days = _days(bars, bar_seconds)
    afters = [f.after_pct for f in firings if f.after_pct is not None]
    repeats = spec.repeat_seconds is not None
    quieter = None
    # A quieter threshold is a further level or a bigger move; a funding level has no
    # "further" worth offering (its side is a sign, not a distance from the price).
    offers = spec.kind is RuleKind.MOVE or spec.metric is Metric.PRICE
    noisy = days > 0 and len(firings) > days * Decimal(str(NOISY_PER_DAY))
    if repeats and offers and noisy:
        quieter = _quieter(spec, bars, bar_seconds, days, price)
    # What the price did after is the price's: over funding or open interest it is not told.
    afters = afters if spec.metric is Metric.PRICE else []
    return DryRun(
        fires=len(firings),
        night=sum(1 for f in firings if _at_night(f.at, tz)),
        days=days,
        median_after=Decimal(str(round(median(afters), 2))) if afters else None,
        repeats=repeats,
        quieter=quieter,
        metric=spec.metric,
    )


def _days(bars: Sequence[CandleBar], bar_seconds: int) -> Decimal:
    if not bars:
        return Decimal(0)
    span = bars[-1].ts - bars[0].ts + timedelta(seconds=bar_seconds)
    return Decimal(str(round(span / timedelta(days=1), 1)))


def _at_night(moment: datetime, tz: ZoneInfo) -> bool:
    hour = moment.astimezone(tz).hour
    return hour >= NIGHT[0] or hour < NIGHT[1]


def _quieter(
    spec: RuleSpec, bars: Sequence[CandleBar], bar_seconds: int, days: Decimal, price: Decimal
) -> Decimal | None:
    """The nearest threshold, further than the alert's own, that would have fired at most once
    a day over the same bars; None when even the furthest tried fires more."""
    for candidate in _candidates(spec, price):
        changed = {"move_pct": candidate} if spec.kind is RuleKind.MOVE else {"level": candidate}
        if len(replay(spec.model_copy(update=changed), bars, bar_seconds)) <= days:
            return candidate
    return None


def _candidates(spec: RuleSpec, price: Decimal) -> list[Decimal]:
    if spec.kind is RuleKind.MOVE:
        assert spec.move_pct is not None
        found = [_round(spec.move_pct * s, 2) for s in _MOVE_STEPS]
        return [p for p in found if p <= 100]
    assert spec.level is not None
    away = 1 if spec.side is Side.ABOVE else -1
    base = max(spec.level, price) if away > 0 else min(spec.level, price)
    return [_round(base * (1 + away * s), 3) for s in _LEVEL_STEPS]


def _round(value: Decimal, digits: int) -> Decimal:
    """To `digits` significant digits: a threshold a trader would type (191, 3.8)."""
    if value == 0:
        return value
    exponent = value.adjusted() - digits + 1
    rounded = value.scaleb(-exponent).quantize(Decimal(1)).scaleb(exponent)
    return rounded.quantize(Decimal(1)) if exponent >= 0 else rounded


def value_bars(points: Sequence[tuple[datetime, Decimal]]) -> list[CandleBar]:
    """Readings (settled funding, open interest) as bars a replay steps through: one value
    each, its low, high and close."""
    return [CandleBar(ts=at, open=v, high=v, low=v, close=v) for at, v in points]
