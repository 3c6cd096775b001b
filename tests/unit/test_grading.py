from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, overload

import pytest

from services.signals.grading import (
    FINAL,
    HORIZONS,
    MINUTE,
    Candle,
    SniperLevels,
    SniperPath,
    SniperStatus,
    grade_direction,
    price_at,
    sniper_baseline,
    track_sniper,
    wilson,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
Row = tuple[float | str, float | str, float | str]  # (low, high, close) of one minute


def d(value: float | str) -> Decimal:
    return Decimal(str(value))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def path(rows: Sequence[Row], start: datetime = T0) -> list[Candle]:
    """One candle a minute from `start`; each opens at the previous close."""
    candles = []
    previous = d(rows[0][2]) if rows else Decimal(0)
    for i, (low, high, close) in enumerate(rows):
        candles.append(Candle(start + i * MINUTE, previous, d(high), d(low), d(close)))
        previous = d(close)
    return candles


def flat(closes: dict[int, float], minutes: int) -> list[Candle]:
    """`minutes` candles whose close steps to closes[m] from minute m on (low = high = close)."""
    rows: list[Row] = []
    price = closes[0]
    for m in range(minutes):
        price = closes.get(m, price)
        rows.append((price, price, price))
    return path(rows)


# ---- price_at ---------------------------------------------------------------------------

THREE = path([(99, 101, 100), (100, 102, 101), (101, 103, 102)])  # close at 12:01, :02, :03
GAPPED = [*path([(99, 101, 100), (100, 102, 101)]), *path([(101, 103, 105)], start=at(5))]


@pytest.mark.parametrize(
    ("candles", "when", "expected"),
    [
        (THREE, at(2), ("101", at(2))),  # the candle closing exactly at `at` counts
        (THREE, at(2) - timedelta(seconds=1), ("100", at(1))),  # closing 1 s later does not
        (THREE, at(3) + timedelta(seconds=59), ("102", at(3))),
        (THREE, at(1) - timedelta(seconds=1), None),  # before the first close
        (THREE, T0 - timedelta(hours=1), None),  # before the series
        (THREE, at(4), None),  # the series stops one bar short of `at`
        (THREE, at(30), None),
        (GAPPED, at(2) + timedelta(seconds=30), ("101", at(2))),
        (GAPPED, at(3) + timedelta(seconds=30), None),  # inside the 12:02-12:04 hole
        (GAPPED, at(4), None),
        (GAPPED, at(6), ("105", at(6))),
        ([], at(1), None),
    ],
)
def test_price_at(
    candles: list[Candle], when: datetime, expected: tuple[str, datetime] | None
) -> None:
    found = price_at(candles, when)
    assert found == (None if expected is None else (d(expected[0]), expected[1]))


def test_price_at_with_a_five_minute_bar() -> None:
    candles = path([(1, 1, 1), (2, 2, 2)])  # read as 5-minute bars: ts 12:00 and 12:01
    assert price_at(candles, at(6), bar=timedelta(minutes=5)) == (d(2), at(6))
    assert price_at(candles, at(5), bar=timedelta(minutes=5)) == (d(1), at(5))


class Counting(Sequence[Candle]):
    """A candle series that counts how many candles were read."""

    def __init__(self, candles: list[Candle]) -> None:
        self.candles = candles
        self.reads = 0

    def __len__(self) -> int:
        return len(self.candles)

    @overload
    def __getitem__(self, i: int) -> Candle: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Candle]: ...
    def __getitem__(self, i: int | slice) -> Candle | Sequence[Candle]:
        self.reads += 1
        return self.candles[i]


def test_price_at_bisects_instead_of_scanning() -> None:
    month = Counting(flat({0: 100}, 30 * 24 * 60))
    assert price_at(month, at(20 * 24 * 60)) is not None
    assert month.reads < 40  # log2(43,200) is about 16


# ---- grade_direction --------------------------------------------------------------------

