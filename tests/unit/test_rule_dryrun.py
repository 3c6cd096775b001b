"""The dry-run (services/signals/rules/dryrun.py): an alert replayed over past bars through the
live engine's own condition code: what it counts, at night in the reader's time, the move after,
and the quieter threshold it offers a noisy repeating alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.kernel.rule_model import RuleKind, RuleSpec, Side
from services.market.ticker.candles import Bar, CandleBar
from services.signals.rules.dryrun import bar_for, dry_run, replay

D = Decimal
T0 = datetime(2026, 11, 1, tzinfo=UTC)
HOUR = 3600
JAKARTA = ZoneInfo("Asia/Jakarta")  # UTC+7: 15:00 UTC is 22:00 there


def bars(
    closes: list[float], highs: dict[int, float] | None = None, step: int = HOUR
) -> list[CandleBar]:
    """Flat bars at each close; `highs` lifts a bar's high (a wick) without moving its close."""
    found = []
    for n, close in enumerate(closes):
        high = max(close, (highs or {}).get(n, close))
        found.append(
            CandleBar(
                ts=T0 + timedelta(seconds=step * n),
                open=D(str(close)),
                high=D(str(high)),
                low=D(str(close)),
                close=D(str(close)),
            )
        )
    return found


def level(side: Side, value: str, repeat: int | None = None) -> RuleSpec:
    return RuleSpec(
        symbol="SOL-USDT", kind=RuleKind.LEVEL, side=side, level=D(value), repeat_seconds=repeat
    )


def move(pct: str, window: str, side: Side = Side.BOTH, repeat: int | None = None) -> RuleSpec:
    return RuleSpec(
        symbol="SOL-USDT",
        kind=RuleKind.MOVE,
        side=side,
        move_pct=D(pct),
        window=window,
        repeat_seconds=repeat,
    )


def test_a_level_counts_each_crossing_from_its_side_not_the_hours_spent_beyond() -> None:
    # Below 190, then above for three hours (one crossing), back, above again (a second).
    path = bars([185, 186, 191, 192, 193, 187, 186, 195, 188])
    assert [f.at for f in replay(level(Side.ABOVE, "190"), path, HOUR)] == [
        T0 + timedelta(hours=3),  # the end of the bar it crossed in
        T0 + timedelta(hours=8),
    ]
    # A wick through the level within one bar is a crossing too.
    assert len(replay(level(Side.ABOVE, "190"), bars([185, 186], {1: 190.5}), HOUR)) == 1


def test_a_level_the_history_starts_beyond_waits_for_the_price_to_come_back_first() -> None:
    """As a live alert set then would be: it never fires at being set."""
    assert replay(level(Side.ABOVE, "190"), bars([195, 196, 197]), HOUR) == []
    assert len(replay(level(Side.ABOVE, "190"), bars([195, 185, 191]), HOUR)) == 1


def test_a_repeating_level_respects_its_cooldown_in_the_replay() -> None:
    path = bars([185, 191, 185, 191, 185, 191])  # crossings at bars 1, 3 and 5
    assert len(replay(level(Side.ABOVE, "190", repeat=HOUR), path, HOUR)) == 3
    # Three hours of cooldown: the crossing two hours after the first waits; the next fires.
    fired = replay(level(Side.ABOVE, "190", repeat=3 * HOUR), path, HOUR)
    assert [f.at for f in fired] == [T0 + timedelta(hours=2), T0 + timedelta(hours=6)]


def test_a_move_measures_from_the_windows_start_and_fires_once_per_move() -> None:
    # 100 flat, then a climb of 1% an hour for six hours: 4% within 4h first at hour 4.
    closes = [100.0] * 5 + [101.0, 102.0, 103.0, 104.0, 105.0, 106.0]
    fired = replay(move("4", "4h", Side.UP), bars(closes), HOUR)
    assert fired[0].at == T0 + timedelta(hours=9)  # the bar closing at 104 ends at hour 9
    assert fired[0].price == D(104)
    # It re-anchors where it fired: the climb goes on to 106 (2% more), not a second 4%.
    assert len(fired) == 1
    assert replay(move("4", "4h", Side.DOWN), bars(closes), HOUR) == []


def test_the_count_says_how_many_at_night_in_the_readers_time_and_the_move_after() -> None:
    # Crossings at 15:00 UTC (22:00 in Jakarta: night) and at 03:00 UTC (10:00: day).
    closes = [185.0] * 30
    closes[15], closes[27] = 191.0, 191.0
    path = bars(closes)
    path[19] = path[19].model_copy(update={"close": D("181.3")})  # 4 h after the first
    dry = dry_run(level(Side.ABOVE, "190"), path, HOUR, JAKARTA, D(185))
    assert dry.fires == 2
    assert dry.night == 1  # the one ending 16:00 UTC (23:00 WIB)
    # 4 h after: 191 -> 181.3 (-5.08%) for the first; the second has no bar 4 h later.
    assert dry.median_after == D("-5.08")
    assert dry.days == D("1.2")
    assert dry.repeats is False and dry.quieter is None


def test_a_noisy_repeating_alert_is_offered_the_nearest_threshold_firing_about_daily() -> None:
    # Two days of a price swinging 100 -> 101.5 -> 100 every two hours: a 1% move within an
    # hour fires about twelve times a day; the swings never reach 2%.
    closes = [100.0 if n % 2 == 0 else 101.5 for n in range(48)]
    spec = move("1", "1h", Side.BOTH, repeat=HOUR)
    dry = dry_run(spec, bars(closes), HOUR, JAKARTA, D(100))
    assert dry.fires > 20
    assert dry.quieter is not None
    assert D("1.5") < dry.quieter <= D(2)  # past the 1.5% swings, the nearest step
    quieter = spec.model_copy(update={"move_pct": dry.quieter})
    assert len(replay(quieter, bars(closes), HOUR)) <= 2
    # A once alert is not offered one (it fires once anyway).
    assert dry_run(move("1", "1h"), bars(closes), HOUR, JAKARTA, D(100)).quieter is None


def test_a_noisy_level_gets_a_further_level_on_its_own_side() -> None:
    closes = [99.5 if n % 2 == 0 else 100.5 for n in range(48)]
    spec = level(Side.ABOVE, "100", repeat=HOUR)
    dry = dry_run(spec, bars(closes), HOUR, JAKARTA, D("99.5"))
    assert dry.quieter is not None and dry.quieter > D("100.5")
    assert replay(spec.model_copy(update={"level": dry.quieter}), bars(closes), HOUR) == []


def test_the_bars_read_are_fine_enough_for_what_the_alert_tells_apart() -> None:
    assert bar_for(move("3", "15m")) is Bar.M5
    assert bar_for(move("3", "4h")) is Bar.H1
    assert bar_for(level(Side.ABOVE, "190")) is Bar.H1
    assert bar_for(level(Side.ABOVE, "190", repeat=600)) is Bar.M5  # repeats within the hour
