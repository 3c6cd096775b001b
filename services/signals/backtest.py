"""Replays the bias and sniper rules over the input journal with other thresholds, and grades
what they would have called against the stored OKX candles, so a rule is tuned on evidence."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from pydantic import BaseModel

from services.kernel.models import Candle
from services.signals.bias.rule import BiasInputs, Direction, Thresholds
from services.signals.bias.rule import evaluate as evaluate_bias
from services.signals.calls import Kind, bias_call, levels, sniper_call
from services.signals.grade_rows import horizon_grades, sniper_grades
from services.signals.grading import FINAL, track_sniper
from services.signals.sniper.rule import EntryMap, SniperInputs, SniperLimits, same_setup
from services.signals.sniper.rule import evaluate as evaluate_sniper
from services.signals.track_record import TrackRecord, summarise
from services.storage.calls import NewCall, StoredCall, StoredGrade
from services.storage.journal import Entry


class Rules(BaseModel):
    bias: Thresholds
    sniper: SniperLimits
    lifetime: timedelta


class Replayed(BaseModel):
    label: str  # "current", "changed"
    bias: TrackRecord
    sniper: TrackRecord
    ungraded: int  # calls the stored candles do not cover


def _stored(call_id: int, call: NewCall) -> StoredCall:
    return StoredCall(
        **call.model_dump(), id=call_id, open=True, status="open", status_at=call.made_at
    )


def bias_calls(entries: list[Entry], rules: Thresholds) -> list[StoredCall]:
    """Edge-triggered as the job is: a call when a symbol turns LONG or SHORT."""
    last: dict[str, str] = {}
    calls: list[StoredCall] = []
    for entry in entries:
        call = evaluate_bias(BiasInputs.model_validate(entry.inputs), rules)
        if len(call.evidence) < 2:
            continue
        was = last.get(call.symbol, Direction.NEUTRAL.value)
        last[call.symbol] = call.direction.value
        if call.direction is not Direction.NEUTRAL and was != call.direction.value:
            calls.append(_stored(len(calls) + 1, bias_call(call, pushed=True)))
    return calls


def sniper_calls(entries: list[Entry], rules: SniperLimits) -> list[StoredCall]:
    """One call per new setup, as the job records them."""
    live: dict[str, EntryMap] = {}
    calls: list[StoredCall] = []
    for entry in entries:
        made = evaluate_sniper(SniperInputs.model_validate(entry.inputs), rules)
        previous = live.get(made.symbol)
        if not made.setup:
            continue
        if previous is not None and same_setup(
            previous.fingerprint(), made.fingerprint(), rules.same_setup_pct
        ):
            continue
        live[made.symbol] = made
        calls.append(_stored(10_000_000 + len(calls), sniper_call(made)))
    return calls


def replay(
    label: str,
    entries: list[Entry],
    candles: dict[str, list[Candle]],
    rules: Rules,
    *,
    days: int,
    now: datetime,
) -> Replayed:
    bias = bias_calls([e for e in entries if e.job == "bias"], rules.bias)
    sniper = sniper_calls([e for e in entries if e.job == "sniper"], rules.sniper)
    grades: dict[int, list[StoredGrade]] = defaultdict(list)
    ungraded = 0
    for call in [*bias, *sniper]:
        series = candles.get(call.symbol, [])
        found = None
        if call.kind == Kind.SNIPER:
            plan = levels(call, rules.lifetime)
            path = track_sniper(plan, series, now) if plan else None
            if plan is not None and path is not None and path.status in FINAL:
                found = sniper_grades(call, plan, path, series)
        else:
            found = horizon_grades(call, series)
        if not found:
            ungraded += 1
            continue
        grades[call.id] = [
            StoredGrade(**g.model_dump(), call_id=call.id, graded_at=now) for g in found
        ]
    return Replayed(
        label=label,
        bias=summarise(Kind.BIAS, bias, grades, days=days, symbol=None, now=now),
        sniper=summarise(Kind.SNIPER, sniper, grades, days=days, symbol=None, now=now),
        ungraded=ungraded,
    )
