"""/chart: a coin's OKX candles (free) for one timeframe, cached like the ticker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.cache import ResilientCache
from services.kernel.errors import (
    DataUnavailableError,
    Reason,
    SymbolError,
    UnknownInstrumentError,
    VendorError,
    parse_choice,
    wait_asked,
)
from services.kernel.models import Candle, Provenance
from services.kernel.modules import Module
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_symbols import okx_inst_id

BARS = 96  # four days of hours, eight hours of 5m bars: enough to read, few enough to see


class Bar(StrEnum):
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"

    @property
    def okx(self) -> str:
        """OKX's name for it; its days start at 00:00 UTC, not Hong Kong's midnight."""
        return {"1h": "1H", "4h": "4H", "1d": "1Dutc"}.get(self.value, self.value)

    @property
    def seconds(self) -> int:
        return {"5m": 300, "15m": 900, "1h": 3600, "4h": 14_400, "1d": 86_400}[self.value]


def parse_bar(text: str | None) -> Bar:
    return parse_choice(text, Bar) or Bar.H1


class CandleBar(BaseModel):
    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None


class CandleReport(Provenance):
    instrument: Instrument
    bar: Bar
    candles: list[CandleBar]  # oldest first; the last may still be forming


class PriceCharts:
    """Candles through the price module's cache and status: OKX failing is the price module
    failing, and a burst of /chart for one coin and bar costs one call."""

    def __init__(self, okx: OkxClient, cache: ResilientCache, status: StatusRegistry) -> None:
        self._okx = okx
        self._cache = cache
        self._status = status

    async def chart(self, inst: Instrument, bar: Bar) -> CandleReport:
        key = f"candles:{okx_inst_id(inst.spot())}:{bar.value}"
        ttl = min(60.0, bar.seconds / 10)  # a new bar closes every bar.seconds
        return await self._read(inst, key, ttl, lambda: self._fetch(inst.spot(), bar))

    async def span(self, inst: Instrument, bar: Bar, days: int, pages: int) -> CandleReport:
        """The instrument's own closed bars (a perpetual's, not its spot pair's) over the last
        `days`, as far back as `pages` calls reach (the report's first bar says how far), kept
        a while: the alerts' dry-run and their history read it, through the price module's
        cache and status as /chart does."""
        key = f"span:{okx_inst_id(inst)}:{bar.value}:{days}:{pages}"
        ttl = min(600.0, float(bar.seconds))  # a new bar closes every bar.seconds
        return await self._read(inst, key, ttl, lambda: self._fetch_span(inst, bar, days, pages))

    async def _read(
        self,
        inst: Instrument,
        key: str,
        ttl: float,
        fetch: Callable[[], Awaitable[CandleReport]],
    ) -> CandleReport:
        try:
            return await read_through(
                self._cache, self._status, Module.TICKER, key, CandleReport, ttl, fetch
            )
        except UnknownInstrumentError:
            raise SymbolError(inst.display, "unknown") from None

    async def _fetch_span(self, inst: Instrument, bar: Bar, days: int, pages: int) -> CandleReport:
        now = datetime.now(UTC)
        try:
            rows = await self._okx.candles_range(
                inst, now - timedelta(days=days), now, bar=bar.okx, pages=pages, own=True
            )
        except UnknownInstrumentError:
            raise
        except VendorError as exc:
            raise DataUnavailableError(
                Module.TICKER, [(OKX, exc.reason)], wait_asked(exc)
            ) from None
        return _report(inst, bar, rows)

    async def _fetch(self, inst: Instrument, bar: Bar) -> CandleReport:
        try:
            # The bar still forming too: a price chart ends at the price, as any chart does.
            rows = await self._okx.candles(inst, bar.okx, limit=BARS, forming=True)
        except UnknownInstrumentError:
            raise
        except VendorError as exc:
            raise DataUnavailableError(
                Module.TICKER, [(OKX, exc.reason)], wait_asked(exc)
            ) from None
        if not rows:  # a listed pair with no bar: nothing to draw, not "no such coin"
            raise DataUnavailableError(Module.TICKER, [(OKX, Reason.BAD_DATA)])
        return _report(inst, bar, rows)


def _report(inst: Instrument, bar: Bar, rows: list[Candle]) -> CandleReport:
    return CandleReport(
        instrument=inst,
        bar=bar,
        candles=[
            CandleBar(ts=c.ts, open=c.open, high=c.high, low=c.low, close=c.close, volume=c.volume)
            for c in rows
        ],
        source=OKX,
        as_of=datetime.now(UTC),
    )
