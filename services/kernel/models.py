"""Domain models shared by services and rendering. Every market answer carries its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.kernel.bounds import Amount, Moment, Price, Quote, Score, Usd
from services.kernel.errors import Reason
from services.kernel.symbols import Instrument


class Provenance(BaseModel):
    """Where an answer's numbers came from and how fresh they are: every market answer carries
    it, and its footer says it."""

    source: str
    as_of: Moment
    stale: bool = False  # an old copy, served because the source failed or was slow
    # Why only an old copy could be had, and the source that reason is about ("OKX" not
    # answering); None in copies stored before it was kept.
    stale_reason: Reason | None = None
    stale_by: str | None = None
    fallback_reason: str | None = None  # "OKX timeout" when a fallback source answered


class Ticker(Provenance):
    instrument: Instrument
    last: Price
    open_24h: Quote | None = None
    high_24h: Quote | None = None
    low_24h: Quote | None = None
    volume_base: Amount | None = None
    volume_quote: Amount | None = None
    bid: Quote | None = None
    ask: Quote | None = None

    @property
    def change_24h_pct(self) -> Decimal | None:
        if self.open_24h is None or self.open_24h == 0:
            return None
        return (self.last - self.open_24h) / self.open_24h * 100


class BookLevel(BaseModel):
    price: Price
    size: Amount  # in the base coin


class OrderBook(Provenance):
    """Bids best (highest) first, asks best (lowest) first."""

    instrument: Instrument
    bids: list[BookLevel]
    asks: list[BookLevel]


class Sentiment(Provenance):
    """Fear & Greed, 0 (extreme fear) to 100 (extreme greed)."""

    score: Score
    label: str | None  # the vendor's own words; None when it gives none
    previous: Score | None = None  # the day before


class EtfDay(BaseModel):
    day: Moment  # midnight UTC of the trading day
    net_flow_usd: Usd
    reported: int  # ETFs with a figure that day
    total: int  # ETFs listed that day


class EtfFlows(Provenance):
    asset: str  # "BTC"
    days: list[EtfDay] = Field(min_length=1)  # oldest first; none at all is a broken answer


class Liquidation(BaseModel):
    """One realized liquidation. `side` is the position that was closed out."""

    coin: str
    side: str  # "long" or "short"
    price: Price  # bankruptcy price
    size_coin: Amount
    usd: Amount
    at: Moment


class HeatmapGrid(BaseModel):
    """CoinGlass model1: `cells` are (x candle index, y price index, usd)."""

    y_axis: list[Price] = Field(min_length=1)
    cells: list[tuple[int, int, Amount]]
    candle_count: int
    last_close: Price | None
    last_time: Moment | None
    path: list[tuple[Moment, Price]] = []  # each candle's open time and close: the time axis


class OptionOI(BaseModel):
    """Open interest of one option, in coins."""

    expiry: date
    strike: Price
    is_call: bool
    oi_coin: Amount


class InstrumentIds(BaseModel):
    """Instrument ids a vendor lists (OKX `instId`s), for symbol validation."""

    inst_ids: list[str]
    ticks: dict[str, str] = {}  # instId -> its price tick (tickSz); empty in older copies


@dataclass(frozen=True, slots=True)
class Candle:
    """One OKX 1-minute candle: opened at `ts` (UTC, aware), closed one minute later."""

    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None  # in the base coin; not kept where only prices matter
