"""Price chart for /chart: OKX candles with volume under them."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.dates import date2num

from bot.charts.axes import last_price_line, time_axis
from bot.charts.frame import finish, numbers, price_and_volume
from bot.charts.labels import CandleLabels
from bot.render.view import View
from services.market.ticker.candles import CandleReport

UP, DOWN = "#16a34a", "#dc2626"
PANEL_POINTS = 12.8 * 0.9 * 72  # the price panel's width in points (frame.py's figure size)


def candle_chart(report: CandleReport, labels: CandleLabels, view: View) -> bytes:
    fig, price, volume = price_and_volume()
    draw_candles(price, volume, report, labels, view)
    return finish(fig, labels.frame)


def draw_candles(
    price: Axes, volume: Axes, report: CandleReport, labels: CandleLabels, view: View
) -> None:
    bars = report.candles
    # One collection per kind of mark, not a patch per candle: bodies and volume are thick
    # vertical lines, as wide as 70 % of a candle's slot (matplotlib sizes lines in points;
    # bar() made a patch each, two thirds of a second for a hundred candles).
    xs = [float(date2num(c.ts.astimezone(view.tz))) for c in bars]  # type: ignore[no-untyped-call]
    colours = [UP if c.close >= c.open else DOWN for c in bars]
    slot = PANEL_POINTS / max(len(bars), 1)
    price.vlines(
        xs, [float(c.low) for c in bars], [float(c.high) for c in bars], colors=colours, linewidth=1
    )
    lows = [float(min(c.open, c.close)) for c in bars]
    # A doji's body is still a visible line: at least a hair of the price.
    highs = [
        max(float(max(c.open, c.close)), low + float(c.close) * 2e-4)
        for c, low in zip(bars, lows, strict=True)
    ]
    price.vlines(xs, lows, highs, colors=colours, linewidth=max(1.0, slot * 0.7))
    traded = [
        (x, float(c.volume), colour)
        for x, c, colour in zip(xs, bars, colours, strict=True)
        if c.volume is not None
    ]
    if traded:
        volume.vlines(
            [x for x, _, _ in traded],
            0,
            [v for _, v, _ in traded],
            colors=[colour for _, _, colour in traded],
            linewidth=max(1.0, slot * 0.7),
            alpha=0.5,
        )
    for label, level, colour in labels.levels:
        price.axhline(level, color=colour, linestyle="--", linewidth=1.1, alpha=0.9)
        price.annotate(
            label,
            (1, level),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize=10,
            color=colour,
        )
    if bars:
        last_price_line(price, float(bars[-1].close), labels.last)
    price.set_ylabel(labels.price_axis)
    price.grid(alpha=0.2)
    price.yaxis.set_major_formatter(numbers(view))
    volume.set_ylabel(labels.volume_axis)
    volume.set_xlabel(labels.time_axis)
    volume.grid(alpha=0.2)
    volume.yaxis.set_major_formatter(numbers(view, compact=True))
    span = (bars[-1].ts - bars[0].ts).total_seconds() + report.bar.seconds if bars else 0
    time_axis(volume.xaxis, view, span)
