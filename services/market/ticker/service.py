"""Ticker: OKX is the truth; CoinAPI answers only when OKX fails and a key is set.

OKX is read through one bulk snapshot per kind (snapshot.py), so any number of symbols costs
the same few upstream calls; each symbol's answer is still cached and reported on its own."""

from __future__ import annotations

from decimal import Decimal

from loguru import logger

from services.kernel.bounds import PRICE_MAX
from services.kernel.cache import ResilientCache
from services.kernel.errors import (
    DataUnavailableError,
    SymbolError,
    UnknownInstrumentError,
    wait_asked,
)
from services.kernel.hedge import BothFailed, hedged
from services.kernel.models import Ticker
from services.kernel.modules import Module
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.parts import MarketParts
from services.market.ticker.snapshot import TickerSnapshots
from services.vendors.coinapi import SOURCE as COINAPI
from services.vendors.coinapi import CoinApiClient
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_symbols import okx_inst_id

MODULE = Module.TICKER


class TickerService:
    def __init__(
        self,
        okx: OkxClient,
        coinapi: CoinApiClient,
        cache: ResilientCache,
        status: StatusRegistry,
        ttl_seconds: float,
    ) -> None:
        self.snapshots = TickerSnapshots(okx, ttl_seconds)
        self._coinapi = coinapi
        self._cache = cache
        self._status = status
        self._ttl = ttl_seconds
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module."""
        return await self.ticker(inst)

    async def ticker(self, inst: Instrument) -> Ticker:
        key = f"ticker:{okx_inst_id(inst)}"
        try:
            return await read_through(
                self._cache, self._status, MODULE, key, Ticker, self._ttl, lambda: self._fetch(inst)
            )
        except UnknownInstrumentError:
            raise SymbolError(inst.display, "unknown") from None

    async def _fetch(self, inst: Instrument) -> Ticker:
        try:
            got = await hedged(
                OKX,
                lambda: self.snapshots.ticker(inst),
                lambda: self._coinapi.ticker(inst),
                fallback_name=COINAPI,
                final=(UnknownInstrumentError,),
            )
        except BothFailed as both:
            okx_error = both.primary
            # CoinAPI not knowing a pair OKX could not answer for: it does not cover it.
            coinapi_reason = both.fallback.reason
            self._status.unavailable(
                MODULE, okx_error.reason, f"OKX {okx_error.reason.value}", by=OKX
            )
            raise DataUnavailableError(
                MODULE,
                [(OKX, okx_error.reason), (COINAPI, coinapi_reason)],
                wait_asked(okx_error),
            ) from None
        if got.primary_error is None:
            self._status.ok(MODULE, OKX)
            return got.value
        why = f"OKX {got.primary_error.reason.value}"
        logger.warning("ticker: {}, answered by CoinAPI", why)
        self._status.degraded(MODULE, COINAPI, f"fallback: {why}", got.primary_error.reason, by=OKX)
        return got.value.model_copy(update={"fallback_reason": why})


async def lasts(service: TickerService, inst_ids: set[str]) -> dict[str, Decimal]:
    """The last price of every instrument asked, from OKX's bulk lists: one call per kind
    (spot, swap) whatever their number. An instrument missing from the list, or with a price
    out of bounds, is left out; a failed list raises (the caller waits for its next pass)."""
    found: dict[str, Decimal] = {}
    for kind in sorted({"SWAP" if i.endswith("-SWAP") else "SPOT" for i in inst_ids}):
        rows = await service.snapshots.rows(kind)
        for inst_id in inst_ids:
            row = rows.get(inst_id)
            if row is None:
                continue
            try:
                last = Decimal(str(row.get("last")))
            except ArithmeticError:
                continue
            if last.is_finite() and 0 < last < PRICE_MAX:
                found[inst_id] = last
    return found


def build(parts: MarketParts) -> TickerService:
    return TickerService(
        parts.vendors.get(OkxClient),
        parts.vendors.get(CoinApiClient),
        parts.cache,
        parts.status,
        parts.settings.ticker_cache_ttl_ms / 1000,
    )
