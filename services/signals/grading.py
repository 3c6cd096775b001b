"""Grading of past calls against OKX 1-minute candles: bias calls and whale events by the move
over fixed horizons, sniper maps by walking the candles through entry, targets and stop.

Pure: candles and levels in, grades out. Every ambiguity inside a candle is decided against
the call, so a grade never flatters the bot.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.kernel.models import Candle

__all__ = ["Candle"]  # re-exported: the grading API speaks in candles


MINUTE = timedelta(minutes=1)
HORIZONS: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "24h": timedelta(hours=24),
}
TRADE_LIFETIMES = 4  # after entry, a trade runs at most this many lifetimes from the push
# With no candles at all this long past a window's end (delisting, a hole in OKX history),
# the window is closed anyway so a map cannot stay open forever.
LATE_DATA = timedelta(hours=1)
_CENT = Decimal("0.01")
_PCT = Decimal("0.0001")
_HALF = Decimal("0.5")
_UP = {"long": 1, "buy": 1, "short": -1, "sell": -1}


def _ts(candle: Candle) -> datetime:
    return candle.ts


def price_at(
    candles: Sequence[Candle], at: datetime, bar: timedelta = MINUTE
) -> tuple[Decimal, datetime] | None:
    """The close of the last candle that had closed by `at` (ts + bar <= at) and that candle's
    close time. None before the series, and None when the series does not reach `at`: the
    candle found must have closed within the last bar before `at`, else a candle is missing
    (data gap) or not fetched yet. Candles are sorted oldest first."""
    i = bisect_right(candles, at - bar, key=_ts)
    if i == 0:
        return None
    candle = candles[i - 1]
    closed = candle.ts + bar
    if at - closed >= bar:
        return None
    return candle.close, closed


@dataclass(frozen=True, slots=True)
class HorizonGrade:
    horizon: str  # "15m", "1h", "4h", "24h"
    price_from: Decimal  # the price at the call
    price_to: Decimal  # price_at(call time + horizon)
    at_from: datetime
    at_to: datetime  # the close time of the candle used
    move_pct: Decimal  # signed % move in the call's direction, 4 decimals
    hit: bool  # move_pct > 0


def _sign(direction: str) -> int:
    try:
        return _UP[direction.lower()]
    except KeyError:
        raise ValueError(f"unknown direction {direction!r}") from None


def grade_direction(
    direction: str,
    at: datetime,
    price: Decimal,
    candles: Sequence[Candle],
    horizons: Iterable[str],
) -> list[HorizonGrade]:
    """Grade a directional call: "LONG"/"buy" is right when price rises, "SHORT"/"sell" when it
    falls (case-insensitive). One grade per horizon whose end price is known, in the order
    given; a horizon not reached yet is left out and graded on a later run. A flat move (0 %
    after rounding to 4 decimals) is a miss."""
    sign = _sign(direction)
    if price <= 0:
        raise ValueError(f"price must be positive, got {price}")
    grades = []
    for horizon in horizons:
        if horizon not in HORIZONS:
            raise ValueError(f"unknown horizon {horizon!r}")
        found = price_at(candles, at + HORIZONS[horizon])
        if found is None:
            continue
        price_to, at_to = found
        move = (sign * (price_to - price) * 100 / price).quantize(_PCT, ROUND_HALF_UP)
        grades.append(HorizonGrade(horizon, price, price_to, at, at_to, move, move > 0))
    return grades


class SniperStatus(StrEnum):
    WAITING = "waiting"  # pushed, entry not touched yet
    ENTERED = "entered"  # entry filled, neither TP1 nor stop yet
    TP1 = "tp1"  # TP1 reached, running for TP2 with the stop moved to entry
    TP2 = "tp2"  # final: both targets
    STOPPED = "stopped"  # final: stop hit before TP1 (-1 R)
    BREAKEVEN = "breakeven"  # final: TP1 hit, then price came back to entry
    EXPIRED = "expired"  # final: no entry within the lifetime, or the trade ran out of time


FINAL: frozenset[SniperStatus] = frozenset(
    {SniperStatus.TP2, SniperStatus.STOPPED, SniperStatus.BREAKEVEN, SniperStatus.EXPIRED}
)


@dataclass(frozen=True, slots=True)
class SniperLevels:
    entry: Decimal
    stop: Decimal
    tp1: Decimal
    tp2: Decimal  # a LONG map: stop < entry < tp1 < tp2
    pushed_at: datetime
    lifetime: timedelta  # without an entry fill within this, the map expires


@dataclass(frozen=True, slots=True)
class SniperPath:
    status: SniperStatus
    entered_at: datetime | None
    tp1_at: datetime | None
    closed_at: datetime | None  # when a final status was reached
    r: Decimal | None  # realised R when final; None while open and for EXPIRED without entry
    r_open: Decimal | None  # R banked so far, for the live message; None before entry
    mae_r: Decimal  # maximum adverse excursion after entry, in R, within [0, 1]
    checked_to: datetime | None  # close time of the last candle examined
    hit: bool | None  # TP1 before the stop; None while undecided or when never entered
    minutes_to_outcome: int | None  # from entry fill to the final status


def _r(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_HALF_UP)


def _check(levels: SniperLevels) -> None:
    if not levels.stop < levels.entry < levels.tp1 < levels.tp2:
        raise ValueError(f"not a long map: {levels}")
    if levels.lifetime <= timedelta(0):
        raise ValueError(f"lifetime must be positive, got {levels.lifetime}")


def _window(
    candles: Sequence[Candle], pushed_at: datetime, now: datetime
) -> tuple[int, int, datetime | None]:
    """Index range of the closed candles from the push minute on, and the close time of the
    last of them (to know whether the data has passed a deadline)."""
    lo = bisect_left(candles, pushed_at.replace(second=0, microsecond=0), key=_ts)
    hi = bisect_right(candles, now - MINUTE, key=_ts)
    return lo, hi, (candles[hi - 1].ts + MINUTE if hi > lo else None)


def track_sniper(levels: SniperLevels, candles: Sequence[Candle], now: datetime) -> SniperPath:
    """Walk a long sniper map through the 1-minute candles. Rules:

    - Only candles with ts >= pushed_at floored to the minute and closed by `now`
      (ts + 1 min <= now) count. Risk R = entry - stop; Rk = (tpk - entry) / R.
    - Entry fills in the first candle with low <= entry (a limit buy at support) that opened
      before pushed_at + lifetime. Price running up through TP1 before a fill does not end the
      map; without a fill it is EXPIRED at pushed_at + lifetime with r and hit None.
    - Plan: half closed at TP1, half at TP2; after TP1 the stop moves to entry. TP2 gives
      0.5*R1 + 0.5*R2, BREAKEVEN 0.5*R1, STOPPED -1. After entry the trade runs until one of
      those or pushed_at + 4 * lifetime, then is EXPIRED marked to the last close examined:
      (close - entry) / R, or 0.5*R1 + 0.5*(close - entry) / R once TP1 was hit.
    - Order inside a candle is unknown, so it is decided against the trade: a candle that
      fills the entry and reaches the stop is STOPPED in that candle; the filling candle
      counts TP1 only from the next candle; a candle reaching the stop and TP1 is STOPPED; a
      TP1 candle that also trades back to entry is BREAKEVEN, else it can also reach TP2.
    - A window (the wait, the trade) is over once a closed candle ends at or after its end,
      or when `now` is an hour past it with no such candle (a permanent data gap).
    - Event times are candle close times (when the event is known); closed_at of EXPIRED is
      the deadline itself. R and mae_r are rounded to 2 decimals.
    - mae_r: the worst (entry - low) / R from the filling candle through the TP1 candle
      (after TP1 the stop sits at entry), floored at 0 and capped at 1 (the stop closes it).
    - hit: True once TP1 is reached, False when STOPPED, None otherwise (an expired trade
      that reached neither level stays None).
    - Deterministic: every call recomputes from the push, so a restart never double-counts.
    """
    _check(levels)
    entry, stop, tp1, tp2 = levels.entry, levels.stop, levels.tp1, levels.tp2
    risk = entry - stop
    r1 = (tp1 - entry) / risk
    wait_end = levels.pushed_at + levels.lifetime
    trade_end = levels.pushed_at + TRADE_LIFETIMES * levels.lifetime
    lo, hi, data_to = _window(candles, levels.pushed_at, now)

    def over(end: datetime) -> bool:
        return (data_to is not None and data_to >= end) or now >= end + LATE_DATA

    status = SniperStatus.WAITING
    entered_at: datetime | None = None
    tp1_at: datetime | None = None
    checked_to: datetime | None = None
    last_close = entry
    worst = Decimal(0)

    def done(final: SniperStatus, at: datetime, r: Decimal | None) -> SniperPath:
        minutes = None if entered_at is None else (at - entered_at) // MINUTE
        hit = {SniperStatus.STOPPED: False, SniperStatus.EXPIRED: None}.get(final, True)
        if final is SniperStatus.EXPIRED and tp1_at is not None:
            hit = True
        rounded = None if r is None else _r(r)
        return SniperPath(
            final, entered_at, tp1_at, at, rounded, rounded, _r(worst), checked_to, hit, minutes
        )

    for i in range(lo, hi):
        c = candles[i]
        if c.ts >= (wait_end if status is SniperStatus.WAITING else trade_end):
            break
        checked_to = c.ts + MINUTE
        last_close = c.close
        if status is SniperStatus.WAITING:
            if c.low > entry:
                continue
            entered_at, status = checked_to, SniperStatus.ENTERED
            worst = min(Decimal(1), (entry - c.low) / risk)
            if c.low <= stop:
                return done(SniperStatus.STOPPED, checked_to, Decimal(-1))
            continue
        if status is SniperStatus.ENTERED:
            worst = max(worst, min(Decimal(1), (entry - c.low) / risk))
            if c.low <= stop:
                return done(SniperStatus.STOPPED, checked_to, Decimal(-1))
            if c.high < tp1:
                continue
            tp1_at, status = checked_to, SniperStatus.TP1
        if c.low <= entry:
            return done(SniperStatus.BREAKEVEN, checked_to, _HALF * r1)
        if c.high >= tp2:
            return done(SniperStatus.TP2, checked_to, _HALF * r1 + _HALF * (tp2 - entry) / risk)

    if status is SniperStatus.WAITING:
        if over(wait_end):
            return done(SniperStatus.EXPIRED, wait_end, None)
        return SniperPath(status, None, None, None, None, None, Decimal(0), checked_to, None, None)
    if over(trade_end):
        mark = (last_close - entry) / risk
        r = mark if tp1_at is None else _HALF * r1 + _HALF * mark
        return done(SniperStatus.EXPIRED, trade_end, r)
    banked = Decimal(0) if tp1_at is None else _HALF * r1
    hit = None if tp1_at is None else True
    return SniperPath(
        status, entered_at, tp1_at, None, None, _r(banked), _r(worst), checked_to, hit, None
    )


def sniper_baseline(
    levels: SniperLevels, price_at_push: Decimal, candles: Sequence[Candle], now: datetime
) -> bool | None:
    """The naive baseline for a map: buy at market when it was pushed, with the same risk and
    TP1 distances (stop price_at_push - R, target price_at_push + (tp1 - entry)). Same candles
    as track_sniper, up to pushed_at + 4 * lifetime: True if that target came first, False if
    that stop came first (the stop wins a candle that reaches both), None while undecided and
    when the time ran out undecided."""
    _check(levels)
    stop = price_at_push - (levels.entry - levels.stop)
    target = price_at_push + (levels.tp1 - levels.entry)
    trade_end = levels.pushed_at + TRADE_LIFETIMES * levels.lifetime
    lo, hi, _ = _window(candles, levels.pushed_at, now)
    for i in range(lo, hi):
        c = candles[i]
        if c.ts >= trade_end:
            break
        if c.low <= stop:
            return False
        if c.high >= target:
            return True
    return None


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95 % by default); (0.0, 1.0) when n == 0."""
    if not 0 <= hits <= n:
        raise ValueError(f"need 0 <= hits <= n, got {hits}/{n}")
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    z2 = z * z
    scale = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / scale
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / scale
    # The bounds are exactly 0 and 1 at the extremes; rounding must not push them outside.
    return max(0.0, centre - half), min(1.0, centre + half)
