"""CoinGlass's view of a coin's perpetuals across exchanges (with a key): the open-interest
weighted funding rate and the aggregated open interest, each a 4-hour OHLC series (the
coarsest bar every plan serves: Hobbyist has them at 4 h or coarser, VENDORS.md).

Units, read from its docs: a row is `{time (ms), open, high, low, close}`. The funding figures
are CoinGlass's own percent (its OKX BTC sample reads 0.00737 where OKX's fraction is
0.0000182), not OKX's fraction: they are kept as percent and said to be CoinGlass's. Open
interest is in dollars unless `unit=coin` is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from services.kernel.bounds import USD_MAX, EpochMoment
from services.kernel.errors import BadResponseError
from services.kernel.http import reads
from services.kernel.link import VendorLink
from services.vendors.coinglass import VENDOR, CoinGlassClient

BAR = "4h"
FUTURE_SLACK = timedelta(hours=4)  # a bar opens up to one bar ahead of its close
# A rate in percent per interval: any exchange's cap is a few percent; 100 % is unusable.
Pct = Annotated[Decimal, Field(gt=-100, lt=100, allow_inf_nan=False)]
Dollars = Annotated[Decimal, Field(ge=0, lt=USD_MAX, allow_inf_nan=False)]


class _RateBar(BaseModel):
    time: EpochMoment
    close: Pct


class _OiBar(BaseModel):
    time: EpochMoment
    close: Dollars


class CoinGlassDerivs:
    def __init__(self, glass: CoinGlassClient) -> None:
        self._glass = glass
        self._client = glass.http  # what an unusable body is reported through (@reads)

    @classmethod
    def from_link(cls, link: VendorLink) -> CoinGlassDerivs:
        """As the vendor table builds it (services/container.py)."""
        return cls(CoinGlassClient.from_link(link))

    @property
    def has_key(self) -> bool:
        return self._glass.has_key

    @reads("funding_oi_weight")
    async def funding_oi_weighted(self, coin: str) -> tuple[datetime, Decimal]:
        """The latest 4-hour close of the OI-weighted rate, in CoinGlass's percent."""
        rows = await self._rows("funding_oi_weight", coin, 2)
        last = _last(_RateBar, "funding_oi_weight", rows)
        return last.time, last.close

    @reads("oi_aggregated")
    async def oi_aggregated(self, coin: str) -> list[tuple[datetime, Decimal]]:
        """Open interest across exchanges in dollars, 4-hour closes over the last day and a
        bar, oldest first."""
        rows = await self._rows("oi_aggregated", coin, 7)
        bars = _all(_OiBar, "oi_aggregated", rows)
        return [(b.time, b.close) for b in bars]

    async def _rows(self, endpoint: str, coin: str, limit: int) -> list[Any]:
        data = await self._glass.get(
            endpoint, endpoint, {"symbol": coin, "interval": BAR, "limit": limit}
        )
        if not isinstance(data, list) or not data:
            raise BadResponseError(VENDOR, endpoint, "no bars")
        return data


def _all(model: type[_RateBar] | type[_OiBar], endpoint: str, rows: list[Any]) -> list[Any]:
    try:
        bars = [model.model_validate(row) for row in rows]
    except ValidationError as exc:
        raise BadResponseError(VENDOR, endpoint, f"{exc.error_count()} bad fields") from None
    # A closed bar cannot be from the future (its docs' own sample is stamped 2053): one that
    # is says the series is not what it claims to be.
    if any(b.time > datetime.now(UTC) + FUTURE_SLACK for b in bars):
        raise BadResponseError(VENDOR, endpoint, "a bar from the future")
    return sorted(bars, key=lambda b: b.time)


def _last(model: type[_RateBar], endpoint: str, rows: list[Any]) -> _RateBar:
    bars: list[_RateBar] = _all(model, endpoint, rows)
    return bars[-1]
