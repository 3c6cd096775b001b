"""Spot order book: OKX first, Binance as the free fallback, or the exchange the user named."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
)
from services.kernel.hedge import BothFailed, hedged
from services.kernel.models import OrderBook
from services.kernel.modules import Module
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.market.orderbook.analysis import BookAnalysis, analyse
from services.market.parts import MarketParts
from services.vendors.binance import SOURCE as BINANCE
from services.vendors.binance import BinanceClient
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_symbols import okx_inst_id

MODULE = Module.SPOT_OB


class Exchange(StrEnum):
    OKX = "okx"
    BINANCE = "binance"


def parse_exchange(text: str | None) -> Exchange | None:
    return parse_choice(text, Exchange)


class OrderBookReport(BaseModel):
    book: OrderBook
    analysis: BookAnalysis


class OrderBookService:
    def __init__(
        self,
        okx: OkxClient,
        binance: BinanceClient,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._flags = flags
        self._okx = okx
        self._binance = binance
        self._cache = cache
        self._status = status
        self._ttl = ttl_seconds
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module."""
        return await self.report(inst)

    async def report(self, inst: Instrument, exchange: Exchange | None = None) -> OrderBookReport:
        await self._flags.require(Flag.SPOT_OB)  # switched off: no vendor call at all
        spot = inst.spot()
        key = f"book:{exchange or 'auto'}:{okx_inst_id(spot)}"
        try:
            book = await read_through(
                self._cache,
                self._status,
                MODULE,
                key,
                OrderBook,
                self._ttl,
                lambda: self._fetch(spot, exchange),
            )
        except UnknownInstrumentError:
            raise SymbolError(spot.display, "unknown") from None
        analysis = analyse(book)
        if analysis is None:
            # Both sides present but nothing readable near the price: not an answer either.
            self._status.unavailable(
                MODULE, Reason.BAD_DATA, f"{book.source} unusable book", by=book.source
            )
            raise DataUnavailableError(MODULE, [(book.source, Reason.BAD_DATA)])
        return OrderBookReport(book=book, analysis=analysis)

    async def _fetch(self, inst: Instrument, exchange: Exchange | None) -> OrderBook:
        if exchange is Exchange.BINANCE:
            return await self._only(BINANCE, self._binance.depth, inst)
        if exchange is Exchange.OKX:
            return await self._only(OKX, self._okx.books, inst)
        try:
            got = await hedged(
                OKX,
                lambda: self._okx.books(inst),
                lambda: self._binance.depth(inst),
                fallback_name=BINANCE,
                final=(UnknownInstrumentError,),
            )
        except BothFailed as both:
            # Binance not listing a pair OKX vouched for is a failed fallback, not an unknown
            # symbol.
            okx_reason = both.primary.reason
            self._status.unavailable(MODULE, okx_reason, f"OKX {okx_reason}", by=OKX)
            raise DataUnavailableError(
                MODULE, [(OKX, okx_reason), (BINANCE, both.fallback.reason)]
            ) from None
        if got.primary_error is None:
            self._status.ok(MODULE, OKX)
            return got.value
        why = f"OKX {got.primary_error.reason.value}"
        self._status.degraded(MODULE, BINANCE, f"fallback: {why}", got.primary_error.reason, by=OKX)
        return got.value.model_copy(update={"fallback_reason": why})

    async def _only(
        self, source: str, fetch: Callable[[Instrument], Awaitable[OrderBook]], inst: Instrument
    ) -> OrderBook:
        """The exchange the user named, and no other."""
        try:
            book = await fetch(inst)
        except UnknownInstrumentError:
            raise
        except VendorError as error:
            raise DataUnavailableError(MODULE, [(source, error.reason)]) from None
        self._status.ok(MODULE, source)
        return book


def build(parts: MarketParts) -> OrderBookService:
    return OrderBookService(
        parts.vendors.get(OkxClient),
        parts.vendors.get(BinanceClient),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.orderbook_cache_ttl_ms / 1000,
    )
