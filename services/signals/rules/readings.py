"""What the alerts on a perpetual's funding and open interest are judged on, read for the alert
pass: each new settlement of funding (the rate paid, in % per 8 h, once), each new reading of
open interest (in coins, with its value a window before). The dry-run (review.py) reads the
same points over the past through `funding_points`.

Funding is judged at settlement, not on the predicted rate that moves all period: an alert
"funding > 0.05%" is about what longs paid, and it is told once per settlement. A settlement
found after a restart, up to the week the funding answer reads, is judged then: the last one
judged is kept with the alert pass's marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from loguru import logger

from services.kernel.errors import SymbolError, UpstreamError
from services.kernel.rule_model import PREVIOUS, WINDOWS, Metric, split_key
from services.kernel.symbols import parse_symbol
from services.market.flags import ModuleDisabledError
from services.market.funding.service import FundingService, Settlement
from services.market.oi.reading import point_at
from services.market.oi.service import OiService

# The intervals OKX settles funding at (VENDORS.md: 8 h, adjusted to 6, 4, 2 or 1 h).
INTERVALS = (Decimal(1), Decimal(2), Decimal(4), Decimal(6), Decimal(8))
HOURS_8 = Decimal(8)


def funding_points(
    paid: Sequence[Settlement], interval_hours: Decimal
) -> list[tuple[datetime, Decimal]]:
    """Each settlement's rate in % per 8 h: a contract settling every 4 h pays half as much a
    settlement as one settling every 8 h at the same cost, so a level means one thing for both.
    A settlement's interval is the time since the one before when that is an interval OKX
    uses (the first, or one after a gap in the rows: the contract's interval now)."""
    points, before = [], None
    for settlement in paid:
        hours = interval_hours
        if before is not None:
            gap = Decimal((settlement.at - before).total_seconds()) / 3600
            hours = gap if gap in INTERVALS else interval_hours
        points.append((settlement.at, settlement.rate * 100 * HOURS_8 / hours))
        before = settlement.at
    return points


@dataclass
class Batch:
    """One reading the engine judges: a key's value when it was read, and its starts."""

    key: str
    value: Decimal | None  # None: nothing to judge, only the last settlement to keep
    at: datetime  # when it was read (a settlement's time): an alert set after skips it
    starts: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    source: str = ""
    settled: bool = False  # a funding settlement: kept as the last judged once written


class DerivReadings:
    def __init__(self, funding: FundingService, oi: OiService) -> None:
        self._funding = funding
        self._oi = oi
        self._judged: dict[str, datetime] = {}  # funding key -> the last settlement judged
        self._signed: dict[str, Decimal] = {}  # funding key -> the last rate with a sign
        self._read_at: dict[str, datetime] = {}  # open interest key -> its reading judged

    async def batches(
        self,
        keys: Iterable[str],
        windows: dict[str, set[str]],
        marks: dict[str, tuple[datetime, Decimal]],
    ) -> list[Batch]:
        """What is new since the last pass, oldest settlement first. A key whose module is
        off or failing is left for the next pass (the module's status says why)."""
        found: list[Batch] = []
        keys = set(keys)
        for gone in [k for k in (*self._judged, *self._read_at) if k not in keys]:
            # No alert reads it any more: a later one starts from the settlements after it.
            self._judged.pop(gone, None)
            self._signed.pop(gone, None)
            self._read_at.pop(gone, None)
        for key in sorted(keys):
            metric, symbol = split_key(key)
            try:
                if metric is Metric.FUNDING:
                    found += await self._settlements(key, symbol, marks.get(key))
                elif metric is Metric.OI:
                    found += await self._interest(key, symbol, windows.get(key, set()))
            except (UpstreamError, SymbolError, ModuleDisabledError) as exc:  # judged later
                logger.info("alerts: {} not read this pass: {}", key, exc)
        return found

    async def _settlements(
        self, key: str, symbol: str, mark: tuple[datetime, Decimal] | None
    ) -> list[Batch]:
        report = await self._funding.report(parse_symbol(symbol))
        points = funding_points(report.paid, report.now.interval_hours)
        if not points:
            return []
        batches = []
        if key not in self._judged:
            # First look since the start: from the mark after a restart (a settlement while
            # down is judged now); without one, from the last settlement, kept as the mark.
            last_at = points[-1][0]
            self._judged[key] = mark[0] if mark is not None else last_at
            if mark is None:
                batches.append(Batch(key, None, last_at, source=report.source, settled=True))
            for at, rate in points:
                if at <= self._judged[key] and rate != 0:
                    self._signed[key] = rate
        for at, rate in points:
            if at <= self._judged[key]:
                continue
            starts = {(key, PREVIOUS): self._signed[key]} if key in self._signed else {}
            batches.append(Batch(key, rate, at, starts, report.source, settled=True))
            self._judged[key] = at
            if rate != 0:
                self._signed[key] = rate
        return batches

    async def _interest(self, key: str, symbol: str, windows: set[str]) -> list[Batch]:
        track = await self._oi.track(parse_symbol(symbol))
        now = track.now
        if self._read_at.get(key) == now.at:
            return []  # the same reading as last pass: nothing new to judge
        self._read_at[key] = now.at
        starts = {}
        for window in windows:
            length = WINDOWS[window]
            then = point_at(track.history, now.at - length, length / 4)
            if then is not None and then.coins > 0:
                starts[(key, window)] = then.coins
        return [Batch(key, now.coins, now.at, starts, track.source)]
