"""/performance and /replay: sample sizes, intervals and baselines always beside a ratio, never
a percentage below MIN_CALLS, Telegram-valid HTML in both languages, and the charts."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from PIL import Image

from bot.charts.performance import _time_formatter, performance_chart
from bot.handlers.performance import (
    parse_performance_args,
    parse_replay_args,
    performance,
    performance_answer,
    replay,
)
from bot.registry import COMMANDS
from bot.render.performance import (
    chart_labels,
    performance_caption,
    render_overview,
    render_performance,
    render_replay,
)
from bot.render.text import CAPTION_LIMIT
from bot.render.view import View
from services.kernel.errors import ArgumentError
from services.signals.track_record import (
    HorizonRecord,
    Point,
    Ratio,
    Replay,
    ReplayLine,
    TargetCheck,
    TrackRecord,
    summarise,
)
from services.storage.calls import StoredCall, StoredGrade
from tests.fakes.telegram import parse_html

AS_OF = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 14:00 WIB
JAKARTA = ZoneInfo("Asia/Jakarta")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def view(locale: str = "en") -> View:
    return View(locale=locale, tz=JAKARTA, now=AS_OF + timedelta(seconds=42))


def visible(text: str) -> str:
    """Telegram accepts it, and no format placeholder was left unfilled."""
    shown = parse_html(text)
    assert "{" not in text and "}" not in text
    return shown


def line_with(text: str, needle: str) -> str:
    [line] = [line for line in text.split("\n") if needle in line]
    return line


def horizon(
    name: str, hits: int, n: int, base_hits: int, base_n: int, **extra: Decimal
) -> HorizonRecord:
    return HorizonRecord(
        horizon=name,
        calls=Ratio(hits=hits, n=n),
        baseline=Ratio(hits=base_hits, n=base_n),
        **extra,
    )


def whale_record(
    target: TargetCheck | None = None, symbol: str | None = "BTC", series: list[Point] | None = None
) -> TrackRecord:
    return TrackRecord(
        kind="whale",
        days=30,
        symbol=symbol,
        made=40,
        pushed=2,
        pending=3,
        main="1h",
        horizons=[
            horizon("15m", 3, 4, 2, 4, avg_move_pct=Decimal("0.1")),
            horizon("1h", 26, 37, 18, 37, avg_move_pct=Decimal("0.42")),
        ],
        target=target or TargetCheck(threshold=0.6, met=True, proven=True),
        series=series or [],
        as_of=AS_OF,
    )


def bias_record() -> TrackRecord:
    return TrackRecord(
        kind="bias",
        days=7,
        symbol=None,
        made=30,
        pushed=9,
        pending=2,
        main="4h",
        horizons=[
            horizon("1h", 15, 20, 11, 20),
            horizon("4h", 14, 24, 12, 24, avg_move_pct=Decimal("-0.05")),
            horizon("24h", 2, 6, 3, 6),
        ],
        as_of=AS_OF,
    )


def sniper_call(call_id: int, pushed: bool = False, still_open: bool = False) -> StoredCall:
    at = AS_OF - timedelta(days=20) + timedelta(hours=call_id * 9)
    return StoredCall(
        id=call_id,
        kind="sniper",
        symbol="SOL",
        direction="LONG",
        made_at=at,
        key=at.isoformat(),
        pushed=pushed,
        detail="{}",
        open=still_open,
        status="tp2",
        status_at=at,
    )


def sniper_grade(
    call: StoredCall, outcome: str, hit: bool | None, value: str | None, baseline: bool = False
) -> StoredGrade:
    return StoredGrade(
        call_id=call.id,
        horizon="outcome",
        baseline=baseline,
        outcome=outcome,
        hit=hit,
        value=Decimal(value) if value is not None else None,
        # A map that filled has its entry time; one that never filled has none.
        at_from=call.made_at + timedelta(hours=1) if value is not None else None,
        at_to=call.made_at + timedelta(hours=3),
        source="OKX",
        graded_at=call.made_at + timedelta(hours=3),
    )


def sniper_record() -> TrackRecord:
    """13 maps: 3 TP2, 2 break-even, 5 stopped, 1 expired after TP1, 1 never filled, 1 open."""
    plan = (
        [("tp2", True, "1.75")] * 3
        + [("breakeven", True, "0.5")] * 2
        + [("stopped", False, "-1")] * 5
        + [("expired", True, "0.9"), ("expired", None, None)]
    )
    calls = [sniper_call(i, pushed=i < 4, still_open=i == len(plan)) for i in range(len(plan) + 1)]
    grades: dict[int, list[StoredGrade]] = {c.id: [] for c in calls}
    for call, (outcome, hit, value) in zip(calls, plan, strict=False):
        grades[call.id].append(sniper_grade(call, outcome, hit, value))
        grades[call.id].append(sniper_grade(call, "baseline", call.id % 2 == 0, None, True))
    return summarise("sniper", calls, grades, days=30, symbol="SOL", now=AS_OF)


def rolling(n: int) -> list[Point]:
    return [
        Point(at=AS_OF - timedelta(hours=9 * (n - k)), value=0.4 + 0.3 * (k % 5) / 4)
        for k in range(n)
    ]


# --- /performance with a kind ---------------------------------------------------------------


def test_whale_record_shows_ratio_with_n_interval_and_baseline(en: None) -> None:
    text = render_performance(whale_record(), view())
    shown = visible(text)
    assert "Whale flow · track record" in shown
    assert "Period: last 30 days · symbol: BTC" in shown
    assert "Calls: 40 made · 2 pushed · 3 still being graded" in shown
    assert (
        "1h: 70% right (n=37, 95% interval 54%–83%) · always long at the same times: 49% (n=37)"
        in shown
    )
    assert "average move in the call's direction: +0.42%" in shown
    assert "Source: OKX 1m candles · as of 14:00 WIB" in shown


def test_too_few_calls_show_n_and_no_percentage(en: None) -> None:
    text = render_performance(whale_record(), view())
    line = line_with(visible(text), "15m")
    assert line == "15m: not enough calls yet (n=4)"
    assert "%" not in line
    assert "+0.10%" not in text  # nor an average move over those four calls
    assert text.count("average move") == 1


def test_whale_target_met_and_proven(en: None) -> None:
    shown = visible(render_performance(whale_record(), view()))
    assert "Target > 60%: met (proven: the whole interval is above 60%)" in shown


def test_whale_target_met_but_not_proven(en: None) -> None:
    target = TargetCheck(threshold=0.6, met=True, proven=False)
    shown = visible(render_performance(whale_record(target), view()))
    assert "Target > 60%: met" in shown
    assert "proven" not in shown


def test_whale_target_not_met(en: None) -> None:
    target = TargetCheck(threshold=0.6, met=False, proven=False)
    shown = visible(render_performance(whale_record(target), view()))
    assert "Target > 60%: not met" in shown


def test_whale_target_without_enough_calls(en: None) -> None:
    target = TargetCheck(threshold=0.6, met=None, proven=False)
    shown = visible(render_performance(whale_record(target), view()))
    assert "Target > 60%: not enough calls yet" in shown
    assert ": met" not in shown and "not met" not in shown


def test_bias_record_has_every_horizon_against_always_long(en: None) -> None:
    shown = visible(render_performance(bias_record(), view()))
    assert "Institutional bias · track record" in shown
    assert "Period: last 7 days" in shown and "symbol" not in shown
    assert (
        "1h: 75% right (n=20, 95% interval 53%–89%) · always long at the same times: 55% (n=20)"
        in shown
    )
    assert "4h: 58% right (n=24, 95% interval 39%–76%)" in shown
    assert "average move in the call's direction: -0.05%" in shown
    assert "24h: not enough calls yet (n=6)" in shown
    assert "Target" not in shown  # only whale signals have one


def test_sniper_record_has_avg_r_outcomes_and_its_own_baseline(en: None) -> None:
    record = sniper_record()
    shown = visible(render_performance(record, view()))
    assert "Sniper entries · track record" in shown
    assert "Calls: 13 made · 4 pushed · 1 still being graded" in shown
    assert "trades: 55% hit (n=11, 95% interval 28%–79%)" in shown
    assert "buying at market when pushed: 50% (n=12)" in shown
    assert "always long" not in shown
    assert "average R: +0.2R" in shown
    assert "Outcomes: TP2: 3 · break-even: 2 · stopped: 5 · expired: 1 · no fill: 1" in shown
    assert "hit = TP1 before the stop" in shown


def test_all_time_period(en: None) -> None:
    record = whale_record().model_copy(update={"days": None})
    assert "Period: all time" in visible(render_performance(record, view()))


def test_html_in_a_symbol_is_escaped(en: None) -> None:
    record = whale_record(symbol="<b>X&Y")
    text = render_performance(record, view())
    assert "&lt;b&gt;X&amp;Y" in text
    assert "symbol: <b>X&Y" in visible(text)
    overview = render_overview([record], view())
    assert "&lt;b&gt;X&amp;Y" in overview
    visible(overview)


def test_caption_fits_a_photo(en: None) -> None:
    caption = performance_caption(sniper_record(), view())
    shown = visible(caption)
    assert len(caption) <= CAPTION_LIMIT
    assert "trades: 55% hit (n=11" in shown


# --- /performance without a kind ------------------------------------------------------------


def test_overview_shows_each_kind_at_its_main_horizon_only(en: None) -> None:
    records = [bias_record(), sniper_record(), whale_record()]
    shown = visible(render_overview(records, view()))
    assert "Institutional bias · 4h: 58% right (n=24" in shown
    assert "Sniper entries · trades: 55% hit (n=11" in shown
    assert "Whale flow · 1h: 70% right (n=37" in shown
    assert "Target > 60%: met" in shown
    assert "1h: 75%" not in shown and "15m" not in shown  # other horizons stay in the details
    assert "Outcomes" not in shown
    assert shown.count("Calls: ") == 3
    assert "/performance whale" in shown
    assert "Source: OKX 1m candles" in shown


# --- /replay --------------------------------------------------------------------------------


def rline(
    minutes_ago: int, kind: str, status: str, value: str | None = None, **kw: object
) -> ReplayLine:
    values: dict[str, object] = dict(
        kind=kind,
        symbol="BTC",
        direction="LONG",
        made_at=AS_OF - timedelta(minutes=minutes_ago),
        pushed=True,
        status=status,
        value=Decimal(value) if value is not None else None,
        horizon={"bias": "4h", "whale": "1h"}.get(kind, "outcome"),
    )
    values.update(kw)
    return ReplayLine.model_validate(values)


def replay_of(lines: list[ReplayLine], hours: int = 24) -> Replay:
    return Replay(since=AS_OF - timedelta(hours=hours), until=AS_OF, lines=lines)


def test_replay_lines_for_every_status_newest_first(en: None) -> None:
    lines = [
        rline(600, "bias", "hit", "0.84"),
        rline(300, "whale", "miss", "-0.3", direction="SHORT", symbol="ETH", pushed=False),
        rline(200, "bias", "pending"),
        rline(190, "sniper", "waiting"),
        rline(180, "sniper", "entered", "0.4"),
        rline(170, "sniper", "tp1", "0.5"),
        rline(160, "sniper", "tp2", "1.75"),
        rline(150, "sniper", "stopped", "-1"),
        rline(140, "sniper", "breakeven", "0.5"),
        rline(130, "sniper", "expired"),
        rline(120, "sniper", "expired", "0"),
    ]
    text = render_replay(replay_of(lines), view())
    shown = visible(text)
    body = shown.split("\n")
    assert body[0] == "Calls in the last 24 hours: 10"
    assert "04:00 WIB · bias · BTC LONG · pushed · right +0.84% after 4h" in shown
    # Whale events are inputs, not calls: their own list, after the calls, never "pushed".
    whales = shown.split("Whale events read in the last 24 hours: 1")[1]
    assert "09:00 WIB · ETH whale selling · wrong -0.30% after 1h" in whales
    assert "09:00" not in shown.split("Whale events")[0]
    assert "10:40 WIB · bias · BTC LONG · pushed · pending" in shown
    assert line_with(shown, "10:50").endswith("· waiting for entry")
    # R only once a trade is over: an open trade's R would still change.
    assert line_with(shown, "11:00").endswith("· entered")
    assert line_with(shown, "11:10").endswith("· TP1 hit")
    assert line_with(shown, "11:20").endswith("· TP2 hit, +1.75R")
    assert line_with(shown, "11:30").endswith("· stopped, -1R")
    assert line_with(shown, "11:40").endswith("· break-even, +0.5R")
    assert line_with(shown, "11:50").endswith("· expired")
    assert line_with(shown, "12:00").endswith("· expired, 0R")
    calls = shown.split("Whale events")[0].split("\n")
    times = [line.split(" WIB")[0] for line in calls if " WIB · " in line]
    assert len(times) == 10 and times == sorted(times, reverse=True)
    assert "Source: OKX 1m candles" in shown


def test_a_replay_line_states_the_price_at_the_call(en: None) -> None:
    line = rline(600, "bias", "hit", "0.84").model_copy(update={"price": Decimal("142.35")})
    shown = visible(render_replay(replay_of([line]), view()))
    assert "04:00 WIB at 142.35 · bias · BTC LONG · pushed · right +0.84% after 4h" in shown


def test_a_call_that_could_not_be_graded_says_so_in_words(en: None) -> None:
    lines = [rline(60, "bias", "ungraded"), rline(50, "sniper", "ungraded")]
    shown = visible(render_replay(replay_of(lines), view()))
    assert shown.count("could not be graded (no candles for it)") == 2
    assert "ungraded" not in shown  # never the stored status word


def test_replay_is_capped_with_a_count_of_the_rest(en: None) -> None:
    lines = [rline(i, "bias", "pending") for i in range(35)]
    shown = visible(render_replay(replay_of(lines), view()))
    assert shown.count(" · bias · ") == 30
    assert "…and 5 more" in shown
    assert "13:59" in shown and "13:26" not in shown  # the newest are kept


def test_replay_of_an_empty_period_is_one_plain_line(en: None) -> None:
    assert render_replay(replay_of([]), view()) == "No calls in the last 24 hours."
    assert render_replay(replay_of([], 168), view()) == "No calls in the last 7 days."


def test_replay_escapes_the_symbol(en: None) -> None:
    text = render_replay(replay_of([rline(5, "bias", "pending", symbol="<i>&")]), view())
    assert "&lt;i&gt;&amp;" in text
    visible(text)


# --- Indonesian -----------------------------------------------------------------------------


def test_performance_in_indonesian(id_: None) -> None:
    text = render_performance(whale_record(), view("id"))
    shown = visible(text)
    assert "Arus whale · rekam jejak" in shown
    assert "1h: 70% benar (n=37, interval 95% 54%–83%)" in shown
    assert "selalu long pada waktu yang sama: 49% (n=37)" in shown
    assert "15m: sinyal belum cukup (n=4)" in shown
    assert "rata-rata gerak searah sinyal: +0,42%" in shown
    assert "Target > 60%: tercapai (terbukti" in shown
    assert "Sumber: candle 1 menit OKX" in shown
    assert "right" not in shown and "not enough" not in shown


def test_sniper_and_replay_in_indonesian(id_: None) -> None:
    shown = visible(render_performance(sniper_record(), view("id")))
    assert "rata-rata R: +0,2R" in shown
    assert "beli di harga pasar saat dikirim: 50% (n=12)" in shown
    assert "impas: 2" in shown and "tidak terisi: 1" in shown
    replay_text = render_replay(
        replay_of([rline(60, "sniper", "tp2", "1.75"), rline(30, "whale", "miss", "-0.3")]),
        view("id"),
    )
    shown = visible(replay_text)
    assert "TP2 tercapai, +1,75R" in shown
    assert "salah -0,30% setelah 1h" in shown
    assert "Sinyal dalam 24 jam terakhir: 1" in shown
    assert (
        render_replay(replay_of([], 168), view("id")) == "Tidak ada sinyal dalam 7 hari terakhir."
    )


# --- arguments ------------------------------------------------------------------------------


def test_performance_arguments_in_any_order_and_case() -> None:
    assert parse_performance_args(None) == (None, 30, None)
    assert parse_performance_args("") == (None, 30, None)
    assert parse_performance_args("whale 7d BTC") == ("whale", 7, "BTC")
    assert parse_performance_args("btc 7D WHALE") == ("whale", 7, "btc")
    assert parse_performance_args("ALL sniper") == ("sniper", None, None)
    assert parse_performance_args("sol") == (None, 30, "sol")
    assert parse_performance_args("30d") == (None, 30, None)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("whale 14d", "14d"),  # a period we do not offer, not a coin
        ("bias sniper", "sniper"),
        ("7d all", "all"),
        ("BTC ETH", "BTC ETH"),  # two coins: which was meant is anyone's guess, both named
        ("foo bar", "foo bar"),  # every word not understood is named, not only the last
        ("sniper foo 7d bar baz", "foo bar baz"),
    ],
)
def test_bad_performance_argument_raises(text: str, bad: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_performance_args(text)
    assert caught.value.value == bad
    assert caught.value.allowed


def test_replay_arguments() -> None:
    assert parse_replay_args(None) == 24
    assert parse_replay_args("24h") == 24
    assert parse_replay_args(" 7D ") == 7 * 24
    with pytest.raises(ArgumentError) as caught:
        parse_replay_args("12h")
    assert caught.value.allowed == ["24h", "7d"]


def test_both_commands_are_registered_with_usage() -> None:
    by_name = {c.name: c for c in COMMANDS}
    assert by_name["performance"].handler is performance
    assert by_name["performance"].usage == "[bias|sniper|whale] [7d|30d|all] [SYMBOL]"
    assert by_name["replay"].handler is replay
    assert by_name["replay"].usage == "[24h|7d]"


# --- charts ---------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_sniper_chart_is_a_png(en: None) -> None:
    record = sniper_record()
    assert len(record.series) == 11
    png = performance_chart(record, chart_labels(record, view()), view())
    assert png is not None
    assert png_size(png) == (1280, 720)
    assert 10_000 < len(png) < 1_000_000
    meta = Image.open(io.BytesIO(png)).info  # the chart says what it shows
    assert meta["Title"] == chart_labels(record, view()).title
    assert meta["Description"].startswith("Graded against OKX prices · as of ")


def test_whale_chart_is_a_png(en: None) -> None:
    record = whale_record(series=rolling(40))
    labels = chart_labels(record, view())
    assert labels.title == "Whale flow · last 30 days · BTC"
    assert labels.baseline == "always long at the same times: 49% (n=37)"
    assert labels.target == "target > 60%"
    png = performance_chart(record, labels, view())
    assert png is not None
    assert png_size(png) == (1280, 720)
    assert len(png) > 10_000


def test_chart_labels_are_translated(id_: None) -> None:
    labels = chart_labels(sniper_record(), view("id"))
    assert labels.title == "Entry sniper · 30 hari terakhir · SOL"
    assert labels.y_axis == "R kumulatif"
    assert labels.x_axis == "waktu (WIB)"
    assert labels.context.startswith("Dinilai terhadap harga OKX · per ")
    assert labels.baseline is None and labels.target is None


def test_no_chart_for_an_empty_series(en: None) -> None:
    record = whale_record()
    assert record.series == []
    assert performance_chart(record, chart_labels(record, view()), view()) is None
    assert performance_answer(record, view()) is None


def test_no_chart_while_the_rolling_ratio_rests_on_too_few_calls(en: None) -> None:
    # The text shows no ratio below 10 calls; the chart must not draw one either.
    record = whale_record(series=rolling(9))
    assert performance_chart(record, chart_labels(record, view()), view()) is None
    assert performance_answer(record, view()) is None


def test_a_drawable_record_becomes_a_chart_answer(en: None) -> None:
    record = sniper_record()
    answer = performance_answer(record, view())
    assert answer is not None
    assert answer.text == render_performance(record, view())
    assert answer.caption == performance_caption(record, view())
    assert answer.draw()[:8] == PNG_MAGIC


def test_time_axis_is_in_the_chats_zone_and_language() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    at = datetime(2026, 8, 20, 7, 0, tzinfo=UTC)
    ax.set_xlim(date2num(at), date2num(at) + 0.5)
    assert _time_formatter(view(), ax)(date2num(at)) == "14:00"  # 07:00 UTC is 14:00 WIB
    ax.set_xlim(date2num(at), date2num(at) + 20)
    assert _time_formatter(view("id"), ax)(date2num(at)) == "20 Agu"
