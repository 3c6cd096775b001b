"""Prices in rupiah for the chats that quote in IDR: a coin's own rupiah market on Indodax where it
has one, else its OKX price in USDT times Indodax's USDT/IDR rate; every quote says which.

Indodax gives every pair in one call, kept for `ttl` seconds and asked once however many coins
and chats want it at that moment (a singleflight); when it fails, the last copy still serves for
`stale_seconds`, marked stale. Not a data module: nothing but this conversion reads it, and a
chat quoting USDT never asks it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.errors import DataUnavailableError, Reason, VendorError
from services.kernel.singleflight import FlightTimeout, SingleFlight
from services.vendors.indodax import SOURCE, IdrTicker, IndodaxClient

RATE_PAIR = "USDT"


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


class RupiahService:
    def __init__(
        self,
        indodax: IndodaxClient,
        ttl_seconds: float = 30.0,
        stale_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._indodax = indodax
        self._ttl = ttl_seconds
        self._stale = stale_seconds
        self._clock = clock
        self._kept: tuple[float, dict[str, IdrTicker]] | None = None
        self._flights: SingleFlight[dict[str, IdrTicker]] = SingleFlight()

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
            raise DataUnavailableError("rupiah", [(SOURCE, Reason.MISSING)])
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
        except DataUnavailableError:
            return InRupiah()

    async def _tickers(self) -> tuple[dict[str, IdrTicker], bool]:
        kept = self._kept
        if kept is not None and self._clock() - kept[0] < self._ttl:
            return kept[1], False
        try:
            tickers, _shared = await self._flights.do("ticker_all", self._indodax.tickers)
        except (VendorError, FlightTimeout) as exc:
            if kept is not None and self._clock() - kept[0] < self._stale:
                return kept[1], True
            reason = exc.reason if isinstance(exc, VendorError) else Reason.TIMEOUT
            raise DataUnavailableError("rupiah", [(SOURCE, reason)]) from exc
        self._kept = (self._clock(), tickers)
        return tickers, False
