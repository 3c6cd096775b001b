"""OKX's perpetual swaps, public and free (VENDORS.md, "Derivatives"): funding now and paid,
open interest now. The trading statistics over time (open interest history, long/short, taker
volume) are in okx_stats.py.

Meanings pinned here, each with a test:
- `fundingRate` is the rate of the period settling at `fundingTime`; the interval is
  `nextFundingTime − fundingTime` (not always 8 h: OKX may set 6, 4, 2 or 1 h);
- a history row's paid rate is `realizedRate` (its `fundingRate` is what was predicted);
- rates are fractions per interval (0.0001 = 0.01 %);
- `oi` is in contracts, `oiCcy` in coins, `oiUsd` in dollars.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from services.kernel.bounds import PRICE_MAX, Amount, Rate, Usd, moment
from services.kernel.errors import BadResponseError
from services.kernel.http import VendorClient, reads
from services.kernel.link import VendorLink
from services.kernel.symbols import Instrument
from services.vendors.okx_rows import VENDOR, interpret
from services.vendors.okx_symbols import okx_inst_id

HISTORY_LIMIT = 400  # funding-rate-history's most rows a call (about 3 months are kept)
HOURS_8 = Decimal(8)


class FundingNow(BaseModel):
    """The rate of the period running now, settled at `settles_at`."""

    inst_id: str
    rate: Rate  # a fraction per interval
    settles_at: datetime
    interval: timedelta

    @property
    def interval_hours(self) -> Decimal:
        return Decimal(int(self.interval.total_seconds())) / 3600

    @property
    def rate_8h(self) -> Decimal:
        """Normalised to 8 h, so a 1 h contract and an 8 h one compare."""
        return self.rate * HOURS_8 / self.interval_hours

    @property
    def annualised(self) -> Decimal:
        """A fraction per year: the rate times the intervals in 365 days."""
        return self.rate * Decimal(24 * 365) / self.interval_hours


class FundingPaid(BaseModel):
    """A settled period: the rate that was paid (realizedRate) at `at`."""

    at: datetime
    rate: Rate


class OpenInterestNow(BaseModel):
    inst_id: str
    contracts: Amount
    coins: Amount
    usd: Usd
    at: datetime


def _field(row: Any, name: str) -> Any:
    if not isinstance(row, dict) or name not in row:
        raise BadResponseError(VENDOR, "funding", f"row has no {name}")
    return row[name]


def _funding(row: Any) -> FundingNow:
    settles = moment(_field(row, "fundingTime"), "ms")
    after = moment(_field(row, "nextFundingTime"), "ms")
    interval = after - settles
    if not timedelta(minutes=30) <= interval <= timedelta(hours=24):
        raise ValueError(f"funding interval of {interval} is not one OKX sets")
    return FundingNow(
        inst_id=str(_field(row, "instId")),
        rate=Decimal(str(_field(row, "fundingRate"))),
        settles_at=settles,
        interval=interval,
    )


class OkxDerivs:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> OkxDerivs:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    @reads("funding")
    async def funding(self, inst: Instrument) -> FundingNow:
        rows = await self._client.get(
            "funding",
            "/api/v5/public/funding-rate",
            interpret("funding"),
            {"instId": okx_inst_id(inst.swap())},
        )
        if not rows:
            raise BadResponseError(VENDOR, "funding", "no row")
        return _funding(rows[0])

    @reads("funding")
    async def funding_all(self) -> list[FundingNow]:
        """Every perpetual's rate in one call (`instId=ANY`); a row we cannot read is left out,
        not the whole screen (one odd contract should not hide the other 250)."""
        rows = await self._client.get(
            "funding", "/api/v5/public/funding-rate", interpret("funding"), {"instId": "ANY"}
        )
        read = []
        for row in rows:
            try:
                read.append(_funding(row))
            except (ValueError, ArithmeticError, TypeError, BadResponseError):
                continue
        if not read:  # OKX lists hundreds of perpetuals: none is a body we cannot use
            raise BadResponseError(VENDOR, "funding", "no row could be read")
        return read

    @reads("funding_history")
    async def funding_paid(self, inst: Instrument, since: datetime) -> list[FundingPaid]:
        """The rates paid since `since`, oldest first (one call: up to 400 settlements). No row
        at all is unusable: OKX keeps three months, and even a contract listed today has
        settled within hours (its first interval)."""
        rows = await self._client.get(
            "funding_history",
            "/api/v5/public/funding-rate-history",
            interpret("funding_history"),
            {"instId": okx_inst_id(inst.swap()), "limit": HISTORY_LIMIT},
        )
        paid = [
            FundingPaid(
                at=moment(_field(row, "fundingTime"), "ms"),
                rate=Decimal(str(_field(row, "realizedRate"))),
            )
            for row in rows
        ]
        if not paid:
            raise BadResponseError(VENDOR, "funding_history", "no settlement")
        return sorted((p for p in paid if p.at >= since), key=lambda p: p.at)

    @reads("mark_price")
    async def mark_price(self, inst: Instrument) -> Decimal:
        """The perpetual's mark price (what its funding, margin and liquidations use)."""
        rows = await self._client.get(
            "mark_price",
            "/api/v5/public/mark-price",
            interpret("mark_price"),
            {"instType": "SWAP", "instId": okx_inst_id(inst.swap())},
        )
        if not rows:
            raise BadResponseError(VENDOR, "mark_price", "no row")
        mark = Decimal(str(_field(rows[0], "markPx")))
        if not 0 < mark < PRICE_MAX:
            raise ValueError("mark price out of bounds")
        return mark

    @reads("open_interest")
    async def open_interest(self, inst: Instrument) -> OpenInterestNow:
        swap = inst.swap()
        rows = await self._client.get(
            "open_interest",
            "/api/v5/public/open-interest",
            interpret("open_interest"),
            {"instType": "SWAP", "instId": okx_inst_id(swap)},
        )
        if not rows:
            raise BadResponseError(VENDOR, "open_interest", "no row")
        row = rows[0]
        return OpenInterestNow(
            inst_id=str(_field(row, "instId")),
            contracts=Decimal(str(_field(row, "oi"))),
            coins=Decimal(str(_field(row, "oiCcy"))),
            usd=Decimal(str(_field(row, "oiUsd"))),
            at=moment(_field(row, "ts"), "ms"),
        )
