"""Domain models shared by services and rendering. Every market answer carries its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.symbols import Instrument


class Ticker(BaseModel):
    instrument: Instrument
    last: Decimal
    open_24h: Decimal | None = None
    high_24h: Decimal | None = None
    low_24h: Decimal | None = None
    volume_base: Decimal | None = None
    volume_quote: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    source: str
    as_of: datetime
    stale: bool = False
    fallback: bool = False  # served by a fallback source, not the source of truth
    fallback_reason: str | None = None

    @property
    def change_24h_pct(self) -> Decimal | None:
        if self.open_24h is None or self.open_24h == 0:
            return None
        return (self.last - self.open_24h) / self.open_24h * 100


class BookLevel(BaseModel):
    price: Decimal
    size: Decimal  # in the base coin


class OrderBook(BaseModel):
    """Bids best (highest) first, asks best (lowest) first."""

    instrument: Instrument
    bids: list[BookLevel]
    asks: list[BookLevel]
    source: str
    as_of: datetime
    stale: bool = False
    fallback_reason: str | None = None


class Sentiment(BaseModel):
    """Fear & Greed, 0 (extreme fear) to 100 (extreme greed)."""

    score: int
    label: str | None  # the vendor's own words; None when it gives none
    previous: int | None = None  # the day before
    source: str
    as_of: datetime
    stale: bool = False
    fallback_reason: str | None = None


class EtfDay(BaseModel):
    day: datetime  # midnight UTC of the trading day
    net_flow_usd: Decimal
    reported: int  # ETFs with a figure that day
    total: int  # ETFs listed that day


class EtfFlows(BaseModel):
    asset: str  # "BTC"
    days: list[EtfDay]  # oldest first
    source: str
    as_of: datetime
    stale: bool = False


class Liquidation(BaseModel):
    """One realized liquidation. `side` is the position that was closed out."""

    coin: str
    side: str  # "long" or "short"
    price: Decimal  # bankruptcy price
    size_coin: Decimal
    usd: Decimal
    at: datetime


class HeatmapGrid(BaseModel):
    """CoinGlass model1: `cells` are (x candle index, y price index, usd)."""

    y_axis: list[Decimal]
    cells: list[tuple[int, int, Decimal]]
    candle_count: int
    last_close: Decimal | None
    last_time: datetime | None


class InstrumentIds(BaseModel):
    """Instrument ids a vendor lists (OKX `instId`s), for symbol validation."""

    inst_ids: list[str]


@dataclass(frozen=True, slots=True)
class Candle:
    """One OKX 1-minute candle: opened at `ts` (UTC, aware), closed one minute later."""

    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
