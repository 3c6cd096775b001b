"""The one condition code: whether an alert fires on a stretch of price, and its state after.
The live engine (engine.py) and the dry-run over past candles (dryrun.py) both step through it,
so what the dry-run counts is what the alert would have done.

A stretch is what one look at the price saw: its low and high since the last look (one price
on a live pass; a candle's range in a replay or over a gap after a restart), its last price,
and, for a move, the price at the start of its window. A funding alert's stretch is one
settlement (the rate paid, its start the settlement before); an open interest alert's is one
reading of open interest, its start the reading a window before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.kernel.rule_model import RuleKind, RuleSpec, RuleState, Side


@dataclass(frozen=True, slots=True)
class Stretch:
    at: datetime  # its end
    low: Decimal
    high: Decimal
    last: Decimal
    start: Decimal | None = None  # a move: the price at the start of its window


@dataclass(frozen=True, slots=True)
class Hit:
    price: Decimal  # the price it is reported at (the level reached, or the last price)
    moved_pct: Decimal | None = None  # a move: how far the price went from its start
    previous: Decimal | None = None  # a flip: the rate before, of the other sign


def beyond(spec: RuleSpec, low: Decimal, high: Decimal) -> bool:
    """Whether the price reached the far side of a level alert within [low, high]."""
    assert spec.level is not None
    return high >= spec.level if spec.side is Side.ABOVE else low <= spec.level


def back(spec: RuleSpec, low: Decimal, high: Decimal) -> bool:
    """Whether it was back on the side a level alert is set from (a repeat re-arms)."""
    assert spec.level is not None
    return low < spec.level if spec.side is Side.ABOVE else high > spec.level


def moved(spec: RuleSpec, start: Decimal, low: Decimal, high: Decimal) -> Decimal | None:
    """The move from `start` that meets a move alert's threshold, signed; None when none does."""
    assert spec.move_pct is not None
    up = (high - start) / start * 100
    down = (start - low) / start * 100
    if spec.side in (Side.UP, Side.BOTH) and up >= spec.move_pct:
        return up
    if spec.side in (Side.DOWN, Side.BOTH) and down >= spec.move_pct:
        return -down
    return None


def flipped(spec: RuleSpec, before: Decimal, now: Decimal) -> bool:
    """Whether the funding paid changed sign the way a flip alert watches (a zero rate has no
    sign: the job hands the last signed settlement as `before`)."""
    if spec.side is Side.UP:
        return before < 0 < now
    if spec.side is Side.DOWN:
        return before > 0 > now
    return before * now < 0


def cooling(spec: RuleSpec, state: RuleState, at: datetime) -> bool:
    """A repeating alert inside its cooldown after a fire."""
    return (
        spec.repeat_seconds is not None
        and state.last_fired_at is not None
        and (at - state.last_fired_at).total_seconds() < spec.repeat_seconds
    )


def step(spec: RuleSpec, state: RuleState, stretch: Stretch) -> tuple[RuleState, Hit | None]:
    """The alert's state after this stretch, and the hit if it fired in it.

    A level fires on a crossing: it is armed on the side it was set from and fires the first
    time the price is on the other side, however far it jumped between two looks. A repeating
    alert re-arms once the price is back on its side, and fires again only past its cooldown
    (a crossing inside the cooldown keeps it armed: it fires when the cooldown ends if the
    price is still beyond). A move measures from its window's start, or from where it last
    fired while that is inside the window, so one move fires it once."""
    if spec.kind is RuleKind.LEVEL:
        if not state.armed:
            if back(spec, stretch.low, stretch.high):
                state = RuleState(**{**state.model_dump(), "armed": True})
            return state, None
        if beyond(spec, stretch.low, stretch.high) and not cooling(spec, state, stretch.at):
            assert spec.level is not None
            fired = RuleState(armed=False, last_fired_at=stretch.at)
            return fired, Hit(price=stretch.last)
        return state, None
    if spec.kind is RuleKind.FLIP:
        if stretch.start is None or cooling(spec, state, stretch.at):
            return state, None
        if not flipped(spec, stretch.start, stretch.last):
            return state, None
        return RuleState(last_fired_at=stretch.at), Hit(price=stretch.last, previous=stretch.start)
    start = stretch.start
    if state.anchor_at is not None and stretch.at - state.anchor_at < spec.window_length:
        start = state.anchor_price
    if start is None or start <= 0 or cooling(spec, state, stretch.at):
        return state, None
    change = moved(spec, start, stretch.low, stretch.high)
    if change is None:
        return state, None
    after = RuleState(last_fired_at=stretch.at, anchor_price=stretch.last, anchor_at=stretch.at)
    return after, Hit(price=stretch.last, moved_pct=change)
