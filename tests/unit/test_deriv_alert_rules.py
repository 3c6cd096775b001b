"""Alerts on a perpetual's funding and open interest, as pure logic: what `/alert … funding` and
`/alert … oi` mean, how a settlement is judged (the rate paid, per 8 h, at each settlement, not
on a crossing), what a flip of sign is, that SOL's funding never meets SOL's price in the
engine, and what the dry-run counts over past settlements and readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.kernel.rule_model import (
    PREVIOUS,
    Metric,
    Rule,
    RuleKind,
    RuleSpec,
    RuleState,
    Side,
    Status,
    split_key,
)
from services.market.funding.service import Settlement
from services.signals.rules.condition import Stretch, step
from services.signals.rules.dryrun import dry_run, value_bars
from services.signals.rules.engine import RuleEngine
from services.signals.rules.parse import Problem, RuleError, parse_rule
from services.signals.rules.readings import funding_points

D = Decimal
T0 = datetime(2026, 12, 1, tzinfo=UTC)
SWAP = "SOL-USDT-SWAP"


def funding_level(side: Side, level: str, repeat: int | None = None) -> RuleSpec:
    return RuleSpec(
        symbol=SWAP,
        kind=RuleKind.LEVEL,
        metric=Metric.FUNDING,
        side=side,
        level=D(level),
        repeat_seconds=repeat,
    )


def flip(side: Side = Side.BOTH) -> RuleSpec:
    return RuleSpec(symbol=SWAP, kind=RuleKind.FLIP, metric=Metric.FUNDING, side=side)


def settle(spec: RuleSpec, state: RuleState, at: int, rate: str, before: str | None = None):  # type: ignore[no-untyped-def]
    value = D(rate)
    stretch = Stretch(
        at=T0 + timedelta(hours=8 * at),
        low=value,
        high=value,
        last=value,
        start=D(before) if before is not None else None,
    )
    return step(spec, state, stretch)


# --- what a trader types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "metric", "side", "level", "move", "window"),
    [
        ("SOL funding > 0.05%", RuleKind.LEVEL, Metric.FUNDING, Side.ABOVE, "0.05", None, None),
        ("sol funding below -0.01%", RuleKind.LEVEL, Metric.FUNDING, Side.BELOW, "-0.01", None,
         None),
        ("SOL funding <-0.01", RuleKind.LEVEL, Metric.FUNDING, Side.BELOW, "-0.01", None, None),
        ("SOL funding 0.03%", RuleKind.LEVEL, Metric.FUNDING, None, "0.03", None, None),
        ("SOL funding flips", RuleKind.FLIP, Metric.FUNDING, Side.BOTH, None, None, None),
        ("SOL funding flips sign", RuleKind.FLIP, Metric.FUNDING, Side.BOTH, None, None, None),
        ("SOL funding flips negative", RuleKind.FLIP, Metric.FUNDING, Side.DOWN, None, None,
         None),
        ("BTC oi +5% 4h", RuleKind.MOVE, Metric.OI, Side.UP, None, "5", "4h"),
        ("BTC oi -3% 1h", RuleKind.MOVE, Metric.OI, Side.DOWN, None, "3", "1h"),
        ("BTC oi 5% 24h", RuleKind.MOVE, Metric.OI, Side.BOTH, None, "5", "24h"),
        ("BTC OI 5% 24h down", RuleKind.MOVE, Metric.OI, Side.DOWN, None, "5", "24h"),
    ],
)  # fmt: skip
def test_funding_and_oi_alerts_read_as_meant(
    text: str,
    kind: RuleKind,
    metric: Metric,
    side: Side | None,
    level: str | None,
    move: str | None,
    window: str | None,
) -> None:
    request = parse_rule(text)
    assert (request.kind, request.metric, request.side) == (kind, metric, side)
    assert request.level == (D(level) if level else None)
    assert request.move_pct == (D(move) if move else None)
    assert request.window == window


def test_options_and_a_note_follow_a_funding_alert() -> None:
    request = parse_rule("SOL funding > 0.05% every 8h for 7d crowded longs")
    assert request.repeat == timedelta(hours=8) and request.expires_in == timedelta(days=7)
    assert request.note == "crowded longs"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SOL funding", Problem.NO_FUNDING),
        ("SOL funding > lots", Problem.NO_FUNDING),
        ("SOL funding > 5%", Problem.FUNDING_RANGE),  # 0.05 meant: past any exchange's cap
        ("SOL funding > -4", Problem.FUNDING_RANGE),
        ("BTC oi", Problem.NO_MOVE),
        ("BTC oi +5%", Problem.BAD_WINDOW),
        ("BTC oi +5% 15m", Problem.BAD_WINDOW),  # OI history is 5-minute rows: 1h at least
        ("BTC oi +500% 4h", Problem.MOVE_TOO_BIG),
    ],
)
def test_a_bad_funding_or_oi_alert_names_its_mistake(text: str, problem: Problem) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    assert caught.value.problem is problem


# --- judged at settlement ------------------------------------------------------------------


def test_a_funding_level_fires_at_the_first_settlement_beyond_it_even_if_set_beyond() -> None:
    """Not a crossing: 'tell me when funding is above 0.05%' is about what a settlement paid,
    so one already above when the alert is set fires at the next settlement."""
    spec = funding_level(Side.ABOVE, "0.05")
    state, hit = settle(spec, RuleState(), 1, "0.04")
    assert hit is None
    state, hit = settle(spec, state, 2, "0.06")
    assert hit is not None and hit.price == D("0.06")
    _state, hit = settle(funding_level(Side.ABOVE, "0.05"), RuleState(), 1, "0.07")
    assert hit is not None  # above at its first settlement: told


def test_a_repeating_funding_alert_waits_for_a_settlement_back_below_before_firing_again() -> None:
    spec = funding_level(Side.ABOVE, "0.05", repeat=3600)
    state, hit = settle(spec, RuleState(), 1, "0.06")
    assert hit is not None
    state, hit = settle(spec, state, 2, "0.08")  # still above: the same episode, quiet
    assert hit is None
    state, hit = settle(spec, state, 3, "0.01")  # back below: armed again
    assert hit is None and state.armed
    _state, hit = settle(spec, state, 4, "0.051")
    assert hit is not None


def test_a_negative_funding_level_fires_below_it() -> None:
    spec = funding_level(Side.BELOW, "-0.01")
    _state, hit = settle(spec, RuleState(), 1, "-0.005")
    assert hit is None  # -0.005 % is above -0.01 %
    _state, hit = settle(spec, RuleState(), 1, "-0.02")
    assert hit is not None


@pytest.mark.parametrize(
    ("side", "before", "now", "fires"),
    [
        (Side.BOTH, "0.01", "-0.002", True),
        (Side.BOTH, "-0.01", "0.003", True),
        (Side.BOTH, "0.01", "0.02", False),
        (Side.BOTH, "-0.01", "-0.02", False),
        (Side.DOWN, "0.01", "-0.002", True),  # turns negative: shorts now pay longs
        (Side.DOWN, "-0.01", "0.003", False),
        (Side.UP, "-0.01", "0.003", True),
        (Side.UP, "0.01", "-0.002", False),
    ],
)
def test_a_flip_is_the_rate_paid_changing_sign_the_way_asked(
    side: Side, before: str, now: str, fires: bool
) -> None:
    _state, hit = settle(flip(side), RuleState(), 1, now, before=before)
    assert (hit is not None) is fires
    if hit is not None:
        assert hit.previous == D(before)


def test_a_flip_without_a_settlement_before_it_waits() -> None:
    _state, hit = settle(flip(), RuleState(), 1, "-0.01")
    assert hit is None


def test_the_paid_rate_is_compared_per_8h_whatever_the_interval() -> None:
    """0.01 % every 4 h costs what 0.02 % every 8 h does: both read 0.02 % per 8 h. A
    missing row (a 16 h gap) is not read as a 16 h interval."""
    paid = [
        Settlement(at=T0, rate=D("0.0001")),
        Settlement(at=T0 + timedelta(hours=4), rate=D("0.0001")),
        Settlement(at=T0 + timedelta(hours=20), rate=D("0.0001")),
    ]
    points = funding_points(paid, D(4))
    assert [v for _at, v in points] == [D("0.02"), D("0.02"), D("0.02")]
    hourly = funding_points([Settlement(at=T0, rate=D("0.0001"))], D(1))
    assert hourly[0][1] == D("0.08")


# --- the engine --------------------------------------------------------------------------


def stored(rule_id: int, spec: RuleSpec, created: datetime = T0) -> Rule:
    return Rule(
        id=rule_id,
        chat_id=77,
        spec=spec,
        expires_at=T0 + timedelta(days=30),
        status=Status.ACTIVE,
        state=RuleState(),
        created_at=created,
        updated_at=created,
    )


def test_a_coins_funding_never_meets_its_price_in_the_engine() -> None:
    """SOL's perpetual at a price of 0.06 must not fire 'funding above 0.05%', nor a funding of
    0.06 % a price alert above 0.05: each reads its own key."""
    price_alert = stored(1, RuleSpec(symbol=SWAP, kind=RuleKind.LEVEL, side=Side.ABOVE,
                                     level=D("0.05")))  # fmt: skip
    funding_alert = stored(2, funding_level(Side.ABOVE, "0.05"))
    engine = RuleEngine()
    engine.load([price_alert, funding_alert])
    assert engine.symbols() == {SWAP, f"funding:{SWAP}"}
    assert split_key(f"funding:{SWAP}") == (Metric.FUNDING, SWAP)
    now = T0 + timedelta(hours=8)
    [by_price] = engine.evaluate({SWAP: (D("0.06"), D("0.06"), D("0.06"))}, now)
    assert by_price.rule.id == 1
    [by_funding] = engine.evaluate({f"funding:{SWAP}": (D("0.06"),) * 3}, now, at=now)
    assert by_funding.rule.id == 2 and by_funding.at == now


def test_an_alert_set_after_a_settlement_is_not_judged_on_it() -> None:
    settled_at = T0 + timedelta(hours=8)
    engine = RuleEngine()
    engine.load([stored(3, funding_level(Side.ABOVE, "0.05"), created=settled_at + timedelta(
        minutes=5))])  # fmt: skip
    key = f"funding:{SWAP}"
    assert engine.evaluate({key: (D("0.09"),) * 3}, settled_at + timedelta(minutes=6),
                           at=settled_at) == []  # fmt: skip


def test_a_flip_reads_the_settlement_before_from_its_start() -> None:
    engine = RuleEngine()
    engine.load([stored(4, flip(Side.DOWN))])
    key = f"funding:{SWAP}"
    at = T0 + timedelta(hours=8)
    [fired] = engine.evaluate({key: (D("-0.01"),) * 3}, at, {(key, PREVIOUS): D("0.02")}, at)
    assert fired.hit is not None and fired.hit.previous == D("0.02")


def test_an_oi_move_reads_its_window_start_from_its_own_key() -> None:
    spec = RuleSpec(symbol=SWAP, kind=RuleKind.MOVE, metric=Metric.OI, side=Side.UP,
                    move_pct=D(5), window="4h")  # fmt: skip
    engine = RuleEngine()
    engine.load([stored(5, spec)])
    key = f"oi:{SWAP}"
    assert engine.windows() == {key: {"4h"}}
    now = T0 + timedelta(hours=5)
    starts = {(key, "4h"): D(1000)}
    assert engine.evaluate({key: (D(1040),) * 3}, now, starts, now) == []  # +4 %
    [fired] = engine.evaluate({key: (D(1060),) * 3}, now, starts, now)
    assert fired.hit is not None and fired.hit.moved_pct == D(6)


# --- the dry-run --------------------------------------------------------------------------


def points(values: list[str], hours: int = 8) -> list[tuple[datetime, Decimal]]:
    return [(T0 + timedelta(hours=hours * n), D(v)) for n, v in enumerate(values)]


def test_a_funding_dry_run_counts_each_stretch_above_once_and_tells_no_price_move() -> None:
    rates = ["0.01", "0.06", "0.07", "0.02", "0.08", "0.01", "0.01"]
    dry = dry_run(funding_level(Side.ABOVE, "0.05"), value_bars(points(rates)), 8 * 3600,
                  ZoneInfo("UTC"), D("0.01"))  # fmt: skip
    assert dry.fires == 2 and dry.metric is Metric.FUNDING
    assert dry.median_after is None  # a price move after a funding reading is not told
    assert dry.days == D("2.3")


def test_a_flip_dry_run_counts_sign_changes_through_zero_rates() -> None:
    rates = ["0.01", "0", "-0.01", "-0.02", "0.01", "0.02"]
    dry = dry_run(flip(), value_bars(points(rates)), 8 * 3600, ZoneInfo("UTC"), D(0))
    assert dry.fires == 2  # + (0) - and - +: a zero carries no sign
    down = dry_run(flip(Side.DOWN), value_bars(points(rates)), 8 * 3600, ZoneInfo("UTC"), D(0))
    assert down.fires == 1


def test_an_oi_dry_run_replays_moves_over_hourly_readings() -> None:
    spec = RuleSpec(symbol=SWAP, kind=RuleKind.MOVE, metric=Metric.OI, side=Side.UP,
                    move_pct=D(5), window="4h")  # fmt: skip
    oi = ["1000"] * 5 + ["1100"] + ["1100"] * 10
    dry = dry_run(spec, value_bars(points(oi, hours=1)), 3600, ZoneInfo("UTC"), D(1100))
    assert dry.fires == 1 and dry.median_after is None
