"""Funding and open interest as context beside a call: who is crowded into the perpetual.
They do not vote in the seeds' rule (BIAS_DERIVS_VOTE, off, lets the backtest measure what
they would add before anyone trusts them); the card shows them and the journal keeps them.

Crowded longs: longs pay a high yearly funding while open interest grew over the day (more
of them keep coming in); crowded shorts the mirror. Crowding is read against the crowd: in the
vote it pushes the other way (crowded longs are fuel for a flush down).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.errors import SymbolError, UpstreamError
from services.kernel.symbols import Instrument
from services.market.flags import ModuleDisabledError
from services.market.funding.service import FundingRate, FundingService, KeptRate
from services.market.oi.reading import OiChange
from services.market.oi.service import OiService
from services.vendors.okx import SOURCE as OKX

# Yearly funding from which a side counts as paying a lot to stay in (10 %/yr is OKX's
# floor rate, 0.01 % per 8 h: above twice that longs pay up; shorts paying at all is rare).
CROWDED_LONG_YEARLY = Decimal("0.20")
CROWDED_SHORT_YEARLY = Decimal("-0.10")
OI_GROWING_PCT = Decimal(3)  # open interest up this much over 24 h: positions still coming


class Crowding(StrEnum):
    LONGS = "longs"
    SHORTS = "shorts"
    NONE = "none"


class DerivContext(BaseModel):
    symbol: str
    source: str
    funding_yearly: Decimal | None = None  # a fraction a year
    oi_24h_pct: Decimal | None = None
    price_24h_pct: Decimal | None = None
    crowding: Crowding = Crowding.NONE


def crowding(funding_yearly: Decimal | None, oi_24h_pct: Decimal | None) -> Crowding:
    if funding_yearly is None or oi_24h_pct is None or oi_24h_pct < OI_GROWING_PCT:
        return Crowding.NONE
    if funding_yearly >= CROWDED_LONG_YEARLY:
        return Crowding.LONGS
    if funding_yearly <= CROWDED_SHORT_YEARLY:
        return Crowding.SHORTS
    return Crowding.NONE


def read_context(
    symbol: str, funding: FundingRate | None, day: OiChange | None, source: str
) -> DerivContext | None:
    """None when neither could be had (the card then says so)."""
    if funding is None and day is None:
        return None
    yearly = funding.annualised if funding else None
    oi_pct = day.oi_pct if day else None
    return DerivContext(
        symbol=symbol,
        source=source,
        funding_yearly=yearly,
        oi_24h_pct=oi_pct,
        price_24h_pct=day.price_pct if day else None,
        crowding=crowding(yearly, oi_pct),
    )


class DerivReaders:
    """The two modules a call's context is read from; either failing leaves its half out."""

    def __init__(self, funding: FundingService, oi: OiService) -> None:
        self._funding = funding
        self._oi = oi

    async def context(self, inst: Instrument) -> DerivContext | None:
        """The light reads (the rate now, the day's open interest): a job reading every
        watched coin each interval spends one statistics call per coin a minute at most."""
        funding, day = await asyncio.gather(
            self._funding.rate_kept(inst), self._oi.day_change(inst), return_exceptions=True
        )
        for answer in (funding, day):
            if isinstance(answer, BaseException) and not isinstance(
                answer, UpstreamError | ModuleDisabledError | SymbolError
            ):
                raise answer
        kept = funding if isinstance(funding, KeptRate) else None
        change = day if isinstance(day, tuple) else None
        # Who served what was read: OKX, or Binance futures where it stood in.
        sources = ([kept.source] if kept else []) + (change[1] if change else [])
        return read_context(
            inst.base,
            kept.rate if kept else None,
            change[0] if change else None,
            ", ".join(dict.fromkeys(sources)) or OKX,
        )
