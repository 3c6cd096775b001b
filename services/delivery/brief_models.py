"""What a chat's daily brief carries: its watchlist's prices and 24 h change, funding and open
interest where the derivatives modules run, the ETF flow, sentiment, the bot's calls of the
last day with their outcomes, what was held and muted, and which modules were missing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.kernel.models import EtfDay, Sentiment
from services.signals.track_record import ReplayLine


class BriefCoin(BaseModel):
    coin: str
    price: Decimal | None = None
    change_24h_pct: Decimal | None = None
    funding_8h: Decimal | None = None  # a fraction per 8 h
    oi_24h_pct: Decimal | None = None  # open interest in coins over 24 h
    source: str = "OKX"
    idr: Decimal | None = None  # for a chat quoting in rupiah
    idr_source: str | None = None  # "Indodax", or "OKX × Indodax USDT/IDR"


class Brief(BaseModel):
    day: str  # the chat's local date
    coins: list[BriefCoin]
    etf: EtfDay | None = None  # the latest day of the spot bitcoin ETFs' net flow
    etf_source: str | None = None
    sentiment: Sentiment | None = None
    calls: list[ReplayLine] = Field(default_factory=list)  # the last 24 h, with outcomes
    held: int = 0  # pushes held by quiet hours, not yet released
    muted: int = 0  # pushes muted over the last 24 h
    missing: list[str] = Field(default_factory=list)  # modules that could not be read
    as_of: datetime
