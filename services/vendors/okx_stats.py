"""OKX trading statistics (`/api/v5/rubik/stat/...`, public, no key): open interest history,
taker volume and long/short ratios per perpetual (the free liquidation estimate and the
derivatives modules read them).

Rows are arrays, newest first (VENDORS.md, "Derivatives"):
- open interest history `[ts, oi (contracts), oiCcy (coin), oiUsd]`, the OI at `ts`;
- taker volume `[ts, sellVol, buyVol]`: **sell first**, over the period opening at `ts`;
- long/short ratios `[ts, ratio]`.
These endpoints allow 5 (taker) to 10 (OI) requests per 2 s per IP and instrument: they share
one budget of their own (`okx:rubik`, services/kernel/plumbing.py) beside OKX's general one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from services.kernel.bounds import Amount, Ratio, Usd, moment
from services.kernel.errors import BadResponseError
from services.kernel.http import VendorClient, reads
from services.kernel.link import VendorLink
from services.kernel.symbols import Instrument
from services.vendors.okx_rows import VENDOR, interpret
from services.vendors.okx_symbols import okx_inst_id

FAMILY = "rubik"  # the endpoint family whose budget these calls share
ROWS_MAX = 100  # the most a call gives; OKX keeps the latest 1,440 points per period
PERIODS = ("5m", "15m", "30m", "1H", "2H", "4H")


class OiPoint(BaseModel):
    """Open interest of one perpetual at `at`, in coins and USD."""

    at: datetime
    coins: Amount
    usd: Usd


class TakerPoint(BaseModel):
    """Taker volume over the period opening at `at` (contracts or coins: a ratio is read)."""

    at: datetime
    sell: Amount
    buy: Amount

    @property
    def buy_share(self) -> Decimal | None:
        total = self.buy + self.sell
        return self.buy / total if total > 0 else None


class RatioPoint(BaseModel):
    """A long/short ratio at `at` (1.2: 1.2 long for every short)."""

    at: datetime
    ratio: Ratio


def _row(endpoint: str, row: Any, width: int) -> list[Any]:
    if not isinstance(row, list) or len(row) < width:
        raise BadResponseError(VENDOR, endpoint, f"row has fewer than {width} fields")
    return row


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("not a number")
    return Decimal(str(value))


class OkxStats:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> OkxStats:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    async def _rows(
        self,
        endpoint: str,
        path: str,
        inst: Instrument,
        period: str,
        limit: int,
        extra: dict[str, str | int] | None = None,
    ) -> list[Any]:
        if period not in PERIODS:
            raise ValueError(f"period {period!r} is not one OKX serves here")
        params: dict[str, str | int] = {
            "instId": okx_inst_id(inst.swap()),
            "period": period,
            "limit": max(1, min(limit, ROWS_MAX)),
            **(extra or {}),
        }
        return list(
            await self._client.get(endpoint, path, interpret(endpoint), params, family=FAMILY)
        )

    @reads("oi_history")
    async def open_interest_history(
        self, inst: Instrument, period: str, limit: int = ROWS_MAX
    ) -> list[OiPoint]:
        """The perpetual's open interest, oldest first."""
        rows = await self._rows(
            "oi_history",
            "/api/v5/rubik/stat/contracts/open-interest-history",
            inst,
            period,
            limit,
        )
        points = [
            OiPoint(at=moment(r[0], "ms"), coins=_number(r[2]), usd=_number(r[3]))
            for r in (_row("oi_history", row, 4) for row in rows)
        ]
        return sorted(points, key=lambda p: p.at)

    @reads("taker_volume")
    async def taker_volume(
        self, inst: Instrument, period: str, limit: int = ROWS_MAX, *, usd: bool = False
    ) -> list[TakerPoint]:
        """Taker sells and buys per period, oldest first. OKX sends `[ts, sellVol, buyVol]`,
        in contracts unless asked in USD (`unit=2`; `unit=1`, contracts, is its default)."""
        rows = await self._rows(
            "taker_volume",
            "/api/v5/rubik/stat/taker-volume-contract",
            inst,
            period,
            limit,
            {"unit": 2} if usd else None,
        )
        points = [
            TakerPoint(at=moment(r[0], "ms"), sell=_number(r[1]), buy=_number(r[2]))
            for r in (_row("taker_volume", row, 3) for row in rows)
        ]
        return sorted(points, key=lambda p: p.at)

    @reads("long_short")
    async def long_short_accounts(
        self, inst: Instrument, period: str, limit: int = ROWS_MAX
    ) -> list[RatioPoint]:
        """Accounts net long over accounts net short on the perpetual, oldest first."""
        return await self._ratios(
            "long_short",
            "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract",
            inst,
            period,
            limit,
        )

    @reads("top_traders")
    async def top_trader_positions(
        self, inst: Instrument, period: str, limit: int = ROWS_MAX
    ) -> list[RatioPoint]:
        """The top 5 % of traders by position value: their long positions over their short
        ones, oldest first (a position ratio, not a count of accounts)."""
        return await self._ratios(
            "top_traders",
            "/api/v5/rubik/stat/contracts/long-short-position-ratio-contract-top-trader",
            inst,
            period,
            limit,
        )

    async def _ratios(
        self, endpoint: str, path: str, inst: Instrument, period: str, limit: int
    ) -> list[RatioPoint]:
        rows = await self._rows(endpoint, path, inst, period, limit)
        points = [
            RatioPoint(at=moment(r[0], "ms"), ratio=_number(r[1]))
            for r in (_row(endpoint, row, 2) for row in rows)
        ]
        return sorted(points, key=lambda p: p.at)
