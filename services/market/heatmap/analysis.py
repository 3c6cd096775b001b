"""Liquidation bands around price, from pending levels (the estimate) or a modelled grid."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel

from services.kernel.models import HeatmapGrid

NEAR_PCT = Decimal("0.5")  # a cluster this close to price is called out
CLUSTER_SHARE = Decimal("0.2")  # a band with >= 20% of the biggest band's USD is a cluster
TOP = 3
NICE_STEPS = [
    Decimal(s)
    for s in (
        "0.0001",
        "0.0005",
        "0.001",
        "0.005",
        "0.01",
        "0.02",
        "0.05",
        "0.1",
        "0.25",
        "0.5",
        "1",
        "2",
        "5",
        "10",
        "25",
        "50",
        "100",
        "250",
        "500",
        "1000",
    )
]


class Band(BaseModel):
    low: Decimal
    high: Decimal
    usd: Decimal
    distance_pct: Decimal  # band middle vs price; positive above

    @property
    def mid(self) -> Decimal:
        return (self.low + self.high) / 2


class HeatmapAnalysis(BaseModel):
    price: Decimal
    bands: list[Band]  # every band with USD, by price
    above: list[Band]  # the biggest above price, nearest first
    below: list[Band]
    nearest: Band | None  # the biggest cluster within NEAR_PCT of price
    total_usd: Decimal


def band_step(price: Decimal) -> Decimal:
    """The smallest round step of at least 0.2% of price (SOL 142 -> 0.5, BTC 96,850 -> 250)."""
    target = price * Decimal("0.002")
    return next((s for s in NICE_STEPS if s >= target), NICE_STEPS[-1])


def _band(low: Decimal, high: Decimal, usd: Decimal, price: Decimal) -> Band:
    return Band(low=low, high=high, usd=usd, distance_pct=((low + high) / 2 - price) / price * 100)


class Priced(Protocol):
    """Anything with a price and a USD size: a pending level, a liquidation."""

    @property
    def price(self) -> Decimal: ...
    @property
    def usd(self) -> Decimal: ...


def bands_of(items: Sequence[Priced], price: Decimal) -> list[Band]:
    """USD summed per band of round width around `price`."""
    step = band_step(price)
    sums: dict[Decimal, Decimal] = defaultdict(Decimal)
    for item in items:
        sums[(item.price // step) * step] += item.usd
    return [_band(low, low + step, usd, price) for low, usd in sorted(sums.items())]


def bands_from_grid(grid: HeatmapGrid, price: Decimal, last_candles: int | None) -> list[Band]:
    """Sum each price row over the candles kept (`last_candles` cuts a longer range)."""
    first = grid.candle_count - last_candles if last_candles is not None else 0
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for x, y, usd in grid.cells:
        if x >= first:
            sums[y] += usd
    axis = grid.y_axis
    half = (axis[1] - axis[0]) / 2 if len(axis) > 1 else Decimal(0)
    return [_band(axis[y] - half, axis[y] + half, usd, price) for y, usd in sorted(sums.items())]


def analyse(bands: list[Band], price: Decimal) -> HeatmapAnalysis:
    biggest = max((b.usd for b in bands), default=Decimal(0))
    clusters = [b for b in bands if biggest and b.usd >= biggest * CLUSTER_SHARE]
    above = [b for b in clusters if b.low > price]
    below = [b for b in clusters if b.high <= price]
    near = [b for b in clusters if abs(b.distance_pct) <= NEAR_PCT]
    return HeatmapAnalysis(
        price=price,
        bands=bands,
        above=sorted(sorted(above, key=lambda b: b.usd, reverse=True)[:TOP], key=lambda b: b.low),
        below=sorted(sorted(below, key=lambda b: b.usd, reverse=True)[:TOP], key=lambda b: -b.high),
        nearest=max(near, key=lambda b: b.usd) if near else None,
        total_usd=sum((b.usd for b in bands), Decimal(0)),
    )
