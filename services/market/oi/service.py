"""Open interest of perpetual swaps from OKX (free): how many contracts are open now, how
that changed over 1 h, 4 h and 24 h with the price, and over the asked window who holds them
(long/short accounts, the top traders' positions) and who took the other side (taker flow).

Open interest now is the answer; the rest are parts: one failing leaves its line out of the
answer, which names it, and the module degraded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from pydantic import Field

from services.kernel.cache import ResilientCache
from services.kernel.errors import (
    DataUnavailableError,
    Reason,
    SymbolError,
    UnknownInstrumentError,
    VendorError,
    parse_choice,
    wait_asked,
)
from services.kernel.hedge import BothFailed, hedged
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import (
    Sourced,
    read_chain,
    read_through,
    telling_failure,
)
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.across import AcrossOi, across_oi, after_okx
from services.market.flags import Flag, FlagService
from services.market.oi.reading import (
    OiChange,
    Positioning,
    TakerFlow,
    change_since,
    positioning,
    taker_flow,
)
from services.market.oi.sources import OiNowSource, Read, Rows
from services.market.parts import MarketParts
from services.market.swap_reads import SwapReads
from services.vendors.binance_futures import SOURCE as BINANCE_FUTURES
from services.vendors.binance_futures import BinanceFutures
from services.vendors.coinglass_derivs import CoinGlassDerivs
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx_derivs import OkxDerivs, OpenInterestNow
from services.vendors.okx_stats import OiPoint, OkxStats, RatioPoint
from services.vendors.okx_symbols import okx_inst_id

MODULE = Module.OI
PERIOD_SECONDS = {"5m": 300, "1H": 3600}
PUBLISH_LAG = 20.0  # seconds after a period closes before OKX's statistics show its point
T = TypeVar("T")


class OiWindow(StrEnum):
    H1 = "1h"
    H4 = "4h"
    H24 = "24h"

    @property
    def length(self) -> timedelta:
        return {"1h": timedelta(hours=1), "4h": timedelta(hours=4)}.get(
            self.value, timedelta(hours=24)
        )

    @property
    def period(self) -> tuple[str, int]:
        """OKX's statistics period that reads it, and how many rows: the same for 1h and 4h
        (4 h of 5-minute rows), so the two share what is kept."""
        return ("1H", 25) if self is OiWindow.H24 else ("5m", 49)


def parse_window(text: str | None) -> OiWindow:
    return parse_choice(text, OiWindow) or OiWindow.H4


class Part(StrEnum):
    """The lines of an answer that can be missing while the rest stands."""

    HISTORY = "history"
    LONG_SHORT = "long_short"
    TOP_TRADERS = "top_traders"
    TAKER = "taker"
    ACROSS = "across"  # CoinGlass's sum across exchanges (asked with a key only)


OKX_PARTS = (Part.HISTORY, Part.LONG_SHORT, Part.TOP_TRADERS, Part.TAKER)  # OKX's, or Binance's


class OiReport(Provenance):
    instrument: Instrument
    contracts: Decimal
    coins: Decimal
    usd: Decimal
    changes: list[OiChange]  # over 1h, 4h, 24h, where the history reaches
    window: OiWindow
    reading: Positioning | None  # price and OI over the window together
    accounts_ratio: Decimal | None  # long/short accounts, latest
    accounts_ratio_then: Decimal | None  # at the window's start
    top_traders_ratio: Decimal | None  # the top 5 %'s long/short positions, latest
    taker: TakerFlow | None  # over the window, in USD
    # The open interest over the window, oldest first (its price is the dollars over coins):
    # what a chart of it draws.
    series: list[OiPoint] = Field(default_factory=list)
    missing: dict[Part, Reason] = Field(default_factory=dict)
    # Parts a source other than the answer's own gave (its fallback stood in for them).
    stood_in: dict[Part, str] = Field(default_factory=dict)
    across: AcrossOi | None = None  # every exchange's open interest, with a CoinGlass key


class OiTrack(Provenance):
    """Open interest now and its recent rows, for the alerts on it."""

    now: OiPoint
    history: list[OiPoint]  # 5-minute rows (4 h), then hourly ones (a day), oldest first


class OiService:
    def __init__(
        self,
        derivs: OkxDerivs,
        stats: OkxStats,
        binance: BinanceFutures,
        glass: CoinGlassDerivs,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._derivs = derivs
        self._stats = stats
        self._binance = binance
        # Asked in the order the module's spec names them (services/kernel/modules.py).
        self._now_sources: dict[str, OiNowSource] = {OKX: derivs, BINANCE_FUTURES: binance}
        self._glass = glass
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        self._reads = SwapReads(MODULE, Flag.OI, cache, status, flags)
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check: open interest now, one call outside the statistics'
        budget (a whole answer at start-up would spend it beside the heatmap's)."""
        await self._flags.require(Flag.OI)
        swap = inst.swap()
        try:
            now = await self._derivs.open_interest(swap)
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
        except VendorError as exc:
            self._status.unavailable(MODULE, exc.reason, f"OKX {exc.reason}", by=OKX)
            raise DataUnavailableError(MODULE, [(OKX, exc.reason)], wait_asked(exc)) from None
        self._status.ok(MODULE, OKX)
        return now

    async def report(self, inst: Instrument, window: OiWindow = OiWindow.H4) -> OiReport:
        return await self._reads.kept(
            inst,
            f"oi-window-{window.value}",
            OiReport,
            self._ttl,
            lambda swap: self._fetch(swap, window),
        )

    async def _either(self, read: Read, field: str) -> Rows:
        """A part from OKX's statistics, or Binance's when OKX fails (hedged, as every chain)."""
        try:
            got = await hedged(
                OKX,
                lambda: read(self._stats),
                lambda: read(self._binance),
                fallback_name=BINANCE_FUTURES,
                final=(UnknownInstrumentError,),
            )
        except BothFailed as both:
            raise DataUnavailableError(
                MODULE,
                [(OKX, both.primary.reason), (BINANCE_FUTURES, both.fallback.reason)],
                wait_asked(both.primary, both.fallback),
            ) from None
        source = OKX if got.primary_error is None else BINANCE_FUTURES
        return Rows.model_validate({field: got.value, "source": source, "as_of": datetime.now(UTC)})

    async def _part(
        self,
        missing: dict[Part, Reason],
        part: Part,
        key: str,
        fetch: Callable[[], Awaitable[Rows]],
        period: str,
    ) -> Rows | None:
        """A part's rows through the cache (a stale copy when OKX fails), or None with its
        reason noted: it leaves one line out, not the answer. Kept until the period's next
        point is out (the rows cannot change before), and never less than OI_CACHE_TTL."""
        step = PERIOD_SECONDS[period]
        ttl = max(self._ttl, step - time.time() % step + PUBLISH_LAG)
        try:
            return await read_through(self._cache, self._status, MODULE, key, Rows, ttl, fetch)
        except DataUnavailableError as failed:
            telling = telling_failure(failed.failures)
            missing.setdefault(part, telling[1] if telling else Reason.ERROR)
            return None

    async def day_change(self, inst: Instrument) -> tuple[OiChange, list[str]] | None:
        """Open interest and price over the last 24 h, for a call's context: the hourly rows
        /oi keeps (one statistics call a minute at most) and open interest now; with who
        served them (OKX, or Binance futures standing in for either)."""
        await self._flags.require(Flag.OI)
        swap = inst.swap()
        try:
            got = await self._now(swap)
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
        missing: dict[Part, Reason] = {}
        hours = await self._part(
            missing,
            Part.HISTORY,
            f"oi-1H:{okx_inst_id(swap)}",
            lambda: self._either(lambda s: s.open_interest_history(swap, "1H", 25), "oi"),
            "1H",
        )
        if hours is None:
            return None
        now = got.value
        point = OiPoint(at=now.at, coins=now.coins, usd=now.usd)
        change = change_since(point, hours.oi, timedelta(hours=24), "24h")
        if change is None:
            return None
        return change, list(dict.fromkeys((got.source, hours.source)))

    async def track(self, inst: Instrument) -> OiTrack:
        """What an alert on open interest reads each pass: kept for OI_CACHE_TTL, so a pass
        every few seconds costs a read a minute, and the rows are the ones /oi keeps."""
        return await self._reads.kept(inst, "oi-track", OiTrack, self._ttl, self._fetch_track)

    async def _fetch_track(self, swap: Instrument) -> OiTrack:
        got = await self._now(swap)
        recent = await self._rows_of(swap, "5m", 49)
        older = [
            p for p in await self._rows_of(swap, "1H", 25) if not recent or p.at < recent[0].at
        ]
        now = got.value
        return OiTrack(
            now=OiPoint(at=now.at, coins=now.coins, usd=now.usd),
            history=older + recent,
            source=got.source,
            fallback_reason=got.fallback_reason,
            as_of=datetime.now(UTC),
        )

    async def _rows_of(self, swap: Instrument, period: str, n: int) -> list[OiPoint]:
        """The open interest rows /oi keeps for this period; none when they cannot be read."""
        rows = await self._part(
            {},
            Part.HISTORY,
            f"oi-{period}:{okx_inst_id(swap)}",
            lambda: self._either(lambda s: s.open_interest_history(swap, period, n), "oi"),
            period,
        )
        return rows.oi if rows else []

    async def hours(self, inst: Instrument) -> list[OiPoint]:
        """The hourly rows one call reaches (about four days), for an alert's dry-run."""
        await self._flags.require(Flag.OI)
        swap = inst.swap()
        try:
            rows = await self._either(lambda s: s.open_interest_history(swap, "1H", 100), "oi")
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
        return rows.oi

    def _now(self, swap: Instrument) -> Awaitable[Sourced[OpenInterestNow]]:
        return read_chain(
            self._status,
            MODULE,
            self._now_sources,
            lambda _name, source: source.open_interest(swap),
            final=(UnknownInstrumentError,),
        )

    async def _fetch(self, swap: Instrument, window: OiWindow) -> OiReport:
        got = await self._now(swap)
        now = got.value
        period, n = window.period
        missing: dict[Part, Reason] = {}
        inst_id = okx_inst_id(swap)

        def kept(name: Part, key: str, read: Read, field: str) -> Awaitable[Rows | None]:
            return self._part(
                missing,
                name,
                f"oi-{key}:{inst_id}",
                lambda: self._either(read, field),
                key.rpartition(":")[2],  # the period the rows are of: ls:5m -> 5m
            )

        # Each part is kept on its own, by the period it reads, not by the window asked: the
        # 1h and 4h windows read the same 5-minute rows, and a cold answer's five calls to the
        # statistics (their whole budget for 2 s) are not made again for the other window.
        across = asyncio.create_task(across_oi(self._glass, swap))
        recent, hours, accounts, top, taker = await asyncio.gather(
            kept(Part.HISTORY, "5m", lambda s: s.open_interest_history(swap, "5m", 49), "oi"),
            kept(Part.HISTORY, "1H", lambda s: s.open_interest_history(swap, "1H", 25), "oi"),
            kept(Part.LONG_SHORT, f"ls:{period}",
                 lambda s: s.long_short_accounts(swap, period, n), "ratios"),
            kept(Part.TOP_TRADERS, f"top:{period}",
                 lambda s: s.top_trader_positions(swap, period, n), "ratios"),
            kept(Part.TAKER, f"taker:{period}",
                 lambda s: s.taker_volume(swap, period, n, usd=True), "taker"),
        )  # fmt: skip
        stood_in = {
            part: rows.source
            for part, rows in zip(OKX_PARTS, (recent or hours, accounts, top, taker), strict=True)
            if rows is not None and rows.source != got.source
        }
        across_now, across_missing = await after_okx(across)
        if across_missing is not None:
            missing[Part.ACROSS] = across_missing
        recent_oi = recent.oi if recent else None
        hours_oi = hours.oi if hours else None
        accounts_points = accounts.ratios if accounts else None
        top_points = top.ratios if top else None
        taker_points = taker.taker if taker else None
        point = OiPoint(at=now.at, coins=now.coins, usd=now.usd)
        changes = [
            change
            for name, length, history in (
                ("1h", timedelta(hours=1), recent_oi),
                ("4h", timedelta(hours=4), recent_oi),
                ("24h", timedelta(hours=24), hours_oi),
            )
            if history and (change := change_since(point, history, length, name)) is not None
        ]
        over = next((c for c in changes if c.window == window.value), None)
        since = now.at - window.length
        if missing:
            part, reason = next(iter(missing.items()))
            self._status.degraded(MODULE, got.source, f"{part.value}: {reason.value}", reason)
        return OiReport(
            instrument=swap,
            contracts=now.contracts,
            coins=now.coins,
            usd=now.usd,
            changes=changes,
            window=window,
            reading=positioning(over) if over is not None else None,
            accounts_ratio=accounts_points[-1].ratio if accounts_points else None,
            accounts_ratio_then=_then(accounts_points or [], since),
            top_traders_ratio=top_points[-1].ratio if top_points else None,
            taker=taker_flow(taker_points, since) if taker_points else None,
            missing=missing,
            stood_in=stood_in,
            across=across_now,
            series=[
                p
                for p in ((hours_oi if window is OiWindow.H24 else recent_oi) or [])
                if p.at >= since
            ]
            + [point],
            source=got.source,
            fallback_reason=got.fallback_reason,
            as_of=datetime.now(UTC),
        )


def _then(points: list[RatioPoint], since: datetime) -> Decimal | None:
    before = [p for p in points if p.at <= since]
    return before[-1].ratio if before else None


def build(parts: MarketParts) -> OiService:
    return OiService(
        parts.vendors.get(OkxDerivs),
        parts.vendors.get(OkxStats),
        parts.vendors.get(BinanceFutures),
        parts.vendors.get(CoinGlassDerivs),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.oi_cache_ttl_seconds,
    )