CALL_AT = at(0.5)
# 100 at the call; 102 by the 15m end, 99 by the 1h end, 103 by the 4h end; no 24h data.
DAY = flat({0: 100, 10: 102, 40: 99, 200: 103}, 4 * 60 + 5)


@pytest.mark.parametrize(
    ("direction", "moves"),
    [
        ("LONG", {"15m": "2", "1h": "-1", "4h": "3"}),
        ("long", {"15m": "2", "1h": "-1", "4h": "3"}),
        ("buy", {"15m": "2", "1h": "-1", "4h": "3"}),
        ("SHORT", {"15m": "-2", "1h": "1", "4h": "-3"}),
        ("sell", {"15m": "-2", "1h": "1", "4h": "-3"}),
    ],
)
def test_grade_direction_signs_the_move_by_the_call(direction: str, moves: dict[str, str]) -> None:
    grades = grade_direction(direction, CALL_AT, d(100), DAY, ["15m", "1h", "4h", "24h"])
    assert [g.horizon for g in grades] == ["15m", "1h", "4h"]  # 24h not reached yet: absent
    for grade in grades:
        assert grade.move_pct == d(moves[grade.horizon])
        assert grade.hit is (grade.move_pct > 0)
        assert grade.price_from == d(100)
        assert grade.at_from == CALL_AT
        assert grade.at_to == CALL_AT + HORIZONS[grade.horizon] - timedelta(seconds=30)


def test_grade_direction_end_price_and_time() -> None:
    (grade,) = grade_direction("LONG", CALL_AT, d(100), DAY, ["1h"])
    assert grade.price_to == d(99)
    assert grade.at_to == at(60)  # the 12:59 candle closed at 13:00, before 13:00:30
    assert grade.hit is False


@pytest.mark.parametrize(
    ("direction", "price_from", "price_to", "move", "hit"),
    [
        ("LONG", "80", "81.5", "1.875", True),
        ("SHORT", "80", "81.5", "-1.875", False),
        ("SHORT", "80", "78.5", "1.875", True),
        ("LONG", "3", "3.1", "3.3333", True),  # rounded to 4 decimals
        ("SHORT", "3", "2.9", "3.3333", True),
        ("LONG", "80", "80", "0", False),  # flat is not a hit
    ],
)
def test_grade_direction_move_pct(
    direction: str, price_from: str, price_to: str, move: str, hit: bool
) -> None:
    candles = flat({0: float(price_from), 5: float(price_to)}, 20)
    (grade,) = grade_direction(direction, at(0), d(price_from), candles, ["15m"])
    assert grade.price_to == d(price_to)
    assert grade.move_pct == d(move)
    assert grade.hit is hit


def test_grade_direction_nothing_reached_and_bad_input() -> None:
    assert grade_direction("LONG", CALL_AT, d(100), DAY[:10], ["15m", "1h"]) == []
    with pytest.raises(ValueError):
        grade_direction("UP", CALL_AT, d(100), DAY, ["15m"])
    with pytest.raises(ValueError):
        grade_direction("LONG", CALL_AT, d(100), DAY, ["2h"])


# ---- track_sniper -----------------------------------------------------------------------

# Risk 2; R1 = 1.5, R2 = 3: TP2 pays 0.75 + 1.5 = 2.25, break-even 0.75.
PUSHED = at(0.5)
LEVELS = SniperLevels(d(100), d(98), d(103), d(106), PUSHED, timedelta(minutes=30))
ABOVE: Row = (101, 102, 101.5)


def track(rows: Sequence[Row], now: datetime | None = None, **changes: Any) -> SniperPath:
    levels = replace(LEVELS, **changes)
    return track_sniper(levels, path(rows), at(len(rows)) if now is None else now)


def test_waiting_while_the_entry_is_not_touched() -> None:
    result = track([ABOVE] * 5)
    assert result == SniperPath(
        SniperStatus.WAITING, None, None, None, None, None, d(0), at(5), None, None
    )


