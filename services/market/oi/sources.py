"""What a source of open interest statistics answers (OKX's, Binance's USDⓈ-M futures'), and
its rows as the cache keeps them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from pydantic import Field

from services.kernel.models import Provenance
from services.kernel.symbols import Instrument
from services.vendors.okx_derivs import OpenInterestNow
from services.vendors.okx_stats import OiPoint, RatioPoint, TakerPoint


class Rows(Provenance):
    """One part's rows as kept in the cache (one of the lists is filled)."""

    oi: list[OiPoint] = Field(default_factory=list)
    ratios: list[RatioPoint] = Field(default_factory=list)
    taker: list[TakerPoint] = Field(default_factory=list)


class OiNowSource(Protocol):
    """What a source of open interest now answers (OKX's perpetuals, Binance's)."""

    def open_interest(self, inst: Instrument) -> Awaitable[OpenInterestNow]: ...


class StatsSource(Protocol):
    """What a source of the statistics answers (OKX's, Binance's USDⓈ-M futures')."""

    def open_interest_history(
        self, inst: Instrument, period: str, limit: int = ...
    ) -> Awaitable[list[OiPoint]]: ...

    def long_short_accounts(
        self, inst: Instrument, period: str, limit: int = ...
    ) -> Awaitable[list[RatioPoint]]: ...

    def top_trader_positions(
        self, inst: Instrument, period: str, limit: int = ...
    ) -> Awaitable[list[RatioPoint]]: ...

    def taker_volume(
        self, inst: Instrument, period: str, limit: int = ..., *, usd: bool = ...
    ) -> Awaitable[list[TakerPoint]]: ...


Read = Callable[[StatsSource], Awaitable[list[Any]]]
