"""What a trader reads at a glance, checked on the figure itself (axes, artists, labels), not
on pixels: time ticks on round times with dates past a day, the price now as a labelled line,
the heatmap's USD scale and price unit, each wall's price and size, prices on the tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from matplotlib.dates import num2date

from bot.charts.candles import draw_candles
from bot.charts.depth import draw_depth
from bot.charts.derivs import DerivLabels, draw_deriv
from bot.charts.frame import figure, price_and_volume
from bot.charts.heatmap import draw_heatmap
from bot.charts.labels import ChartFrame
from bot.render.chart import candle_labels
from bot.render.heatmap import heatmap_labels
from bot.render.orderbook import depth_labels
from bot.render.view import View
from services.kernel.symbols import parse_symbol
from services.market.funding.service import Settlement
from services.market.ticker.candles import Bar, CandleBar, CandleReport
from services.vendors.okx_stats import OiPoint
from tests.fakes.reports import book_report, heatmap_report

JAKARTA = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 12, 1, 1, 7, tzinfo=UTC)  # an odd minute: ticks must not start there


def view(locale: str = "en") -> View:
    return View(locale=locale, tz=JAKARTA, now=START + timedelta(days=5))


def candles(bar: Bar, n: int) -> CandleReport:
    bars = [
        CandleBar(
            ts=START + timedelta(seconds=bar.seconds * i),
            open=142 + i % 3,
            high=144,
            low=141,
            close=142.5 + i % 2,
            volume=10,
        )
        for i in range(n)
    ]
    return CandleReport(
        instrument=parse_symbol("SOL"), bar=bar, candles=bars, source="OKX", as_of=START
    )


def ticks(axis: object, ax: object) -> list[tuple[datetime, str]]:
    ax.get_xlim()  # type: ignore[attr-defined]  # autoscaled: the locator sees the data's span
    values = axis.get_major_locator()()  # type: ignore[attr-defined]
    lo, hi = ax.get_xlim()  # type: ignore[attr-defined]
    shown = [v for v in values if lo <= v <= hi]
    fmt = axis.get_major_formatter()  # type: ignore[attr-defined]
    return [(num2date(v, tz=JAKARTA), fmt(v)) for v in shown]


def drawn(i18n: I18n, report: CandleReport, locale: str = "en") -> tuple[object, object]:
    _fig, price, volume = price_and_volume()
    with i18n.context(), i18n.use_locale(locale):
        labels = candle_labels(report, view(locale))
    draw_candles(price, volume, report, labels, view(locale))
    return price, volume


def test_a_four_day_chart_ticks_on_round_times_with_their_dates(i18n: I18n) -> None:
    _price, volume = drawn(i18n, candles(Bar.H1, 96))
    shown = ticks(volume.xaxis, volume)  # type: ignore[attr-defined]
    assert len(shown) >= 3
    assert all(t.minute == 0 and t.hour % 3 == 0 for t, _ in shown)  # round times, local zone
    assert all("Dec" in label for _, label in shown)  # a date on every tick past a day


def test_a_short_chart_ticks_on_round_minutes_without_dates(i18n: I18n) -> None:
    _price, volume = drawn(i18n, candles(Bar.M5, 96))  # 8 hours
    shown = ticks(volume.xaxis, volume)  # type: ignore[attr-defined]
    assert len(shown) >= 3
    assert all(t.minute % 15 == 0 for t, _ in shown)  # not 04:36, 05:12
    assert all(len(label) == 5 and label[2] == ":" for _, label in shown)  # HH:mm


def test_every_price_chart_draws_the_last_price_as_a_labelled_line(i18n: I18n) -> None:
    report = candles(Bar.M5, 30)
    price, _volume = drawn(i18n, report)
    last = float(report.candles[-1].close)
    assert any(list(line.get_ydata()) == [last, last] for line in price.get_lines())  # type: ignore[attr-defined]
    assert "last 143.5" in [t.get_text() for t in price.texts]  # type: ignore[attr-defined]
    fig, ax = figure()
    heat = heatmap_report()
    with i18n.context(), i18n.use_locale("en"):
        labels = heatmap_labels(heat, view())
    draw_heatmap(fig, ax, heat, labels, view())
    assert f"price {view().price(heat.analysis.price)}" in [t.get_text() for t in ax.texts]


def test_the_heatmap_has_a_usd_colour_scale_and_a_price_axis_with_its_unit(i18n: I18n) -> None:
    fig, ax = figure()
    heat = heatmap_report()
    with i18n.context(), i18n.use_locale("en"):
        labels = heatmap_labels(heat, view())
    draw_heatmap(fig, ax, heat, labels, view())
    assert ax.get_ylabel() == "price (USDT)"
    [scale] = [other for other in fig.axes if other is not ax]  # the colour bar's own axes
    assert scale.get_ylabel() == "USD at the level"


def test_the_depth_chart_labels_each_wall_with_its_price_and_size(i18n: I18n) -> None:
    report = book_report()
    _fig, ax = figure()
    with i18n.context(), i18n.use_locale("en"):
        labels = depth_labels(report, view())
    draw_depth(ax, report, labels, view())
    texts = [t.get_text() for t in ax.texts]
    walls = report.analysis.bid_walls + report.analysis.ask_walls
    assert walls
    for wall in walls:
        assert any(
            text.startswith(view().price(wall.price) + "\n$")
            and view().times(wall.multiple) in text
            for text in texts
        ), wall
    assert f"mid {view().price(report.analysis.mid)}" in texts


def test_prices_sit_on_the_instruments_tick() -> None:
    on_cents = view().on_tick(Decimal("0.01"))
    assert on_cents.price(Decimal("190.625")) == "190.62"  # half to even
    assert on_cents.price(Decimal("186.875")) == "186.88"
    assert view().on_tick(Decimal("0.1")).price(Decimal("96850.25")) == "96,850.2"
    assert view().price(Decimal("190.625")) == "190.625"  # no tick known: as it is


def test_the_deriv_chart_draws_each_settlement_as_a_yearly_rate_of_its_own_interval() -> None:
    """An hourly contract paying 0.01 % settles 24 times a day: 87.6 % a year, not 10.95 %."""
    start = datetime(2026, 12, 7, tzinfo=UTC)
    series = [
        OiPoint(
            at=start + timedelta(minutes=5 * n),
            coins=Decimal(1000 + n),
            usd=Decimal(100_000 + 100 * n),
        )
        for n in range(12)
    ]
    paid = [
        Settlement(at=start + timedelta(hours=n), rate=Decimal(sign) / 10_000)
        for n, sign in enumerate((1, -1))
    ]
    fig, _ = figure()
    fig.clear()
    price, interest, funding = fig.subplots(3, 1)
    labels = DerivLabels(ChartFrame("t", "c", "en"), "Price", "Open interest (SOL)", "Funding")
    draw_deriv(price, interest, funding, series, paid, Decimal(1), labels, view())
    heights = [bar.get_height() for bar in funding.patches]
    assert heights == pytest.approx([87.6, -87.6])
    assert price.lines[0].get_ydata()[0] == pytest.approx(100.0)  # dollars over coins
    assert list(interest.lines[0].get_ydata()[:2]) == [1000.0, 1001.0]