def test_entry_tp1_then_back_to_entry_is_breakeven() -> None:
    back: Row = (100, 101, 100.5)  # touching the entry is enough
    rows: list[Row] = [ABOVE, (99.5, 101, 100.5), (100.5, 103.2, 103), ABOVE, back]
    result = track(rows, at(10))
    assert result.status is SniperStatus.BREAKEVEN
    assert (result.entered_at, result.tp1_at, result.closed_at) == (at(2), at(3), at(5))
    assert result.r == result.r_open == d("0.75")
    assert result.hit is True
    assert result.minutes_to_outcome == 3
    assert result.mae_r == d("0.25")
    assert result.checked_to == at(5)


def test_entry_tp1_then_tp2() -> None:
    rows: list[Row] = [ABOVE, (99, 101, 100), (100.5, 103, 102.5), (102, 106, 105.9), ABOVE]
    result = track(rows)
    assert result.status is SniperStatus.TP2
    assert (result.entered_at, result.tp1_at, result.closed_at) == (at(2), at(3), at(4))
    assert result.r == d("2.25")
    assert result.hit is True
    assert result.minutes_to_outcome == 2
    assert result.mae_r == d("0.5")


def test_stop_before_tp1() -> None:
    rows: list[Row] = [(99.8, 100.5, 100), (98.5, 100.2, 99), (97.9, 99, 98), ABOVE]
    result = track(rows)
    assert result.status is SniperStatus.STOPPED
    assert (result.entered_at, result.tp1_at, result.closed_at) == (at(1), None, at(3))
    assert result.r == d(-1)
    assert result.hit is False
    assert result.mae_r == d(1)  # the low 1.05 R under entry is past the stop: capped
    assert result.minutes_to_outcome == 2


def test_gap_through_entry_and_stop_in_one_candle() -> None:
    result = track([ABOVE, (97, 101, 97.5), (99, 104, 103)])
    assert result.status is SniperStatus.STOPPED
    assert result.entered_at == result.closed_at == at(2)
    assert result.r == d(-1)
    assert result.hit is False
    assert result.minutes_to_outcome == 0


@pytest.mark.parametrize(
    ("rows", "status", "r"),
    [
        # after entry, one candle reaches TP1 and the stop: the stop counts
        ([(99.5, 100.5, 100), (97.5, 104, 100)], SniperStatus.STOPPED, "-1"),
        # after TP1, one candle reaches TP2 and entry: break-even counts
        ([(99.5, 100.5, 100), (101, 103, 102), (99.9, 106.5, 104)], SniperStatus.BREAKEVEN, "0.75"),
        # the TP1 candle also trades back to entry: break-even in that candle
        ([(99.5, 100.5, 100), (99.9, 103.5, 102)], SniperStatus.BREAKEVEN, "0.75"),
        # the TP1 candle reaches TP2 without trading back to entry: both targets
        ([(99.5, 100.5, 100), (100.1, 106, 105)], SniperStatus.TP2, "2.25"),
    ],
)
def test_same_candle_ambiguity_goes_against_the_trade(
    rows: list[Row], status: SniperStatus, r: str
) -> None:
    result = track(rows)
    assert result.status is status
    assert result.r == d(r)
    assert result.closed_at == at(len(rows))


def test_entry_candle_reaching_tp1_counts_tp1_from_the_next_candle() -> None:
    rows: list[Row] = [(99.5, 106.5, 103), (102, 102.5, 102)]  # fills, spikes past TP2
    result = track(rows)
    assert result.status is SniperStatus.ENTERED
    assert (result.entered_at, result.tp1_at, result.r, result.hit) == (at(1), None, None, None)
    assert result.r_open == d(0)

    result = track([*rows, (102, 103, 102.8)])
    assert result.status is SniperStatus.TP1
    assert result.tp1_at == at(3)
    assert (result.r, result.r_open, result.hit, result.closed_at) == (None, d("0.75"), True, None)


