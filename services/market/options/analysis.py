"""Put/call open interest and skew per expiry, from per-option OI rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.models import OptionOI


class ExpirySummary(BaseModel):
    expiry: date
    call_oi: Decimal
    put_oi: Decimal
    put_call_ratio: Decimal | None
    otm_put_oi: Decimal  # strikes below spot: protection
    otm_call_oi: Decimal  # strikes above spot: upside bets
    skew: Decimal | None  # otm puts / otm calls; > 1 leans bearish


class OptionsSummary(BaseModel):
    spot: Decimal
    expiries: list[ExpirySummary]  # soonest first
    put_call_ratio: Decimal | None  # all expiries


def _ratio(top: Decimal, bottom: Decimal) -> Decimal | None:
    return top / bottom if bottom else None


def summarise(rows: list[OptionOI], spot: Decimal) -> OptionsSummary:
    by_expiry: dict[date, list[OptionOI]] = defaultdict(list)
    for row in rows:
        by_expiry[row.expiry].append(row)
    expiries = []
    for expiry in sorted(by_expiry):
        items = by_expiry[expiry]
        calls = sum((r.oi_coin for r in items if r.is_call), Decimal(0))
        puts = sum((r.oi_coin for r in items if not r.is_call), Decimal(0))
        otm_puts = sum((r.oi_coin for r in items if not r.is_call and r.strike < spot), Decimal(0))
        otm_calls = sum((r.oi_coin for r in items if r.is_call and r.strike > spot), Decimal(0))
        expiries.append(
            ExpirySummary(
                expiry=expiry,
                call_oi=calls,
                put_oi=puts,
                put_call_ratio=_ratio(puts, calls),
                otm_put_oi=otm_puts,
                otm_call_oi=otm_calls,
                skew=_ratio(otm_puts, otm_calls),
            )
        )
    total_calls = sum((e.call_oi for e in expiries), Decimal(0))
    total_puts = sum((e.put_oi for e in expiries), Decimal(0))
    return OptionsSummary(
        spot=spot, expiries=expiries, put_call_ratio=_ratio(total_puts, total_calls)
    )
