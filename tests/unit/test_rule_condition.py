"""What an alert does on a price path, pinned as tables (services/signals/rules/condition.py):
a level fires on a crossing, never at creation, however far the price jumped between two looks;
a repeating one re-arms once back and keeps its cooldown; a move measures from its window's start
and, once fired, from where it fired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.kernel.rule_model import RuleKind, RuleSpec, RuleState, Side
from services.signals.rules.condition import Stretch, step

T0 = datetime(2026, 12, 1, tzinfo=UTC)
D = Decimal


def level(side: Side, value: str, repeat: int | None = None) -> RuleSpec:
    return RuleSpec(
        symbol="SOL-USDT", kind=RuleKind.LEVEL, side=side, level=D(value), repeat_seconds=repeat
    )


def run(spec: RuleSpec, path: list[tuple[str, str] | str], start: str | None = None) -> list[int]:
    """The indexes of the looks at which it fired. A look is a price, or (low, high)."""
    state, fired = RuleState(), []
    for n, look in enumerate(path):
        low, high = (D(look), D(look)) if isinstance(look, str) else (D(look[0]), D(look[1]))
        stretch = Stretch(
            at=T0 + timedelta(minutes=5 * n),
            low=low,
            high=high,
            last=high,
            start=D(start) if start else None,
        )
        state, hit = step(spec, state, stretch)
        if hit is not None:
            fired.append(n)
    return fired


LEVELS = [
    ("crosses up once", level(Side.ABOVE, "190"), ["185", "189", "191", "192"], [2]),
    ("touches the level: that is reaching it", level(Side.ABOVE, "190"), ["189", "190"], [1]),
    ("never gets there", level(Side.ABOVE, "190"), ["185", "189.99", "189"], []),
    ("jumps past between two looks", level(Side.ABOVE, "190"), ["185", "250"], [1]),
    ("a wick through it within one look", level(Side.ABOVE, "190"), [("185", "190.5")], [0]),
    ("falls through a support", level(Side.BELOW, "95000"), ["97000", "94000"], [1]),
    (
        "a once alert fires once, however often it crosses",
        level(Side.ABOVE, "190"),
        ["189", "191", "188", "192"],
        [1],
    ),
    (
        "a repeating alert fires again after coming back and past its cooldown",
        level(Side.ABOVE, "190", repeat=600),
        ["189", "191", "188", "188", "192"],
        [1, 4],
    ),
    (
        "inside its cooldown a new crossing waits, and fires when the cooldown ends",
        level(Side.ABOVE, "190", repeat=1200),
        ["189", "191", "188", "191", "191", "191"],
        [1, 5],
    ),
    (
        "staying beyond does not fire it again",
        level(Side.ABOVE, "190", repeat=60),
        ["189", "191", "192", "193"],
        [1],
    ),
]


@pytest.mark.parametrize(("why", "spec", "path", "fires"), LEVELS, ids=[c[0] for c in LEVELS])
def test_a_level_fires_on_a_crossing(
    why: str, spec: RuleSpec, path: list[str], fires: list[int]
) -> None:
    if spec.repeat_seconds is None and len(fires) > 0:
        fires = fires[:1]  # a once alert is over after its first fire (the engine ends it)
        assert run(spec, path)[:1] == fires, why
        return
    assert run(spec, path) == fires, why


def move(side: Side, pct: str, window: str = "15m", repeat: int | None = None) -> RuleSpec:
    return RuleSpec(
        symbol="SOL-USDT",
        kind=RuleKind.MOVE,
        side=side,
        move_pct=D(pct),
        window=window,
        repeat_seconds=repeat,
    )


MOVES = [
    ("3 % up from the window's start", move(Side.UP, "3"), ["101", "103", "104"], "100", [1]),
    ("a fall does not fire an up alert", move(Side.UP, "3"), ["97", "95"], "100", []),
    ("either way: a fall fires it", move(Side.BOTH, "3"), ["99", "96.9"], "100", [1]),
    ("down only", move(Side.DOWN, "5"), ["104", "96", "94.9"], "100", [2]),
    (
        "one move fires once: it then measures from where it fired",
        move(Side.UP, "3", repeat=60),
        ["103", "104", "105", "106.5"],
        "100",
        [0, 3],
    ),
]


@pytest.mark.parametrize(
    ("why", "spec", "path", "start", "fires"), MOVES, ids=[c[0] for c in MOVES]
)
def test_a_move_measures_from_its_windows_start_then_from_where_it_fired(
    why: str, spec: RuleSpec, path: list[str], start: str, fires: list[int]
) -> None:
    assert run(spec, path, start) == fires, why


def test_a_move_without_a_window_start_yet_never_fires() -> None:
    assert run(move(Side.BOTH, "1"), ["150", "80"], start=None) == []
