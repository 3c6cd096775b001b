"""Spot-ETF net flows: CoinGlass only (no free source exists; the answer says so)."""

from __future__ import annotations

from services.kernel.cache import ResilientCache
from services.kernel.models import EtfFlows
from services.kernel.modules import Module
from services.kernel.sources import Source, paid_then_free, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.market.parts import MarketParts
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass import CoinGlassClient

MODULE = Module.ETF


class EtfService:
    def __init__(
        self,
        coinglass: CoinGlassClient,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._coinglass = coinglass
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module (BTC's flows, whatever the coin)."""
        return await self.bitcoin()

    async def bitcoin(self) -> EtfFlows:
        await self._flags.require(Flag.ETF)
        return await read_through(
            self._cache, self._status, MODULE, "etf:bitcoin", EtfFlows, self._ttl, self._fetch
        )

    async def _fetch(self) -> EtfFlows:
        got = await paid_then_free(
            self._status, MODULE, Source(COINGLASS, self._coinglass.etf_flows), None
        )
        return got.value


def build(parts: MarketParts) -> EtfService:
    return EtfService(
        parts.vendors.coinglass,
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.etf_cache_ttl_seconds,
    )
