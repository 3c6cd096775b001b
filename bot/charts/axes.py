"""What the charts' axes share: time ticks on round times in the chat's zone, with dates once a
chart spans more than a day, and a labelled line at the price now."""

from __future__ import annotations

from babel.dates import format_datetime
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.dates import AutoDateLocator, num2date
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.render.view import View

DAY = 86_400
LAST_PRICE = "#111827"


def time_axis(axis: Axis, view: View, span_seconds: float) -> None:
    """Ticks on round times of the chat's zone (matplotlib's date locator picks 1, 3, 6 or 12
    hours, days...), labelled in its language: hours within a day, dates past one (a 4-day
    chart reads "7 Des 12:00", not "12:00" four times)."""
    if span_seconds < 600:
        # A few minutes or a single bar (a source that sent one candle): no round times to
        # pick between; matplotlib's date locator would warn and guess.
        axis.set_major_locator(MaxNLocator(3))
    else:
        # A short span (an hour's map) has room for two round times, not four.
        fewest = 4 if span_seconds >= 3_600 else 2
        locator = AutoDateLocator(tz=view.tz, minticks=fewest, maxticks=8)  # type: ignore[no-untyped-call]
        axis.set_major_locator(locator)
    several_days = span_seconds > DAY

    def label(value: float, _position: object = None) -> str:
        moment = num2date(value, tz=view.tz)  # type: ignore[no-untyped-call]
        if not several_days:
            pattern = "HH:mm"
        elif (moment.hour, moment.minute) == (0, 0):
            pattern = "d MMM"
        else:
            pattern = "d MMM HH:mm"
        return str(format_datetime(moment, pattern, locale=view.locale))

    axis.set_major_formatter(FuncFormatter(label))


def last_price_line(ax: Axes, price: float, label: str) -> None:
    """The price now across the chart, its value written at the right edge."""
    ax.axhline(price, color=LAST_PRICE, linestyle=":", linewidth=1.2, alpha=0.9)
    ax.annotate(
        label,
        (1, price),
        xycoords=("axes fraction", "data"),
        xytext=(-4, -12),
        textcoords="offset points",
        ha="right",
        fontsize=10,
        color=LAST_PRICE,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LAST_PRICE, "alpha": 0.85},
    )


def last_price_line_x(ax: Axes, price: float, label: str) -> None:
    """The same for a chart whose prices run along x (the depth chart): the mid price."""
    ax.axvline(price, color=LAST_PRICE, linestyle=":", linewidth=1.2, alpha=0.9)
    ax.annotate(
        label,
        (price, 0),
        xycoords=("data", "axes fraction"),
        xytext=(4, 6),
        textcoords="offset points",
        fontsize=10,
        color=LAST_PRICE,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LAST_PRICE, "alpha": 0.85},
    )
