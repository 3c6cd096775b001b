"""Spot-ETF net flows: CoinGlass only (no free source exists; the answer says so)."""

from __future__ import annotations

from services.flags import Flag, FlagService
from services.models import EtfFlows
from services.providers.coinglass import SOURCE as COINGLASS
from services.providers.coinglass import CoinGlassClient
from services.resilience.cache import ResilientCache
from services.sources import Source, paid_then_free
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
        cached = await self._cache.get_or_fetch(
            MODULE, "etf:bitcoin", EtfFlows, self._ttl, self._fetch
        )
        if cached.stale:
            self._status.degraded(MODULE, COINGLASS, f"stale: {cached.error}")
            return cached.value.model_copy(update={"stale": True})
        return cached.value

    async def _fetch(self) -> EtfFlows:
        got = await paid_then_free(
            self._status, MODULE, Source(COINGLASS, self._coinglass.etf_flows), None
        )
        return got.value
