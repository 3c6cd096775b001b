"""Funding of perpetual swaps from OKX (free): a contract's rate now, normalised to 8 h and a
year, with what was paid over the last week; and the screen of every perpetual's extremes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from pydantic import BaseModel

from services.kernel.bounds import Price
from services.kernel.cache import ResilientCache
from services.kernel.errors import (
    DataUnavailableError,
    Reason,
    SymbolError,
    UnknownInstrumentError,
    VendorError,
    wait_asked,
)
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import read_chain, read_through, report_unavailable
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.across import AcrossFunding, across_funding, after_okx
from services.market.flags import Flag, FlagService
from services.market.parts import MarketParts
from services.market.swap_reads import SwapReads
from services.vendors.binance_futures import SOURCE as BINANCE_FUTURES
from services.vendors.binance_futures import BinanceFutures
from services.vendors.coinglass_derivs import CoinGlassDerivs
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx_derivs import FundingNow, FundingPaid, OkxDerivs
from services.vendors.okx_symbols import parse_okx_swap

MODULE = Module.FUNDING
HISTORY = timedelta(days=7)
SCREEN_SIZE = 5  # the highest and the lowest this many
YEAR_HOURS = Decimal(24 * 365)
MARK_TTL = 5.0  # a mark price moves by the second: kept only against a burst

T = TypeVar("T")


class FundingRate(BaseModel):
    """One perpetual's rate now: per its interval, per 8 h and per year (fractions)."""

    instrument: Instrument
    rate: Decimal
    interval_hours: Decimal
    rate_8h: Decimal
    annualised: Decimal
    settles_at: datetime

    @classmethod
    def of(cls, inst: Instrument, now: FundingNow) -> FundingRate:
        return cls(
            instrument=inst,
            rate=now.rate,
            interval_hours=now.interval_hours,
            rate_8h=now.rate_8h,
            annualised=now.annualised,
            settles_at=now.settles_at,
        )


class Settlement(BaseModel):
    at: datetime
    rate: Decimal  # paid (OKX's realizedRate), per that period's interval


class FundingReport(Provenance):
    now: FundingRate
    paid: list[Settlement]  # the last 7 days, oldest first
    paid_missing: Reason | None = None  # why the week paid could not be read (the rate stands)
    # What the paid rates add up to over the week, as a yearly rate: comparable whatever the
    # interval (None with no settlement in the week: a contract listed today).
    paid_annualised: Decimal | None
    across: AcrossFunding | None = None  # CoinGlass's OI-weighted rate, with a key
    across_missing: Reason | None = None  # why it could not be read (keyed, and failing)


class FundingScreen(Provenance):
    highest: list[FundingRate]  # by annualised rate, highest first
    lowest: list[FundingRate]  # lowest first
    contracts: int  # how many perpetuals the screen read


class KeptRate(Provenance):
    """The rate now, as kept in the cache."""

    rate: FundingRate


class MarkPrice(Provenance):
    price: Price


