"""Pending liquidation levels, estimated from OKX's free open interest history and candles.

A realized liquidation is a position that is gone: it says nothing about where price will find
liquidations next. Those are where positions still open would be closed out. CoinGlass models
them (a paid plan); this estimates them from what OKX serves without a key, as the known free
method does (docs/liquidation-estimate.md has the model and its weights, and every answer
drawn from it says "estimate from OKX open interest"):

1. Open interest rising over a period opened that many coins of positions near the period's
   price (its typical price, (high + low + close) / 3).
2. They are split long / short by the period's taker buy share (even when it is unknown).
3. Each side is spread over leverage tiers; a tier's liquidation price follows from the entry,
   the leverage and the maintenance margin: long `entry × (1 − 1/L + m)`, short
   `entry × (1 + 1/L − m)`.
4. A level is gone once price trades through it (a later period's low at or under a long's
   level, its high at or over a short's).
5. Open interest falling closes positions: what the fall leaves after the liquidations just
   counted shrinks every open level in proportion to the open interest they left.

Open interest from before the history starts has no known entry: it is left out, so the
estimate grows more complete with the history it has (OKX keeps 1,440 points a period).

Pure, and written here because no library models this. Floats inside (a few hundred
thousand operations for 1,440 periods), two sorted lists per side so that a trade-through
removes a slice instead of testing every level.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

# (leverage, share of new positions): most open interest sits at modest leverage; the tail at
# 50-100x is small but sits closest to price. Assumptions, documented with the model.
TIERS: tuple[tuple[int, float], ...] = ((5, 0.20), (10, 0.30), (25, 0.25), (50, 0.15), (100, 0.10))
MAINTENANCE = 0.005  # maintenance margin rate of a typical first-tier position on OKX perpetuals
EVEN = 0.5  # the long share when the period's taker volume is unknown


@dataclass(frozen=True, slots=True)
class Period:
    """One period of the perpetual: open interest (coins) when it opened and when it ended,
    its candle, and the share of its taker volume that bought."""

    at: datetime
    oi_before: float
    oi_after: float
    high: float
    low: float
    close: float
    buy_share: float | None = None


class PendingLevel(BaseModel):
    """Positions that would be liquidated at `price`, opened at `opened`."""

    side: str  # "long" (liquidated on a fall to the level) or "short" (on a rise)
    price: Decimal
    usd: Decimal
    opened: datetime


@dataclass
class _Side:
    """One side's open levels, sorted by liquidation price, with a shared scale: shrinking
    every level is one multiplication, not one per level."""

    prices: list[float]
    units: list[float]  # coins / scale at the time each level was added
    values: list[float]  # units × price: USD / scale, summed by slice for the map
    opened: list[int]  # the period index each was opened in
    scale: float = 1.0

    def add(self, price: float, coins: float, period: int) -> None:
        at = bisect.bisect_left(self.prices, price)
        units = coins / self.scale
        self.prices.insert(at, price)
        self.units.insert(at, units)
        self.values.insert(at, units * price)
        self.opened.insert(at, period)

    def cut(self, start: int, end: int) -> float:
        """Removes levels [start, end) and returns their coins."""
        coins = sum(self.units[start:end]) * self.scale
        del self.prices[start:end], self.units[start:end], self.values[start:end]
        del self.opened[start:end]
        return coins

    def shrink(self, keep: float) -> None:
        if keep <= 0:
            self.cut(0, len(self.prices))
            self.scale = 1.0
        else:
            self.scale *= keep


def liquidation_price(entry: float, leverage: int, side: str, maintenance: float) -> float:
    if side == "long":
        return entry * (1 - 1 / leverage + maintenance)
    return entry * (1 + 1 / leverage - maintenance)


class Estimator:
    """Runs the periods oldest first; `levels(since)` is what is still open afterwards."""

    def __init__(self, maintenance: float = MAINTENANCE) -> None:
        self._maintenance = maintenance
        self._longs = _Side([], [], [], [])
        self._shorts = _Side([], [], [], [])
        self._periods: list[datetime] = []

    def run(self, period: Period) -> None:
        index = len(self._periods)
        self._periods.append(period.at)
        # Traded through during this period: a long's level at or above the low, a short's
        # at or below the high (levels of earlier periods only: this one's open at its end).
        gone = self._longs.cut(
            bisect.bisect_left(self._longs.prices, period.low), len(self._longs.prices)
        )
        gone += self._shorts.cut(0, bisect.bisect_right(self._shorts.prices, period.high))
        change = period.oi_after - period.oi_before
        if change > 0:
            entry = (period.high + period.low + period.close) / 3
            share = EVEN if period.buy_share is None else min(1.0, max(0.0, period.buy_share))
            for side, book, part in (
                ("long", self._longs, share),
                ("short", self._shorts, 1 - share),
            ):
                if part <= 0:
                    continue
                for leverage, weight in TIERS:
                    price = liquidation_price(entry, leverage, side, self._maintenance)
                    book.add(price, change * part * weight, index)
        elif change < 0 and period.oi_before > gone:
            # What the fall leaves after the liquidations counted above was closed by choice,
            # in proportion across the open interest those liquidations left (the untracked
            # part included).
            closed = max(0.0, -change - gone)
            keep = 1 - closed / (period.oi_before - gone)
            self._longs.shrink(keep)
            self._shorts.shrink(keep)

    def levels(self, since: datetime | None = None) -> list[PendingLevel]:
        """Every level still open, of positions opened at or after `since`."""
        out = []
        for side, book in (("long", self._longs), ("short", self._shorts)):
            for price, units, opened in zip(book.prices, book.units, book.opened, strict=True):
                at = self._periods[opened]
                if since is not None and at < since:
                    continue
                coins = units * book.scale
                if coins <= 0:
                    continue
                out.append(
                    PendingLevel(
                        side=side,
                        price=Decimal(repr(round(price, 10))),
                        usd=Decimal(repr(round(coins * price, 2))),
                        opened=at,
                    )
                )
        return out

    def grid(self, edges: list[float]) -> tuple[list[float], list[float]]:
        """USD of the levels open now per price row between `edges`, longs and shorts: one
        column of the estimated map (a slice sum per row: the levels are sorted by price)."""
        rows = len(edges) - 1
        longs, shorts = [0.0] * rows, [0.0] * rows
        for book, sums in ((self._longs, longs), (self._shorts, shorts)):
            cuts = [bisect.bisect_left(book.prices, edge) for edge in edges]
            for row in range(rows):
                if cuts[row] < cuts[row + 1]:
                    sums[row] = sum(book.values[cuts[row] : cuts[row + 1]]) * book.scale
        return longs, shorts


def estimate(periods: list[Period], since: datetime | None = None) -> list[PendingLevel]:
    """The levels still open after `periods` (oldest first), of positions opened since."""
    model = Estimator()
    for period in periods:
        model.run(period)
    return model.levels(since)
