"""Whales: CoinGlass Hyperliquid alerts with a key, else large OKX trades (free)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from services.kernel.cache import ResilientCache
from services.kernel.errors import UpstreamError
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import ask, read_chain, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument, Market
from services.market.contracts import contract_values
from services.market.flags import Flag, FlagService
from services.market.parts import MarketParts
from services.market.whale.analysis import (
    WhaleEvent,
    WhaleFlow,
    WhaleRule,
    whale_flow,
    whale_positions,
    whale_trades,
)
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass import CoinGlassClient
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_rows import ContractValues

MODULE = Module.WHALE


class WhaleReport(Provenance):
    coins: list[str]
    threshold: Decimal
    events: list[WhaleEvent]  # newest first

    def at_least(self, minimum: Decimal | None) -> WhaleReport:
        """What a chat that raised its whale minimum reads (`/settings whale`): the events at
        or above it. A lower one changes nothing: smaller trades were never fetched."""
        if minimum is None or minimum <= self.threshold:
            return self
        kept = [e for e in self.events if e.usd >= minimum]
        return self.model_copy(update={"threshold": minimum, "events": kept})


class WhaleService:
    def __init__(
        self,
        okx: OkxClient,
        coinglass: CoinGlassClient,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        threshold: Decimal,
        watch: list[str],
        ttl_seconds: float,
        rule: WhaleRule | None = None,
    ) -> None:
        self._okx = okx
        self._coinglass = coinglass
        self._cache = cache
        self._status = status
        self._flags = flags
        self._threshold = threshold
        self._watch = [w.upper() for w in watch]
        self._ttl = ttl_seconds
        self._rule = rule or WhaleRule()
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module."""
        return await self.recent(inst)

    async def recent(self, inst: Instrument | None = None) -> WhaleReport:
        await self._flags.require(Flag.WHALE)
        coins = [inst.base] if inst else self._watch
        return await read_through(
            self._cache,
            self._status,
            MODULE,
            f"whale:{','.join(coins)}",
            WhaleReport,
            self._ttl,
            lambda: self._fetch(coins),
        )

    def flow(self, report: WhaleReport, now: datetime | None = None) -> WhaleFlow:
        """How the signals read this report's events right now (the window moves on)."""
        return whale_flow(report.events, now or datetime.now(UTC), self._rule)

    async def _fetch(self, coins: list[str]) -> WhaleReport:
        async def paid() -> list[WhaleEvent]:
            alerts = await self._coinglass.whale_alerts()
            return whale_positions(alerts, set(coins), self._threshold)

        async def free() -> list[WhaleEvent]:
            contracts = await self._contracts()
            batches = await asyncio.gather(*(self._coin_trades(c, contracts) for c in coins))
            return [event for batch in batches for event in batch]

        got = await read_chain(self._status, MODULE, {COINGLASS: paid, OKX: free}, ask)
        return WhaleReport(
            coins=coins,
            threshold=self._threshold,
            events=sorted(got.value, key=lambda e: e.at, reverse=True),
            source=got.source,
            as_of=datetime.now(UTC),
            fallback_reason=got.fallback_reason,
        )

    async def _contracts(self) -> ContractValues | None:
        try:
            return await contract_values(self._cache, self._okx)
        except UpstreamError:
            return None  # swap trades cannot be sized without ctVal: spot only

    async def _coin_trades(self, coin: str, contracts: ContractValues | None) -> list[WhaleEvent]:
        spot = Instrument(base=coin, quote="USDT", market=Market.SPOT)
        events = whale_trades(await self._okx.trades(spot), None, self._threshold, OKX)
        ct_val = contracts.ct_val.get(f"{coin}-USDT-SWAP") if contracts else None
        if ct_val is not None:
            swap = await self._okx.trades(spot.swap())
            events += whale_trades(swap, ct_val, self._threshold, OKX)
        return events


def build(parts: MarketParts) -> WhaleService:
    settings = parts.settings
    return WhaleService(
        parts.vendors.get(OkxClient),
        parts.vendors.get(CoinGlassClient),
        parts.cache,
        parts.status,
        parts.flags,
        settings.whale_min_usd,
        settings.watch_symbols,
        settings.whale_cache_ttl_seconds,
        WhaleRule.from_settings(settings),
    )
