"""Prices in rupiah for the chats that quote in IDR: a coin's own rupiah market on Indodax where it
has one, else its OKX price in USDT times Indodax's USDT/IDR rate; every quote says which.

Indodax gives every pair in one call, kept in the shared cache (services/kernel/cache.py) for
`ttl` seconds and asked once however many coins and chats want it at that moment; when it fails
or is slow past a chat's deadline, the last copy still serves for STALE_MAX_AGE_SECONDS, marked
stale. Not a data module: nothing but this conversion reads it, and a
chat quoting USDT never asks it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.cache import ResilientCache
from services.kernel.errors import DataUnavailableError, Reason, UpstreamError
from services.vendors.indodax import SOURCE, IdrTicker, IndodaxClient

RATE_PAIR = "USDT"
KIND = "rupiah"  # its cache's kind (metrics), and the name of what was unavailable


class RupiahQuote(BaseModel):
    coin: str
    idr: Decimal
    market: bool  # True: the coin's own rupiah market; False: USDT price x the USDT/IDR rate
    rate: Decimal | None = None  # the USDT/IDR rate used, when converted
    source: str  # "Indodax", or "OKX × Indodax USDT/IDR"
    as_of: datetime
    stale: bool = False


class InRupiah(BaseModel):
    """A rupiah line for an answer: the quote, or that it was asked for and could not be had."""

    quote: RupiahQuote | None = None


class IdrBoard(BaseModel):
    """Indodax's every rupiah pair, by coin: what the cache keeps."""

    tickers: dict[str, IdrTicker]


class RupiahService:
    def __init__(self, indodax: IndodaxClient, cache: ResilientCache, ttl_seconds: float = 30.0):
        self._indodax = indodax
        self._cache = cache
        self._ttl = ttl_seconds

    async def quote(self, coin: str, usdt_price: Decimal | None) -> RupiahQuote:
        """`usdt_price`: the coin's price in USDT (OKX), for a coin without a rupiah market.
        DataUnavailableError when neither way can be had."""
        tickers, stale = await self._tickers()
        own = tickers.get(coin.upper())
        if own is not None:
            return RupiahQuote(
                coin=coin, idr=own.last, market=True, source=SOURCE, as_of=own.as_of, stale=stale
            )
        rate = tickers.get(RATE_PAIR)
        if rate is None or usdt_price is None:
            raise DataUnavailableError(KIND, [(SOURCE, Reason.MISSING)])
        return RupiahQuote(
            coin=coin,
            idr=usdt_price * rate.last,
            market=False,
            rate=rate.last,
            source=f"OKX × {SOURCE} USDT/IDR",
            as_of=rate.as_of,
            stale=stale,
        )

    async def line(self, coin: str, usdt_price: Decimal | None) -> InRupiah:
        """`quote` for an answer, which says "unavailable" rather than fail for it."""
        try:
            return InRupiah(quote=await self.quote(coin, usdt_price))
        except UpstreamError:
            return InRupiah()

    async def _tickers(self) -> tuple[dict[str, IdrTicker], bool]:
        """The cache every answer shares (and the fleet, with Redis): fresh for `ttl`, then
        refreshed once for all who ask; an old copy, marked, when Indodax fails or is slow."""

        async def fetch() -> IdrBoard:
            return IdrBoard(tickers=await self._indodax.tickers())

        got = await self._cache.get_or_fetch(KIND, "indodax:ticker_all", IdrBoard, self._ttl, fetch)
        return got.value.tickers, got.stale
