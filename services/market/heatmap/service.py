"""Liquidation heatmap: CoinGlass's modelled map with a key, else our estimate of pending
levels from OKX's free open interest history (free_map.py). Realized OKX liquidations, which
the bot polls and keeps itself, are a layer of their own: a liquidated position is gone, so
they never make a cluster."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from loguru import logger
from pydantic import BaseModel, computed_field

from services.kernel.alerts import JOBS, Job
from services.kernel.cache import ResilientCache
from services.kernel.errors import TransientError, UpstreamError, VendorError, parse_choice
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import ask, read_chain, read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.contracts import contract_values
from services.market.flags import Flag, FlagService
from services.market.heatmap.analysis import HeatmapAnalysis, analyse, bands_from_grid
from services.market.heatmap.free_map import EstimateSource, build_map
from services.market.heatmap.timemap import TimeMap, from_grid
from services.market.parts import MarketParts
from services.market.ticker.service import TickerService
from services.storage.errors import StorageUnavailableError
from services.storage.liquidations import LiquidationStore
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass import CoinGlassClient, coinglass_pair
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient
from services.vendors.okx_rows import ContractValues
from services.vendors.okx_stats import OkxStats
from services.vendors.okx_symbols import okx_inst_id

MODULE = Module.HEATMAP
PathPoint = tuple[datetime, Decimal]
CANDLES_PER_HOUR = 12  # CoinGlass model1 12h/24h grids are 5-minute candles
REALIZED_SHOWN = 200  # the biggest realized liquidations drawn on the map


class HeatmapMethod(StrEnum):
    MODEL = "model"  # CoinGlass's leverage model (a paid plan)
    ESTIMATE = "estimate"  # our estimate from OKX open interest (free)


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


class RealizedPoint(BaseModel):
    at: datetime
    price: Decimal
    usd: Decimal
    side: str  # the position closed out: "long" or "short"


class RealizedLayer(BaseModel):
    """Liquidations OKX reported in the range (what already happened, never a cluster)."""

    longs_usd: Decimal
    shorts_usd: Decimal
    count: int
    record: timedelta | None  # how far back the bot's own record of them reaches
    points: list[RealizedPoint] = []  # the biggest, for the image


class HeatmapReport(Provenance):
    coin: str
    range: HeatmapRange
    analysis: HeatmapAnalysis  # pending levels only: the model's or the estimate's
    method: HeatmapMethod
    cut_from: str | None = None  # "12h": a 1h/4h answer cut from CoinGlass's shortest range
    lookback: timedelta | None = None  # estimate: how far back the open interest reaches
    map: TimeMap | None = None  # by time and price, where the data has a time axis
    realized: RealizedLayer | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def modelled(self) -> bool:
        """Kept in the JSON the API serves (it was a field before `method`)."""
        return self.method is HeatmapMethod.MODEL

    def ranges(self) -> list[HeatmapRange]:
        """Every range has its own map (the estimate reaches days back from the start)."""
        return list(HeatmapRange)


class HeatmapService:
    def __init__(
        self,
        okx: OkxClient,
        stats: OkxStats,
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
        self._estimates = EstimateSource(okx, stats, cache, MODULE)
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
        # The realized layer beside the map, not after it: both within the same deadline.
        got, realized = await asyncio.gather(
            read_chain(
                self._status,
                MODULE,
                {
                    COINGLASS: lambda: self._modelled(inst, range_),
                    OKX: lambda: self._estimated(inst, range_),
                },
                ask,
            ),
            self._realized(inst, range_),
        )
        return got.value.model_copy(
            update={"fallback_reason": got.fallback_reason, "realized": realized}
        )

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
            method=HeatmapMethod.MODEL,
            analysis=analyse(bands_from_grid(grid, price, cut), price),
            map=from_grid(grid, cut),
            cut_from=asked.value if cut is not None else None,
            as_of=grid.last_time or datetime.now(UTC),
        )

    async def _estimated(self, inst: Instrument, range_: HeatmapRange) -> HeatmapReport:
        try:
            inputs = await self._estimates.inputs(inst)
        except VendorError:
            raise
        except UpstreamError as exc:  # a shared read of the inputs that ran out of time
            raise TransientError(OKX, "oi_history", str(exc)) from None
        try:
            price = (await self._ticker.ticker(inst.spot())).last
        except UpstreamError as exc:
            raise TransientError(OKX, "ticker", f"no price for the map: {exc}") from None
        now = datetime.now(UTC)
        try:
            estimated = build_map(inputs, price, now - timedelta(hours=range_.hours))
        except ValueError as exc:  # no usable period: OKX's series, not our bug
            raise TransientError(OKX, "oi_history", str(exc)) from None
        newest = max(p.at for s in (inputs.fine, inputs.coarse) if s for p in s.oi)
        return HeatmapReport(
            coin=inst.base,
            range=range_,
            source=OKX,
            method=HeatmapMethod.ESTIMATE,
            analysis=analyse(estimated.analysis_bands, price),
            lookback=estimated.lookback,
            map=estimated.map,
            as_of=newest,
        )

    async def _realized(self, inst: Instrument, range_: HeatmapRange) -> RealizedLayer | None:
        """OKX's realized liquidations in the range, from the bot's own record; None when they
        cannot be had (a layer of the answer, not the answer)."""
        try:
            await self.poll([inst.base], only_if_due=True)
            now = datetime.now(UTC)
            events = await self._store.window(inst.base, now - timedelta(hours=range_.hours))
            earliest = await self._store.earliest(inst.base)
        except (UpstreamError, StorageUnavailableError) as exc:  # OKX or our own database
            logger.info("realized liquidations unavailable: {}", exc)
            return None
        biggest = sorted(events, key=lambda e: e.usd, reverse=True)[:REALIZED_SHOWN]
        return RealizedLayer(
            longs_usd=sum((e.usd for e in events if e.side == "long"), Decimal(0)),
            shorts_usd=sum((e.usd for e in events if e.side != "long"), Decimal(0)),
            count=len(events),
            record=now - earliest if earliest else None,
            points=[
                RealizedPoint(
                    at=e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC),  # SQLite: naive UTC
                    price=e.price,
                    usd=e.usd,
                    side=e.side,
                )
                for e in biggest
            ],
        )

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
        parts.vendors.get(OkxClient),
        parts.vendors.get(OkxStats),
        parts.vendors.get(CoinGlassClient),
        LiquidationStore(parts.db),
        parts.module(TickerService),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.heatmap_cache_ttl_seconds,
        JOBS[Job.LIQUIDATIONS].interval(parts.settings),
    )
