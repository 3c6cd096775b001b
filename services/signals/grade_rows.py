"""Graded outcomes as stored rows, from a call and its candles. Pure: the grading job stores
them, the backtest sums them without storing."""

from __future__ import annotations

import json
from collections.abc import Sequence

from services.kernel.models import Candle
from services.signals.grading import (
    SniperLevels,
    SniperPath,
    grade_direction,
    price_at,
    sniper_baseline,
)
from services.signals.track_record import HORIZONS as KIND_HORIZONS
from services.storage.calls import Grade, StoredCall

BASELINE_DIRECTION = "LONG"  # bias and whale calls are read against "always long"
SNIPER_RULE = (
    "half at TP1, half at TP2, stop to entry after TP1; same-candle ties go against the call"
)


def source(symbol: str) -> str:
    return f"OKX 1m candles {symbol}-USDT"


def horizon_grades(call: StoredCall, candles: Sequence[Candle]) -> list[Grade] | None:
    """The call's own grades and its baseline's, for every horizon already reached; None when
    the candles do not reach back to the call (no starting price)."""
    start = price_at(candles, call.made_at)
    if start is None:
        return None
    names = KIND_HORIZONS[call.kind]
    grades: list[Grade] = []
    for baseline, direction in ((False, call.direction), (True, BASELINE_DIRECTION)):
        grades += [
            Grade(
                horizon=g.horizon,
                baseline=baseline,
                outcome="hit" if g.hit else "miss",
                hit=g.hit,
                value=g.move_pct,
                price_from=g.price_from,
                price_to=g.price_to,
                at_from=g.at_from,
                at_to=g.at_to,
                source=source(call.symbol),
            )
            for g in grade_direction(direction, call.made_at, start[0], candles, names)
        ]
    return grades


def sniper_grades(
    call: StoredCall, plan: SniperLevels, path: SniperPath, candles: Sequence[Candle]
) -> list[Grade]:
    """A final map's outcome, and the naive baseline's: buying at market when it was pushed."""
    grades = [
        Grade(
            horizon="outcome",
            outcome=path.status.value,
            hit=path.hit,
            value=path.r,
            price_from=plan.entry if path.entered_at else None,
            at_from=path.entered_at,
            at_to=path.closed_at,
            source=source(call.symbol),
            detail=json.dumps(
                {
                    "mae_r": str(path.mae_r),
                    "minutes_to_outcome": path.minutes_to_outcome,
                    "tp1_at": path.tp1_at.isoformat() if path.tp1_at else None,
                    "rule": SNIPER_RULE,
                }
            ),
        )
    ]
    if call.price is not None and path.checked_to is not None:
        base = sniper_baseline(plan, call.price, candles, path.checked_to)
        grades.append(
            Grade(
                horizon="outcome",
                baseline=True,
                outcome="undecided" if base is None else ("hit" if base else "miss"),
                hit=base,
                price_from=call.price,
                at_from=call.made_at,
                source=source(call.symbol),
            )
        )
    return grades
