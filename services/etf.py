"""Spot-ETF net flows: CoinGlass only (no free source exists; the answer says so)."""

from __future__ import annotations

from services.flags import Flag, FlagService
from services.models import EtfFlows
from services.providers.coinglass import SOURCE as COINGLASS
from services.providers.coinglass import CoinGlassClient
from services.resilience.cache import ResilientCache
from services.sources import Source, paid_then_free, read_through
from services.status import StatusRegistry

MODULE = "etf"


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
