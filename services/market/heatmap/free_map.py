"""The free liquidation map: pending levels estimated from OKX's open interest (estimate.py),
on every range at once from the first minute.

Inputs per coin, all free and keyless: the perpetual's open interest history and taker volume
at two periods (5 minutes for the last ~8 hours, 1 hour for the ~4 days before), and the
coin's spot candles at the same periods. Six calls, kept together for a minute (the 5-minute
series moves once every five), so every range and every asker shares them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.cache import ResilientCache
from services.kernel.errors import BadResponseError, VendorError
from services.kernel.symbols import Instrument
from services.market.heatmap.analysis import Band, band_step, bands_of
from services.market.heatmap.estimate import Estimator, PendingLevel, Period
from services.market.heatmap.timemap import TimeMap
from services.vendors.okx import OkxClient
from services.vendors.okx_rows import VENDOR
from services.vendors.okx_stats import OiPoint, OkxStats, TakerPoint

INPUTS_TTL_SECONDS = 60.0
ROWS = 100  # a call's most; OKX keeps 1,440 per period
FINE, COARSE = ("5m", timedelta(minutes=5)), ("1H", timedelta(hours=1))
MAP_SPAN = Decimal("0.08")  # rows reach this far (share of price) past the price path
COLUMNS_MAX = 96  # more time columns than a phone shows cost drawing time for nothing


class Bar(BaseModel):
    at: datetime
    high: float
    low: float
    close: float


class Series(BaseModel):
    """One period's inputs, oldest first."""

    period: str
    oi: list[OiPoint]
    taker: list[TakerPoint] = []  # empty when OKX would not give it: longs and shorts even
    bars: list[Bar]


class EstimateInputs(BaseModel):
    coin: str
    fine: Series | None = None  # None: that call failed, the other period stands alone
    coarse: Series | None = None


@dataclass(frozen=True)
class EstimatedMap:
    analysis_bands: list[Band]
    levels: list[PendingLevel]
    map: TimeMap | None
    lookback: timedelta  # how far back the open interest history reaches


def periods(series: Series, length: timedelta, until: datetime | None = None) -> list[Period]:
    """Consecutive open interest points as periods with their candle and taker share; a period
    with no candle is skipped (its change has no price to open at)."""
    bars = {b.at: b for b in series.bars}
    shares = {t.at: t.buy_share for t in series.taker}
    out = []
    for before, after in zip(series.oi, series.oi[1:], strict=False):
        if until is not None and after.at > until:
            break
        bar = bars.get(before.at)
        if bar is None or after.at - before.at != length:
            continue
        share = shares.get(before.at)
        out.append(
            Period(
                at=before.at,
                oi_before=float(before.coins),
                oi_after=float(after.coins),
                high=bar.high,
                low=bar.low,
                close=bar.close,
                buy_share=float(share) if share is not None else None,
            )
        )
    return out


def merged(inputs: EstimateInputs) -> list[tuple[Period, timedelta]]:
    """The hourly periods before the 5-minute history starts, then the 5-minute ones."""
    fine = periods(inputs.fine, FINE[1]) if inputs.fine else []
    first_fine = fine[0].at if fine else None
    coarse = (
        periods(inputs.coarse, COARSE[1], until=first_fine) if inputs.coarse is not None else []
    )
    return [(p, COARSE[1]) for p in coarse] + [(p, FINE[1]) for p in fine]