def test_expires_without_entry() -> None:
    rows = [ABOVE] * 31  # the 12:30 candle opens before 12:30:30 and closes after it
    result = track(rows)
    assert result.status is SniperStatus.EXPIRED
    assert result.closed_at == PUSHED + LEVELS.lifetime
    assert (result.r, result.r_open, result.hit) == (None, None, None)
    assert (result.entered_at, result.minutes_to_outcome) == (None, None)
    assert result.checked_to == at(31)


def test_waits_for_the_last_candle_of_the_lifetime() -> None:
    rows = [ABOVE] * 30  # the data ends at 12:30, the lifetime at 12:30:30
    assert track(rows, at(40)).status is SniperStatus.WAITING
    assert track(rows, at(31)).status is SniperStatus.WAITING
    late = track(rows, PUSHED + LEVELS.lifetime + timedelta(hours=1))  # no data for an hour
    assert late.status is SniperStatus.EXPIRED
    assert track([*rows, (99.9, 101, 100)]).status is SniperStatus.ENTERED  # 12:30 still fills
    assert track([*rows, ABOVE, (99.9, 101, 100)]).status is SniperStatus.EXPIRED  # 12:31 not


def test_running_to_tp1_without_entry_does_not_end_the_map() -> None:
    rows: list[Row] = [(101, 104, 103.5), (103, 107, 106.5), *[(106, 107, 106.5)] * 29]
    assert track(rows[:10]).status is SniperStatus.WAITING
    result = track(rows)
    assert result.status is SniperStatus.EXPIRED
    assert (result.r, result.hit, result.tp1_at, result.entered_at) == (None, None, None, None)


@pytest.mark.parametrize(
    ("last", "r"),
    [
        ((100.5, 101.5, 101), "0.5"),  # marked to market at the last close
        ((99, 100, 99.5), "-0.25"),
    ],
)
def test_trade_expires_after_four_lifetimes(last: Row, r: str) -> None:
    # lifetime 5 min: the trade may run until 12:20:30, the 12:20 candle is its last
    rows: list[Row] = [ABOVE, (99.5, 101, 100.5), *[(100.2, 101, 100.5)] * 18, last, (97, 99, 98)]
    result = track(rows, lifetime=timedelta(minutes=5))
    assert result.status is SniperStatus.EXPIRED
    assert result.closed_at == PUSHED + 4 * timedelta(minutes=5)
    assert (result.r, result.r_open, result.hit, result.tp1_at) == (d(r), d(r), None, None)
    assert result.minutes_to_outcome == 18  # 12:02 to 12:20:30
    assert result.checked_to == at(21)  # the 12:21 stop candle is past the trade's end


def test_trade_expiring_after_tp1_keeps_the_banked_half() -> None:
    rows: list[Row] = [(99.5, 101, 100.5), (101, 103, 102.5), *[(101, 102.5, 102)] * 19]
    result = track(rows, lifetime=timedelta(minutes=5))
    assert result.status is SniperStatus.EXPIRED
    assert result.r == d("1.25")  # 0.75 banked + half of (102 - 100) / 2
    assert result.hit is True
    assert result.tp1_at == at(2)


def test_restart_mid_tracking_gives_the_same_result() -> None:
    rows: list[Row] = [
        ABOVE,
        ABOVE,
        (99.6, 100.8, 100.4),
        (100.1, 102, 101.8),
        (101.5, 103.1, 102.9),  # TP1, closes at 12:05
        (102, 104, 103.5),
        (102.5, 105, 104),
        (103, 105.5, 105),
        (104, 106.2, 106),  # TP2, closes at 12:09
        (105, 107, 106.5),
    ]
    half = track_sniper(LEVELS, path(rows[:5]), at(5))
    assert half.status is SniperStatus.TP1
    assert half == track_sniper(LEVELS, path(rows), at(5))  # later candles not closed yet
    again = track_sniper(LEVELS, path(rows), at(10))
    assert again == track_sniper(LEVELS, path(rows), at(10))
    assert again.status is SniperStatus.TP2
    assert again.tp1_at == half.tp1_at == at(5)
    assert again.entered_at == half.entered_at == at(3)
    assert again.closed_at == at(9)


