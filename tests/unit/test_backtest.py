"""`python -m bot backtest`: the rules replayed on the journal with other thresholds, graded on
stored candles; with no journal it says so."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.backtest import changed_settings, rules, run
from services.kernel.models import Candle, Sentiment
from services.market.whale.analysis import WhaleEvent, WhaleSide
from services.signals.backtest import replay
from services.signals.bias.rule import BiasInputs, WhaleInput
from services.storage.journal import Entry
from tests.conftest import make_settings
from tests.unit.conftest import Build

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def entry(minutes_ago: int, score: int) -> Entry:
    at = NOW - timedelta(minutes=minutes_ago)
    buy = WhaleEvent(
        coin="SOL",
        side=WhaleSide.BUY,
        usd=Decimal(2_000_000),
        price=Decimal(100),
        venue="OKX",
        at=at,
    )
    inputs = BiasInputs(
        symbol="SOL",
        at=at,
        whale=WhaleInput(events=[buy], as_of=at, source="OKX"),
        sentiment=Sentiment(score=score, label=None, source="alternative.me", as_of=at),
    )
    return Entry(job="bias", symbol="SOL", at=at, inputs=inputs.model_dump(mode="json"))


def rising(minutes: int) -> list[Candle]:
    """A steady climb: any LONG is right at every horizon it reaches."""
    start = NOW - timedelta(minutes=minutes)
    return [
        Candle(
            ts=start + timedelta(minutes=i),
            open=Decimal(100) + i,
            high=Decimal(100) + i,
            low=Decimal(100) + i,
            close=Decimal(100) + i,
        )
        for i in range(minutes)
    ]


def journal() -> list[Entry]:
    # Sentiment 70 (LONG) at -6h, 50 (NEUTRAL) at -5h, 70 again at -3h: two LONG calls at 60,
    # none at a threshold of 75.
    return [entry(360, 70), entry(300, 50), entry(180, 70)]


def test_the_replay_uses_the_changed_thresholds_and_grades_on_the_candles() -> None:
    settings = make_settings()
    candles = {"SOL": rising(400)}
    current = replay("current", journal(), candles, rules(settings), days=1, now=NOW)
    changed = replay(
        "changed",
        journal(),
        candles,
        rules(changed_settings(settings, ["BIAS_LONG_SENTIMENT=75"])),
        days=1,
        now=NOW,
    )
    assert current.bias.made == 2 and changed.bias.made == 0
    one_hour = next(h for h in current.bias.horizons if h.horizon == "1h")
    assert (one_hour.calls.hits, one_hour.calls.n) == (2, 2)  # both right after 1h
    four_hours = next(h for h in current.bias.horizons if h.horizon == "4h")
    assert four_hours.calls.n == 1  # the -3h call has not reached 4h
    assert current.ungraded == 0


def test_a_bad_setting_name_is_refused() -> None:
    with pytest.raises(ValueError, match="NOPE"):
        changed_settings(make_settings(), ["NOPE=1"])
    with pytest.raises(ValueError):
        changed_settings(make_settings(), ["BIAS_LONG_SENTIMENT=high"])


async def test_the_command_prints_both_columns(
    build: Build, capsys: pytest.CaptureFixture[str]
) -> None:
    services = await build()
    await services.journal.write(journal())
    await services.candles.save("SOL", rising(400))
    code = await run(["--days", "1", "--set", "BIAS_LONG_SENTIMENT=75"], services.settings)
    out = capsys.readouterr().out
    assert code == 0
    assert "current" in out and "changed" in out and "BIAS_LONG_SENTIMENT=75" in out
    assert "bias calls".ljust(18) + "2 calls" in out
    assert "not enough calls (n=2)" in out  # never a bare percentage under ten calls


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
def test_with_no_journal_it_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backtest", "--days", "7"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "PATH": ""},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No journal yet for the last 7 days" in result.stdout
    assert "Traceback" not in result.stderr
