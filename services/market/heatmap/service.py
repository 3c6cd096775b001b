"""Liquidation heatmap: CoinGlass's modelled map with a key, else realized OKX liquidations
that the bot polls and keeps itself (OKX holds only a few hours)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from loguru import logger

from services.kernel.alerts import JOBS, Job
from services.kernel.cache import ResilientCache
from services.kernel.errors import TransientError, UpstreamError, parse_choice
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import Source, paid_then_free, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument, coinglass_pair, okx_inst_id
from services.market.contracts import contract_values
from services.market.flags import Flag, FlagService
from services.market.heatmap.analysis import (
    HeatmapAnalysis,
    analyse,
    bands_from_grid,
    bands_from_liquidations,
)
from services.market.heatmap.timemap import TimeMap, from_grid, from_liquidations, path_bar
from services.market.parts import MarketParts
from services.market.ticker.service import TickerService
from services.storage.liquidations import LiquidationStore
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass import CoinGlassClient
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_rows import ContractValues

MODULE = Module.HEATMAP
PathPoint = tuple[datetime, Decimal]
CANDLES_PER_HOUR = 12  # CoinGlass model1 12h/24h grids are 5-minute candles


class HeatmapRange(StrEnum):
    H1 = "1h"
    H4 = "4h"
    H12 = "12h"
    H24 = "24h"

    @property
    def hours(self) -> int:
        return int(self.value[:-1])


def parse_range(text: str | None) -> HeatmapRange:
    return parse_choice(text, HeatmapRange) or HeatmapRange.H4


class HeatmapReport(Provenance):
    coin: str
    range: HeatmapRange
    analysis: HeatmapAnalysis
    modelled: bool  # CoinGlass's leverage model (True) or realized liquidations (False)
    cut_from: str | None = None  # "12h": a 1h/4h answer cut from CoinGlass's shortest range
    history: timedelta | None = None  # realized: how far back our own record reaches
    events: int | None = None
    map: TimeMap | None = None  # by time and price, where the data has a time axis

    def ranges(self) -> list[HeatmapRange]:
        """The ranges worth a button: with only our own record, a range longer than its
        history draws the same map as the first one that covers it, so only that one."""
        if self.modelled or self.history is None:
            return list(HeatmapRange)
        offered: list[HeatmapRange] = []
        for range_ in HeatmapRange:
            offered.append(range_)
            if timedelta(hours=range_.hours) >= self.history:
                break
        # The one asked for stays, marked, even when it is longer than the record.
        return offered if self.range in offered else [*offered, self.range]


class HeatmapService:
    def __init__(
        self,
        okx: OkxClient,
        coinglass: CoinGlassClient,
        store: LiquidationStore,
        ticker: TickerService,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
        poll_seconds: float,
    ) -> None:
        self._okx = okx
        self._coinglass = coinglass
        self._store = store
        self._ticker = ticker
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        self._poll_seconds = poll_seconds
        self._polled: dict[str, float] = {}
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module: the shortest range."""
        return await self.heatmap(inst, HeatmapRange.H1)

    async def heatmap(self, inst: Instrument, range_: HeatmapRange) -> HeatmapReport:
        await self._flags.require(Flag.HEATMAP)
        return await read_through(
            self._cache,
            self._status,
            MODULE,
            f"heatmap:{inst.base}:{range_.value}",
            HeatmapReport,
            self._ttl,
            lambda: self._fetch(inst, range_),
        )

    async def _fetch(self, inst: Instrument, range_: HeatmapRange) -> HeatmapReport:
        got = await paid_then_free(
            self._status,
            MODULE,
            Source(COINGLASS, lambda: self._modelled(inst, range_)),
            Source(OKX, lambda: self._realized(inst, range_)),
        )
        return got.value.model_copy(update={"fallback_reason": got.fallback_reason})

    async def _modelled(self, inst: Instrument, range_: HeatmapRange) -> HeatmapReport:
        # CoinGlass ranges start at 12h: 1h/4h are the last candles of the 12h grid.
        asked = HeatmapRange.H24 if range_ is HeatmapRange.H24 else HeatmapRange.H12
        grid = await self._coinglass.liquidation_heatmap(coinglass_pair(inst), asked.value)
        cut = range_.hours * CANDLES_PER_HOUR if range_ is not asked else None
        price = (
            grid.last_close if grid.last_close is not None else grid.y_axis[len(grid.y_axis) // 2]
        )
        return HeatmapReport(
            coin=inst.base,
            range=range_,
            source=COINGLASS,
            modelled=True,
            analysis=analyse(bands_from_grid(grid, price, cut), price),
            map=from_grid(grid, cut),
            cut_from=asked.value if cut is not None else None,
            as_of=grid.last_time or datetime.now(UTC),
        )

    async def _realized(self, inst: Instrument, range_: HeatmapRange) -> HeatmapReport:
        await self.poll([inst.base], only_if_due=True)
        now = datetime.now(UTC)
        events = await self._store.window(inst.base, now - timedelta(hours=range_.hours))
        try:
            price = (await self._ticker.ticker(inst.spot())).last
        except UpstreamError as exc:
            raise TransientError(OKX, "ticker", f"no price for the map: {exc}") from None
        earliest = await self._store.earliest(inst.base)
        start = now - timedelta(hours=range_.hours)
        path = await self._price_path(inst, now - start)
        return HeatmapReport(
            coin=inst.base,
            range=range_,
            source=OKX,
            modelled=False,
            analysis=analyse(bands_from_liquidations(events, price), price),
            history=now - earliest if earliest else None,
            events=len(events),
            map=from_liquidations(events, start, now, price, path) if events or path else None,
            as_of=now,
        )

    async def _price_path(
        self, inst: Instrument, span: timedelta
    ) -> list[tuple[datetime, Decimal]]:
        """The price line over a realized map (OKX candles, closes); the map is drawn without
        it when OKX cannot give it."""
        try:
            candles = await self._okx.candles(inst.spot(), path_bar(span), limit=60, forming=True)
        except UpstreamError as exc:
            logger.info("heatmap price line unavailable: {}", exc)
            return []
        return [(c.ts, c.close) for c in candles]

    async def poll(self, coins: list[str], only_if_due: bool = False) -> int:
        """Fetch OKX's recent liquidations and keep the new ones. Returns rows added."""
        contracts = await self._contracts()
        added = 0
        for coin in coins:
            due = time.monotonic() - self._polled.get(coin, -1e9) >= self._poll_seconds
            if only_if_due and not due:
                continue
            inst = Instrument(base=coin)
            ct_val = contracts.ct_val.get(okx_inst_id(inst.swap()), Decimal(0))
            if not ct_val:
                continue  # no USDT perpetual for this coin on OKX
            events = await self._okx.liquidations(inst, ct_val)
            added += await self._store.add(events)
            self._polled[coin] = time.monotonic()
        await self._store.prune(datetime.now(UTC))
        if added:
            logger.debug("liquidations: {} new rows for {}", added, ",".join(coins))
        return added

    async def _contracts(self) -> ContractValues:
        return await contract_values(self._cache, self._okx)


def build(parts: MarketParts) -> HeatmapService:
    return HeatmapService(
        parts.vendors.okx,
        parts.vendors.coinglass,
        LiquidationStore(parts.db),
        parts.module(TickerService),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.heatmap_cache_ttl_seconds,
        JOBS[Job.LIQUIDATIONS].interval(parts.settings),
    )