def test_mae_on_a_hand_made_dip() -> None:
    rows: list[Row] = [
        (99.6, 101, 100.5),  # fills: 0.2 R down
        (98.7, 100.5, 99),  # the dip: 0.65 R
        (99.2, 101, 100.8),
        (100.5, 103.4, 103),  # TP1
        (98.1, 101, 99),  # back through entry: break-even, the position is already out
    ]
    result = track(rows)
    assert result.status is SniperStatus.BREAKEVEN
    assert result.mae_r == d("0.65")


def test_candles_before_the_push_are_ignored() -> None:
    before: list[Row] = [ABOVE, (97, 101, 97.5), ABOVE, ABOVE, ABOVE]  # fills and stops at 12:01
    pushed = at(5.5)
    result = track([*before, ABOVE, ABOVE], pushed_at=pushed)
    assert result.status is SniperStatus.WAITING
    # the candle in progress at the push (12:05) counts
    result = track([*before, (99.5, 101, 100), ABOVE], pushed_at=pushed)
    assert result.status is SniperStatus.ENTERED
    assert result.entered_at == at(6)


def test_an_unclosed_candle_is_ignored() -> None:
    rows: list[Row] = [ABOVE, (99, 101, 100)]
    result = track(rows, at(2) - timedelta(seconds=1))
    assert result.status is SniperStatus.WAITING
    assert result.checked_to == at(1)
    assert track(rows, at(2)).status is SniperStatus.ENTERED


def test_final_statuses_and_bad_levels() -> None:
    assert {SniperStatus.TP2, SniperStatus.STOPPED, SniperStatus.BREAKEVEN} < FINAL
    assert SniperStatus.EXPIRED in FINAL
    assert not {SniperStatus.WAITING, SniperStatus.ENTERED, SniperStatus.TP1} & FINAL
    with pytest.raises(ValueError):
        track([ABOVE], stop=d(101))  # a stop above entry is not a long map
    with pytest.raises(ValueError):
        track([ABOVE], lifetime=timedelta(0))


# ---- sniper_baseline --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # bought at 101 on the push: stop 99, target 104
        ([(100.5, 102, 101.5), (101, 104, 103.9)], True),
        ([(100, 101.5, 100.5), (98.9, 101, 99)], False),
        ([(98.9, 104.2, 101)], False),  # both in one candle: the stop first
        ([(100, 102, 101), (99.5, 103.9, 103)], None),
        # the map lives 1 minute: the 12:04 candle is the last before 12:04:30
        ([ABOVE] * 5 + [(101, 104.5, 104)], None),
        ([ABOVE] * 4 + [(101, 104.5, 104)], True),
    ],
)
def test_sniper_baseline(rows: list[Row], expected: bool | None) -> None:
    levels = SniperLevels(d(100), d(98), d(103), d(106), PUSHED, timedelta(minutes=1))
    assert sniper_baseline(levels, d(101), path(rows), at(len(rows))) is expected


def test_sniper_baseline_ignores_unclosed_and_earlier_candles() -> None:
    levels = SniperLevels(d(100), d(98), d(103), d(106), at(2.5), timedelta(minutes=30))
    rows: list[Row] = [(98, 99, 98.5), ABOVE, (101, 102, 101), (101, 105, 104)]
    assert sniper_baseline(levels, d(101), path(rows), at(4)) is True
    assert sniper_baseline(levels, d(101), path(rows), at(4) - timedelta(seconds=1)) is None


# ---- wilson -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "n", "low", "high"),
    [
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (58, 100, 0.4821, 0.6720),
        (0, 0, 0.0, 1.0),
    ],
)
def test_wilson(hits: int, n: int, low: float, high: float) -> None:
    assert wilson(hits, n) == pytest.approx((low, high), abs=6e-5)
    lo, hi = wilson(hits, n)
    assert 0.0 <= lo <= hi <= 1.0


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson(11, 10)