class FundingService:
    def __init__(
        self,
        okx: OkxDerivs,
        binance: FundingSource,
        glass: CoinGlassDerivs,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._okx = okx
        # Asked in the order the module's spec names them (services/kernel/modules.py).
        self._sources: dict[str, FundingSource] = {OKX: okx, BINANCE_FUTURES: binance}
        self._glass = glass
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        self._reads = SwapReads(MODULE, Flag.FUNDING, cache, status, flags)
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check: the rate now, one call."""
        await self._flags.require(Flag.FUNDING)
        swap = inst.swap()
        try:
            now = await self._ask(lambda: self._okx.funding(swap))
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
        except DataUnavailableError as failed:
            report_unavailable(self._status, failed)
            raise
        self._status.ok(MODULE, OKX)
        return now

    async def report(self, inst: Instrument) -> FundingReport:
        return await self._reads.kept(inst, "funding", FundingReport, self._ttl, self._fetch)

    async def rate(self, inst: Instrument) -> FundingRate:
        """The rate now alone (no week paid), for a call's context: one call a minute at most."""
        return (await self.rate_kept(inst)).rate

    async def rate_kept(self, inst: Instrument) -> KeptRate:
        """The same, with who served it (OKX, or Binance futures standing in)."""
        return await self._reads.kept(inst, "funding-now", KeptRate, self._ttl, self._fetch_rate)

    async def _fetch_rate(self, swap: Instrument) -> KeptRate:
        got = await read_chain(
            self._status,
            MODULE,
            self._sources,
            lambda _name, source: source.funding(swap),
            final=(UnknownInstrumentError,),
        )
        return KeptRate(
            rate=FundingRate.of(swap, got.value),
            source=got.source,
            fallback_reason=got.fallback_reason,
            as_of=datetime.now(UTC),
        )

    async def paid_over(self, inst: Instrument, span: timedelta) -> list[Settlement]:
        """The rates paid over `span` (one call reaches about four months), oldest first, for
        an alert's dry-run; Binance's when OKX fails."""
        await self._flags.require(Flag.FUNDING)
        swap = inst.swap()
        since = datetime.now(UTC) - span
        try:
            got = await read_chain(
                self._status,
                MODULE,
                self._sources,
                lambda _name, source: source.funding_paid(swap, since),
                final=(UnknownInstrumentError,),
            )
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
        return [Settlement(at=p.at, rate=p.rate) for p in got.value]

    async def mark(self, inst: Instrument) -> Decimal:
        """The perpetual's mark price (funding is paid on the mark's premium), kept seconds."""
        kept = await self._reads.kept(inst, "mark", MarkPrice, MARK_TTL, self._fetch_mark)
        return kept.price

    async def _fetch_mark(self, swap: Instrument) -> MarkPrice:
        price = await self._ask(lambda: self._okx.mark_price(swap))
        return MarkPrice(price=price, source=OKX, as_of=datetime.now(UTC))

    async def screen(self) -> FundingScreen:
        await self._flags.require(Flag.FUNDING)
        return await read_through(
            self._cache,
            self._status,
            MODULE,
            "funding:screen",
            FundingScreen,
            self._ttl,
            self._fetch_screen,
        )

    async def _fetch(self, swap: Instrument) -> FundingReport:
        # Across exchanges is asked beside OKX, not after it: it adds no wait to the answer.
        across = asyncio.create_task(across_funding(self._glass, swap))
        try:
            got = await read_chain(
                self._status,
                MODULE,
                self._sources,
                lambda name, source: _read(name, source, swap),
                final=(UnknownInstrumentError,),
            )
        except BaseException:
            across.cancel()
            raise
        rate, missing = await after_okx(across)
        report = got.value.model_copy(
            update={
                "fallback_reason": got.fallback_reason,
                "across": rate,
                "across_missing": missing,
            }
        )
        if missing is not None:
            self._status.degraded(MODULE, report.source, f"across: {missing.value}", missing)
        if report.paid_missing is not None:
            reason = report.paid_missing
            self._status.degraded(
                MODULE, report.source, f"history: {reason.value}", reason, by=report.source
            )
        return report

    async def _fetch_screen(self) -> FundingScreen:
        rows = await self._ask(self._okx.funding_all)
        rates = [
            FundingRate.of(inst, row)
            for row in rows
            if (inst := parse_okx_swap(row.inst_id)) is not None
        ]
        ordered = sorted(rates, key=lambda r: r.annualised, reverse=True)
        self._status.ok(MODULE, OKX)
        return FundingScreen(
            highest=ordered[:SCREEN_SIZE],
            lowest=list(reversed(ordered[-SCREEN_SIZE:])) if len(ordered) > SCREEN_SIZE else [],
            contracts=len(rates),
            source=OKX,
            as_of=datetime.now(UTC),
        )

    async def _ask(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except UnknownInstrumentError:
            raise
        except VendorError as exc:
            raise DataUnavailableError(MODULE, [(OKX, exc.reason)], wait_asked(exc)) from None


class FundingSource(Protocol):
    """What a source of funding answers (OKX's perpetuals, Binance's USDⓈ-M futures)."""

    def funding(self, inst: Instrument) -> Awaitable[FundingNow]: ...

    def funding_paid(self, inst: Instrument, since: datetime) -> Awaitable[list[FundingPaid]]: ...


async def _read(name: str, source: FundingSource, swap: Instrument) -> FundingReport:
    """One source's whole answer: the rate now (or its error), and the week paid, whose
    failure is one line of the answer, not the answer."""
    now = datetime.now(UTC)
    current = await source.funding(swap)
    paid_missing = None
    try:
        paid = await source.funding_paid(swap, now - HISTORY)
    except UnknownInstrumentError:
        raise
    except VendorError as exc:
        paid, paid_missing = [], exc.reason
    return FundingReport(
        now=FundingRate.of(swap, current),
        paid=[Settlement(at=p.at, rate=p.rate) for p in paid],
        paid_missing=paid_missing,
        paid_annualised=(
            sum((p.rate for p in paid), Decimal(0)) * Decimal(365) / Decimal(HISTORY.days)
            if paid
            else None
        ),
        source=name,
        as_of=now,
    )


def build(parts: MarketParts) -> FundingService:
    return FundingService(
        parts.vendors.get(OkxDerivs),
        parts.vendors.get(BinanceFutures),
        parts.vendors.get(CoinGlassDerivs),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.funding_cache_ttl_seconds,
    )
