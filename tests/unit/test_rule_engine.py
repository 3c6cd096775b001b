"""The alert engine's index (services/signals/rules/engine.py): a pass looks only at the alerts
the prices reached, whatever their number; what fires, ends, re-arms, expires, is reminded
of, or wakes from a snooze."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import services.signals.rules.engine as engine_module
from services.kernel.rule_model import Rule, RuleKind, RuleSpec, RuleState, Side, Status
from services.signals.rules.engine import RuleEngine

D = Decimal
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def rule(
    rule_id: int,
    level: str | None = None,
    side: Side = Side.ABOVE,
    *,
    symbol: str = "SOL-USDT",
    repeat: int | None = None,
    move_pct: str | None = None,
    window: str = "15m",
    status: Status = Status.ACTIVE,
    expires_in: timedelta = timedelta(days=30),
    paused_until: datetime | None = None,
    armed: bool = True,
) -> Rule:
    kind = RuleKind.MOVE if move_pct is not None else RuleKind.LEVEL
    if kind is RuleKind.MOVE and side is Side.ABOVE:
        side = Side.BOTH
    return Rule(
        id=rule_id,
        chat_id=1000 + rule_id % 7,
        spec=RuleSpec(
            symbol=symbol,
            kind=kind,
            side=side,
            level=D(level) if level else None,
            move_pct=D(move_pct) if move_pct else None,
            window=window if kind is RuleKind.MOVE else None,
            repeat_seconds=repeat,
        ),
        expires_at=NOW + expires_in,
        status=status,
        paused_until=paused_until,
        state=RuleState(armed=armed),
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW - timedelta(hours=1),
    )


def price(value: str) -> tuple[Decimal, Decimal, Decimal]:
    return D(value), D(value), D(value)


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every alert the engine hands to the condition code, counted."""
    seen: list[int] = []
    real = engine_module.step

    def counting(spec: RuleSpec, state: RuleState, stretch: object) -> object:
        seen.append(1)
        return real(spec, state, stretch)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "step", counting)
    return seen


def test_a_pass_looks_only_at_the_alerts_the_price_reached(stepped: list[int]) -> None:
    engine = RuleEngine()
    # 20,000 levels above and below SOL at 150, none within reach of the next prices.
    engine.load(rule(n, str(200 + n / 100)) for n in range(10_000))
    engine.load(rule(n, str(100 - n / 1000), Side.BELOW) for n in range(10_000, 20_000))
    assert engine.evaluate({"SOL-USDT": price("150")}, NOW) == []
    assert stepped == []  # not one of the 20,000 was looked at
    decisions = engine.evaluate({"SOL-USDT": (D("149"), D("200.05"), D("200"))}, NOW)
    # Exactly the levels from 200.00 to 200.05: six alerts, each fired once and ended.
    assert sorted(d.rule.id for d in decisions) == [0, 1, 2, 3, 4, 5]
    assert len(stepped) == 6
    assert all(d.status is Status.FIRED and d.hit is not None for d in decisions)
    assert len(engine) == 20_000 - 6


def test_other_instruments_and_the_perpetual_are_their_own() -> None:
    engine = RuleEngine()
    engine.load([rule(1, "190"), rule(2, "190", symbol="SOL-USDT-SWAP")])
    [fired] = engine.evaluate({"SOL-USDT-SWAP": price("191"), "SOL-USDT": price("189")}, NOW)
    assert fired.rule.id == 2
    assert engine.symbols() == {"SOL-USDT"}


def test_a_repeating_alert_waits_to_come_back_and_for_its_cooldown() -> None:
    engine = RuleEngine()
    engine.load([rule(1, "190", repeat=600)])
    [first] = engine.evaluate({"SOL-USDT": price("191")}, NOW)
    assert first.hit is not None and first.status is Status.ACTIVE and not first.rule.state.armed
    assert engine.evaluate({"SOL-USDT": price("192")}, NOW + timedelta(minutes=1)) == []
    [rearmed] = engine.evaluate({"SOL-USDT": price("189")}, NOW + timedelta(minutes=2))
    assert rearmed.hit is None and rearmed.rule.state.armed
    # Back above inside the ten-minute cooldown: it holds; past it, it fires.
    assert engine.evaluate({"SOL-USDT": price("191")}, NOW + timedelta(minutes=5)) == []
    [again] = engine.evaluate({"SOL-USDT": price("191")}, NOW + timedelta(minutes=11))
    assert again.hit is not None and again.rule.fires == 2


def test_a_move_alert_is_found_by_its_threshold_from_the_windows_start() -> None:
    engine = RuleEngine()
    engine.load([rule(1, move_pct="3"), rule(2, move_pct="5"), rule(3, move_pct="2", window="1h")])
    starts = {("SOL-USDT", "15m"): D(100), ("SOL-USDT", "1h"): D(104)}
    decisions = engine.evaluate({"SOL-USDT": price("103.5")}, NOW, starts)
    assert [d.rule.id for d in decisions] == [1]  # +3.5% in 15m; only -0.5% in the hour
    assert decisions[0].hit is not None and decisions[0].hit.moved_pct == D("3.5")
    assert engine.windows() == {"SOL-USDT": {"15m", "1h"}}


def test_expiry_ends_an_alert_with_one_decision_after_one_reminder_a_day_before() -> None:
    engine = RuleEngine()
    engine.load([rule(1, "190", expires_in=timedelta(days=2))])
    assert engine.evaluate({}, NOW + timedelta(hours=23)) == []
    [reminder] = engine.evaluate({}, NOW + timedelta(days=1, minutes=1))
    assert reminder.reminder and reminder.status is Status.ACTIVE
    assert engine.evaluate({}, NOW + timedelta(days=1, minutes=2)) == []  # told once
    [ended] = engine.evaluate({}, NOW + timedelta(days=2))
    assert ended.expired and ended.status is Status.EXPIRED
    assert len(engine) == 0
    assert engine.evaluate({"SOL-USDT": price("500")}, NOW + timedelta(days=3)) == []


def test_a_snoozed_alert_wakes_and_a_paused_or_deleted_one_is_let_go() -> None:
    engine = RuleEngine()
    until = NOW + timedelta(hours=1)
    engine.load([rule(1, "190", status=Status.PAUSED, paused_until=until), rule(2, "190")])
    [fired] = engine.evaluate({"SOL-USDT": price("191")}, NOW)
    assert fired.rule.id == 2  # the snoozed one does not fire
    [woke] = engine.evaluate({"SOL-USDT": price("189")}, until + timedelta(seconds=1))
    assert woke.rule.id == 1 and woke.status is Status.ACTIVE
    [after] = engine.evaluate({"SOL-USDT": price("191")}, until + timedelta(seconds=6))
    assert after.rule.id == 1 and after.hit is not None
    engine.load([rule(3, "195"), rule(3, "195", status=Status.DELETED)])
    assert engine.evaluate({"SOL-USDT": price("196")}, until + timedelta(seconds=11)) == []
    assert engine.rule(3) is None
