"""A coin's perpetuals across exchanges, from CoinGlass with a key: the funding rate weighted by
open interest and the open interest summed, beside OKX's own figures. Without a key nothing is
asked and nothing is shown; with one, a failure leaves its line out with the reason."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from services.kernel.errors import Reason, VendorError
from services.kernel.symbols import Instrument
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.coinglass_derivs import CoinGlassDerivs

DAY = timedelta(hours=24)
# How long OKX's answer waits for CoinGlass's once OKX has answered (both asked together): a
# slow CoinGlass leaves its line out (timeout), it never holds the answer to its deadline.
GRACE_SECONDS = 1.0
T = TypeVar("T")


async def after_okx(
    task: asyncio.Task[tuple[T | None, Reason | None]],
) -> tuple[T | None, Reason | None]:
    """The across-exchanges read started beside OKX's, given GRACE_SECONDS more."""
    try:
        return await asyncio.wait_for(task, GRACE_SECONDS)
    except TimeoutError:
        return None, Reason.TIMEOUT


class AcrossFunding(BaseModel):
    rate_pct: Decimal  # CoinGlass's OI-weighted rate, its latest 4-hour close, in its percent
    at: datetime
    source: str = COINGLASS


class AcrossOi(BaseModel):
    usd: Decimal  # every exchange's open interest in the coin's perpetuals, in dollars
    change_24h_pct: Decimal | None  # None: the bars do not reach a day back
    at: datetime
    source: str = COINGLASS


async def across_funding(
    glass: CoinGlassDerivs, inst: Instrument
) -> tuple[AcrossFunding | None, Reason | None]:
    if not glass.has_key:
        return None, None
    try:
        at, rate = await glass.funding_oi_weighted(inst.base)
    except VendorError as exc:
        return None, exc.reason
    return AcrossFunding(rate_pct=rate, at=at), None


async def across_oi(
    glass: CoinGlassDerivs, inst: Instrument
) -> tuple[AcrossOi | None, Reason | None]:
    if not glass.has_key:
        return None, None
    try:
        bars = await glass.oi_aggregated(inst.base)
    except VendorError as exc:
        return None, exc.reason
    at, usd = bars[-1]
    then = [value for moment, value in bars if moment <= at - DAY]
    change = (usd - then[-1]) / then[-1] * 100 if then and then[-1] > 0 else None
    return AcrossOi(usd=usd, change_24h_pct=change, at=at), None
