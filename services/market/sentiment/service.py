"""Sentiment: CoinGlass Fear & Greed with a key, alternative.me (free) otherwise."""

from __future__ import annotations

from services.kernel.cache import ResilientCache
from services.kernel.models import Sentiment
from services.kernel.modules import Module
from services.kernel.sources import ask, read_chain, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.market.parts import MarketParts
from services.vendors.alternative_me import SOURCE as FNG
from services.vendors.alternative_me import FearGreedClient
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass import CoinGlassClient

MODULE = Module.SENTIMENT


class SentimentService:
    def __init__(
        self,
        coinglass: CoinGlassClient,
        fng: FearGreedClient,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._coinglass = coinglass
        self._fng = fng
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module (the index is market-wide)."""
        return await self.current()

    async def current(self) -> Sentiment:
        await self._flags.require(Flag.SENTIMENT)
        return await read_through(
            self._cache, self._status, MODULE, "sentiment", Sentiment, self._ttl, self._fetch
        )

    async def _fetch(self) -> Sentiment:
        got = await read_chain(
            self._status,
            MODULE,
            {COINGLASS: self._coinglass.fear_greed, FNG: self._fng.index},
            ask,
        )
        return got.value.model_copy(update={"fallback_reason": got.fallback_reason})


def build(parts: MarketParts) -> SentimentService:
    return SentimentService(
        parts.vendors.get(CoinGlassClient),
        parts.vendors.get(FearGreedClient),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.sentiment_cache_ttl_seconds,
    )
