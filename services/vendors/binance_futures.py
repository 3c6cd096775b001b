"""Binance USDⓈ-M futures, public (`https://fapi.binance.com`, no key): the derivatives
modules' fallback when OKX fails, read into the same models as OKX's (okx_derivs, okx_stats).

Meanings pinned here, each with a test (VENDORS.md, "Binance USDⓈ-M futures"; bodies from
Binance's own docs):
- `premiumIndex.lastFundingRate` is the rate of the period settling at `nextFundingTime`;
  Binance states no interval there: it is read from the history, the time between the last two
  settlements (4 h or 8 h, by contract);
- a `fundingRate` history row is the rate settled at its `fundingTime`;
- `openInterest` and `sumOpenInterest` are in coins, `sumOpenInterestValue` in USD;
- `takerlongshortRatio` volumes are in coins: USD is coins × the mark price;
- the statistics (`/futures/data/...`) keep the last 30 days only;
- HTTP 451, or 403 with "restricted location", refuses this server's country: a set-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.kernel.bounds import moment
from services.kernel.errors import (
    BadResponseError,
    RateLimitedError,
    RegionRefusedError,
    UnknownInstrumentError,
)
from services.kernel.http import VendorClient, json_body, raise_for_status, reads, retry_after
from services.kernel.link import VendorLink
from services.kernel.symbols import Instrument
from services.vendors.binance import binance_symbol
from services.vendors.okx_derivs import FundingNow, FundingPaid, OpenInterestNow
from services.vendors.okx_stats import OiPoint, RatioPoint, TakerPoint

VENDOR = "binance_futures"
SOURCE = "Binance futures"
INVALID_SYMBOL = -1121
PERIODS = {"5m": "5m", "15m": "15m", "1H": "1h", "4H": "4h"}  # OKX's names -> Binance's


def interpret(endpoint: str) -> Any:
    def read(response: httpx.Response) -> Any:
        body = json_body(VENDOR, endpoint, response)
        status = response.status_code
        message = str(body.get("msg", "")) if isinstance(body, dict) else ""
        if status == 451 or (status == 403 and "restricted location" in message.lower()):
            raise RegionRefusedError(VENDOR, endpoint, f"HTTP {status}")
        if status >= 400 and isinstance(body, dict) and body.get("code") == INVALID_SYMBOL:
            raise UnknownInstrumentError(VENDOR, endpoint, "invalid symbol")
        if status in (418, 429):
            raise RateLimitedError(VENDOR, endpoint, f"HTTP {status}", retry_after(response))
        raise_for_status(VENDOR, endpoint, response)
        return body

    return read


def _list(endpoint: str, body: Any) -> list[Any]:
    if not isinstance(body, list) or not body:
        raise BadResponseError(VENDOR, endpoint, "no rows")
    for row in body:
        if not isinstance(row, dict):
            raise BadResponseError(VENDOR, endpoint, "a row is not an object")
    return body


def _object(endpoint: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponseError(VENDOR, endpoint, "not an object")
    return body


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("not a number")
    return Decimal(str(value))


def _period(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"period {period!r} is not one Binance serves here")
    return PERIODS[period]


class BinanceFutures:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> BinanceFutures:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    async def _get(self, endpoint: str, path: str, params: dict[str, str | int]) -> Any:
        return await self._client.get(endpoint, path, interpret(endpoint), params)

    def _symbol(self, inst: Instrument) -> dict[str, str | int]:
        return {"symbol": binance_symbol(inst)}

    @reads("premium_index")
    async def mark_price(self, inst: Instrument) -> Decimal:
        body = _object(
            "premium_index",
            await self._get("premium_index", "/fapi/v1/premiumIndex", self._symbol(inst)),
        )
        return _number(body["markPrice"])

    @reads("funding")
    async def funding(self, inst: Instrument) -> FundingNow:
        now = _object(
            "funding", await self._get("funding", "/fapi/v1/premiumIndex", self._symbol(inst))
        )
        paid = await self._paid_rows(inst, 2)
        interval = paid[-1].at - paid[-2].at if len(paid) > 1 else timedelta(hours=8)
        return FundingNow(
            inst_id=str(now["symbol"]),
            rate=_number(now["lastFundingRate"]),
            settles_at=_moment(now["nextFundingTime"]),
            interval=interval,
        )

    async def _paid_rows(self, inst: Instrument, limit: int) -> list[FundingPaid]:
        rows = _list(
            "funding_history",
            await self._get(
                "funding_history", "/fapi/v1/fundingRate", {**self._symbol(inst), "limit": limit}
            ),
        )
        paid = [
            FundingPaid(at=_moment(r["fundingTime"]), rate=_number(r["fundingRate"])) for r in rows
        ]
        return sorted(paid, key=lambda p: p.at)

    @reads("funding_history")
    async def funding_paid(self, inst: Instrument, since: datetime) -> list[FundingPaid]:
        return [p for p in await self._paid_rows(inst, 1000) if p.at >= since]

    @reads("open_interest")
    async def open_interest(self, inst: Instrument) -> OpenInterestNow:
        body = _object(
            "open_interest",
            await self._get("open_interest", "/fapi/v1/openInterest", self._symbol(inst)),
        )
        coins = _number(body["openInterest"])
        price = await self.mark_price(inst)
        return OpenInterestNow(
            inst_id=str(body["symbol"]),
            contracts=coins,
            coins=coins,
            usd=coins * price,
            at=_moment(body["time"]),
        )

    async def _stats(
        self, endpoint: str, path: str, inst: Instrument, period: str, limit: int
    ) -> list[Any]:
        params = {**self._symbol(inst), "period": _period(period), "limit": max(1, min(limit, 500))}
        return _list(endpoint, await self._get(endpoint, path, params))

    @reads("oi_history")
    async def open_interest_history(
        self, inst: Instrument, period: str, limit: int = 100
    ) -> list[OiPoint]:
        rows = await self._stats(
            "oi_history", "/futures/data/openInterestHist", inst, period, limit
        )
        points = [
            OiPoint(
                at=_moment(r["timestamp"]),
                coins=_number(r["sumOpenInterest"]),
                usd=_number(r["sumOpenInterestValue"]),
            )
            for r in rows
        ]
        return sorted(points, key=lambda p: p.at)

    @reads("long_short")
    async def long_short_accounts(
        self, inst: Instrument, period: str, limit: int = 100
    ) -> list[RatioPoint]:
        return await self._ratios(
            "long_short", "/futures/data/globalLongShortAccountRatio", inst, period, limit
        )

    @reads("top_traders")
    async def top_trader_positions(
        self, inst: Instrument, period: str, limit: int = 100
    ) -> list[RatioPoint]:
        return await self._ratios(
            "top_traders", "/futures/data/topLongShortPositionRatio", inst, period, limit
        )

    async def _ratios(
        self, endpoint: str, path: str, inst: Instrument, period: str, limit: int
    ) -> list[RatioPoint]:
        rows = await self._stats(endpoint, path, inst, period, limit)
        points = [
            RatioPoint(at=_moment(r["timestamp"]), ratio=_number(r["longShortRatio"])) for r in rows
        ]
        return sorted(points, key=lambda p: p.at)

    @reads("taker_volume")
    async def taker_volume(
        self, inst: Instrument, period: str, limit: int = 100, *, usd: bool = False
    ) -> list[TakerPoint]:
        """Taker buys and sells per period, oldest first, in coins (or USD at the mark price)."""
        rows = await self._stats(
            "taker_volume", "/futures/data/takerlongshortRatio", inst, period, limit
        )
        price = await self.mark_price(inst) if usd else Decimal(1)
        points = [
            TakerPoint(
                at=_moment(r["timestamp"]),
                sell=_number(r["sellVol"]) * price,
                buy=_number(r["buyVol"]) * price,
            )
            for r in rows
        ]
        return sorted(points, key=lambda p: p.at)


def _moment(value: Any) -> datetime:
    return moment(value, "ms")
