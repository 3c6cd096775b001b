"""Spot-ETF net flows: CoinGlass only (no free source exists; the answer says so)."""

from __future__ import annotations

from services.kernel.cache import ResilientCache
from services.kernel.models import EtfFlows
from services.kernel.modules import Module
from services.kernel.sources import ask, read_chain, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.market.parts import MarketParts
from services.vendors.coinglass import ETF_COINS, CoinGlassClient
from services.vendors.coinglass import SOURCE as COINGLASS

MODULE = Module.ETF
ETF_WORDS = {coin: word for word, coin in ETF_COINS.items()}  # "ETH" -> "ethereum"


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
        return await self._flows("bitcoin")

    async def for_coin(self, coin: str) -> EtfFlows:
        """The coin's own spot-ETF flows where such ETFs exist (BTC, ETH, SOL, XRP); for any
        other coin, Bitcoin's: a market-wide input, which the flows' `asset` says."""
        return await self._flows(ETF_WORDS.get(coin.upper(), "bitcoin"))

    async def _flows(self, asset: str) -> EtfFlows:
        await self._flags.require(Flag.ETF)
        return await read_through(
            self._cache,
            self._status,
            MODULE,
            f"etf:{asset}",
            EtfFlows,
            self._ttl,
            lambda: self._fetch(asset),
        )

    async def _fetch(self, asset: str) -> EtfFlows:
        got = await read_chain(
            self._status, MODULE, {COINGLASS: lambda: self._coinglass.etf_flows(asset)}, ask
        )
        return got.value


def build(parts: MarketParts) -> EtfService:
    return EtfService(
        parts.vendors.get(CoinGlassClient),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.etf_cache_ttl_seconds,
    )
