"""Track-record chart for /performance: the sniper's cumulative R, or the rolling hit ratio of
bias and whale calls against the always-long baseline (and the whale target)."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.ticker import FuncFormatter

from bot.charts.frame import figure, finish
from bot.charts.labels import ChartFrame
from bot.render.performance import ChartLabels, plotted
from bot.render.view import View
from services.signals.calls import Kind
from services.signals.track_record import TrackRecord

# matplotlib.dates has no annotations: its three calls below carry no-untyped-call ignores.
LINE, BASELINE, TARGET, ZERO = "#2563eb", "#6b7280", "#16a34a", "#111827"


def _time_formatter(view: View, ax: Axes) -> FuncFormatter:
    def label(value: float, _position: object = None) -> str:
        # From the axis as drawn, not the data: a single point still spans days of axis.
        low, high = ax.get_xlim()
        span = timedelta(days=high - low)
        pattern = "HH:mm" if span <= timedelta(days=1) else "d MMM"
        if timedelta(days=1) < span <= timedelta(days=7):  # ticks fall within a day
            pattern = "d MMM HH:mm"
        moment = num2date(value, tz=view.tz)  # type: ignore[no-untyped-call]
        # Babel, not strftime: month names in the chat's language, whatever the process locale.
        return str(format_datetime(moment, pattern, locale=view.locale))

    return FuncFormatter(label)


def _r_axis(view: View) -> FuncFormatter:
    def label(value: float, _position: object = None) -> str:
        pattern = "+#,##0.#;-#,##0.#" if value else "0"  # a signed zero reads as a result
        return f"{format_decimal(value, format=pattern, locale=view.locale)}R"

    return FuncFormatter(label)


def _percent_axis(view: View) -> FuncFormatter:
    def label(value: float, _position: object = None) -> str:
        return str(format_percent(value / 100, format="#,##0%", locale=view.locale))

    return FuncFormatter(label)


def performance_chart(record: TrackRecord, labels: ChartLabels, view: View) -> bytes | None:
    """PNG bytes, or None when there is nothing worth drawing yet."""
    points = plotted(record)
    if not points:
        return None
    fig, ax = figure()
    times = [date2num(p.at) for p in points]  # type: ignore[no-untyped-call]
    if record.kind == Kind.SNIPER:
        ax.step(times, [p.value for p in points], where="post", color=LINE, label=labels.series)
        ax.plot(times, [p.value for p in points], "o", color=LINE, markersize=3)
        ax.axhline(0, color=ZERO, linewidth=0.8)
        ax.yaxis.set_major_formatter(_r_axis(view))
    else:
        ax.plot(
            times,
            [p.value * 100 for p in points],
            color=LINE,
            marker="o",
            markersize=3,
            label=labels.series,
        )
        main = next((h for h in record.horizons if h.horizon == record.main), None)
        if labels.baseline is not None and main is not None and main.baseline.ratio is not None:
            ax.axhline(
                main.baseline.ratio * 100,
                color=BASELINE,
                linestyle="--",
                linewidth=1.2,
                label=labels.baseline,
            )
        if labels.target is not None and record.target is not None:
            ax.axhline(
                record.target.threshold * 100,
                color=TARGET,
                linestyle=":",
                linewidth=1.5,
                label=labels.target,
            )
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(_percent_axis(view))
    if times[-1] - times[0] < 1 / 24:
        # Plain numbers have no date limits: one point would widen the axis to years.
        ax.set_xlim(times[0] - 0.5, times[-1] + 0.5)
    ax.xaxis.set_major_locator(AutoDateLocator(tz=view.tz))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(_time_formatter(view, ax))
    ax.set_ylabel(labels.y_axis)
    ax.set_xlabel(labels.x_axis)
    # Above the plot, outside the axes: a legend inside would cover the line somewhere.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=3, frameon=False, fontsize=10)
    ax.grid(alpha=0.2)
    frame = ChartFrame(title=labels.title, context=labels.context, locale=view.locale)
    return finish(fig, frame, top=0.86)  # room for the legend above the plot
