"""`/ticker SOL ETH BTC`: several coins' prices in one answer, each coin failing on its own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.kernel.errors import SymbolError, UpstreamError
from services.kernel.models import Ticker
from services.market.instruments import InstrumentCatalog
from services.market.ticker.service import TickerService


@dataclass(frozen=True)
class Quote:
    text: str  # what the user wrote for it
    ticker: Ticker | None = None
    unknown: SymbolError | None = None  # not a coin we can answer for
    failed: UpstreamError | None = None  # a coin whose price could not be had now


async def board(
    catalog: InstrumentCatalog, tickers: TickerService, texts: list[str]
) -> list[Quote]:
    """Every coin asked at once (one cache and singleflight per coin, as a lone /ticker)."""

    async def one(text: str) -> Quote:
        try:
            return Quote(text, ticker=await tickers.ticker(await catalog.resolve(text)))
        except SymbolError as exc:
            return Quote(text, unknown=exc)
        except UpstreamError as exc:
            return Quote(text, failed=exc)

    return list(await asyncio.gather(*(one(text) for text in texts)))