def build_map(inputs: EstimateInputs, price: Decimal, start: datetime) -> EstimatedMap:
    """Runs the model over the whole history: the levels still pending now, whenever their
    positions were opened; the range is the map's time axis (a column per period since
    `start`, each showing what was pending then)."""
    run = merged(inputs)
    if not run:
        raise ValueError("no open interest period with a candle")
    model = Estimator()
    step = band_step(price)
    path = [(p.at + length, Decimal(repr(p.close))) for p, length in run if p.at >= start]
    edges = _edges(price, [c for _, c in path], step)
    times: list[datetime] = []
    longs: list[list[float]] = []
    shorts: list[list[float]] = []
    end = start
    shown = sum(1 for period, _ in run if period.at >= start)
    stride = -(-shown // COLUMNS_MAX)  # periods per column, so a day of 5m is 96 columns
    seen = 0
    for period, length in run:
        model.run(period)
        if period.at < start:
            continue
        if seen % stride == 0:
            times.append(period.at)
        seen += 1
        end = period.at + length
        if seen % stride == 0 or seen == shown:  # the column's last period: what is pending
            column = model.grid(edges)
            longs.append(column[0])
            shorts.append(column[1])
    levels = model.levels()
    grid = None
    if times:
        rows = len(edges) - 1
        grid = TimeMap(
            times=[*times, end],
            prices=[Decimal(repr(e)) for e in edges],
            longs=[[_usd(column[r]) for column in longs] for r in range(rows)],
            shorts=[[_usd(column[r]) for column in shorts] for r in range(rows)],
            path=path,
        )
    return EstimatedMap(
        analysis_bands=bands_of(levels, price),
        levels=levels,
        map=grid,
        lookback=run[-1][0].at + run[-1][1] - run[0][0].at,
    )


ZERO = Decimal(0)


def _usd(value: float) -> Decimal:
    """Whole dollars: a map cell is a relative size, and most cells are empty."""
    return ZERO if value < 0.5 else Decimal(int(value + 0.5))


def _edges(price: Decimal, path: list[Decimal], step: Decimal) -> list[float]:
    seen = [price, *path]
    span = MAP_SPAN * price
    low = max(Decimal(0), (min(seen) - span) // step * step)
    high = (max(seen) + span) // step * step + step
    count = int((high - low) / step)
    return [float(low + step * i) for i in range(count + 1)]


class EstimateSource:
    """Fetches (and keeps for a minute) the inputs of a coin's estimate."""

    def __init__(self, okx: OkxClient, stats: OkxStats, cache: ResilientCache, kind: str) -> None:
        self._okx = okx
        self._stats = stats
        self._cache = cache
        self._kind = kind

    async def inputs(self, inst: Instrument) -> EstimateInputs:
        cached = await self._cache.get_or_fetch(
            self._kind,
            f"estimate-inputs:{inst.base}",
            EstimateInputs,
            INPUTS_TTL_SECONDS,
            lambda: self._fetch(inst),
        )
        return cached.value

    async def _fetch(self, inst: Instrument) -> EstimateInputs:
        fine, coarse = await asyncio.gather(
            self._series(inst, FINE[0]), self._series(inst, COARSE[0]), return_exceptions=True
        )
        if isinstance(fine, BaseException) and isinstance(coarse, BaseException):
            if isinstance(fine, VendorError):
                raise fine
            raise BadResponseError(VENDOR, "oi_history", "no open interest history")
        for got in (fine, coarse):
            if isinstance(got, BaseException) and not isinstance(got, VendorError):
                raise got  # a bug of ours, not the vendor's: let it be seen
        return EstimateInputs(
            coin=inst.base,
            fine=fine if isinstance(fine, Series) else None,
            coarse=coarse if isinstance(coarse, Series) else None,
        )

    async def _series(self, inst: Instrument, period: str) -> Series:
        oi, taker, bars = await asyncio.gather(
            self._stats.open_interest_history(inst, period, ROWS),
            self._taker(inst, period),
            self._okx.candles(inst.spot(), period, limit=ROWS),
        )
        if len(oi) < 2:
            raise BadResponseError(VENDOR, "oi_history", "fewer than two points")
        return Series(
            period=period,
            oi=oi,
            taker=taker,
            bars=[
                Bar(at=c.ts, high=float(c.high), low=float(c.low), close=float(c.close))
                for c in bars
            ],
        )

    async def _taker(self, inst: Instrument, period: str) -> list[TakerPoint]:
        try:
            return await self._stats.taker_volume(inst, period, ROWS)
        except VendorError:
            return []  # longs and shorts are then split evenly: an input, not the map
