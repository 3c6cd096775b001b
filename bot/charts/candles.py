"""Price chart for /chart: OKX candles with volume under them."""

from __future__ import annotations

from babel.dates import format_datetime
from matplotlib.dates import date2num, num2date
from matplotlib.ticker import FuncFormatter

from bot.charts.frame import finish, numbers, price_and_volume
from bot.charts.labels import CandleLabels
from bot.render.view import View
from services.market.ticker.candles import CandleReport

UP, DOWN = "#16a34a", "#dc2626"


def candle_chart(report: CandleReport, labels: CandleLabels, view: View) -> bytes:
    fig, price, volume = price_and_volume()
    bars = report.candles
    width = report.bar.seconds / 86_400 * 0.7  # matplotlib dates count in days
    for c in bars:
        x = float(date2num(c.ts.astimezone(view.tz)))  # type: ignore[no-untyped-call]
        colour = UP if c.close >= c.open else DOWN
        price.vlines(x, float(c.low), float(c.high), color=colour, linewidth=1)
        low, high = sorted((float(c.open), float(c.close)))
        price.bar(x, max(high - low, float(c.close) * 1e-5), width, low, color=colour)
        if c.volume is not None:
            volume.bar(x, float(c.volume), width, color=colour, alpha=0.5)
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
    price.set_ylabel(labels.price_axis)
    price.grid(alpha=0.2)
    price.yaxis.set_major_formatter(numbers(view))
    volume.set_ylabel(labels.volume_axis)
    volume.set_xlabel(labels.time_axis)
    volume.grid(alpha=0.2)
    volume.yaxis.set_major_formatter(numbers(view, compact=True))
    volume.xaxis.set_major_formatter(time_axis(view, report.bar.seconds))
    return finish(fig, labels.frame)


def time_axis(view: View, bar_seconds: int) -> FuncFormatter:
    """Times in the chat's zone and language: hours for short bars, days for long ones."""
    pattern = "d MMM" if bar_seconds >= 14_400 else "HH:mm"

    def label(value: float, _position: object = None) -> str:
        moment = num2date(value, tz=view.tz)  # type: ignore[no-untyped-call]
        return str(format_datetime(moment, pattern, locale=view.locale))

    return FuncFormatter(label)
