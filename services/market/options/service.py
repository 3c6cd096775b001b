"""Options open interest from OKX (free): put/call ratio and skew by expiry."""

from __future__ import annotations

from datetime import UTC, datetime

from services.kernel.cache import ResilientCache
from services.kernel.errors import DataUnavailableError, Reason, UpstreamError, VendorError
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.market.options.analysis import OptionsSummary, summarise
from services.market.parts import MarketParts
from services.market.ticker.service import TickerService
from services.vendors.okx import SOURCE as OKX
from services.vendors.okx import OkxClient

MODULE = Module.OPTIONS


class NoOptionsError(Exception):
    """OKX lists no options on this coin (today: only BTC and ETH)."""

    def __init__(self, coin: str) -> None:
        self.coin = coin
        super().__init__(f"no {coin} options on OKX")


class OptionsReport(Provenance):
    coin: str
    summary: OptionsSummary


class OptionsService:
    def __init__(
        self,
        okx: OkxClient,
        ticker: TickerService,
        cache: ResilientCache,
        status: StatusRegistry,
        flags: FlagService,
        ttl_seconds: float,
    ) -> None:
        self._okx = okx
        self._ticker = ticker
        self._cache = cache
        self._status = status
        self._flags = flags
        self._ttl = ttl_seconds
        status.register(MODULE)

    async def probe(self, inst: Instrument) -> object:
        """Discovery's cheap check of this module. SOL has no OKX options today; BTC always
        has: the probe checks the module, not a coin."""
        return await self.summary(Instrument(base="BTC"))

    async def summary(self, inst: Instrument) -> OptionsReport:
        await self._flags.require(Flag.OPTIONS)
        return await read_through(
            self._cache,
            self._status,
            MODULE,
            f"options:{inst.base}",
            OptionsReport,
            self._ttl,
            lambda: self._fetch(inst),
        )

    async def _fetch(self, inst: Instrument) -> OptionsReport:
        try:
            rows = await self._okx.option_open_interest(inst.base)
            spot = (await self._ticker.ticker(Instrument(base=inst.base))).last
        except VendorError as exc:
            self._status.unavailable(MODULE, exc.reason, f"OKX {exc.reason}", by=OKX)
            raise DataUnavailableError(MODULE, [(OKX, exc.reason)]) from None
        except UpstreamError:
            self._status.unavailable(MODULE, Reason.ERROR, "no spot price")
            raise DataUnavailableError(MODULE, [(OKX, Reason.ERROR)]) from None
        if not rows:
            raise NoOptionsError(inst.base)
        self._status.ok(MODULE, OKX)
        return OptionsReport(
            coin=inst.base, summary=summarise(rows, spot), source=OKX, as_of=datetime.now(UTC)
        )


def build(parts: MarketParts) -> OptionsService:
    return OptionsService(
        parts.vendors.get(OkxClient),
        parts.module(TickerService),
        parts.cache,
        parts.status,
        parts.flags,
        parts.settings.options_cache_ttl_seconds,
    )
