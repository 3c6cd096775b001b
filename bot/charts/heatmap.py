"""Heatmap image for /heatmap: liquidations by time and price where the data has a time axis
(longs and shorts in their own colours, the price line over them), else USD per price band."""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.dates import date2num
from matplotlib.patches import Patch

from bot.charts.candles import time_axis
from bot.charts.frame import figure, finish, numbers
from bot.charts.labels import HeatmapLabels
from bot.render.view import View
from services.market.heatmap.service import HeatmapReport
from services.market.heatmap.timemap import TimeMap

LONGS, SHORTS, PRICE = "Reds", "Greens", "#2563eb"
NAN = float("nan")


def heatmap_chart(report: HeatmapReport, labels: HeatmapLabels, view: View) -> bytes:
    fig, ax = figure()
    if report.map is not None:
        _time_map(ax, report.map, labels, view)
    else:
        _bands(ax, report, labels, view)
    ax.grid(alpha=0.2)
    return finish(fig, labels.frame)


def _time_map(ax: Axes, grid: TimeMap, labels: HeatmapLabels, view: View) -> None:
    x = [float(date2num(t.astimezone(view.tz))) for t in grid.times]  # type: ignore[no-untyped-call]
    y = [float(p) for p in grid.prices]
    # Empty cells are NaN: a colormap draws those transparent, so one side shows through the
    # other. One USD scale for both sides: a darker cell is a bigger cluster on either.
    longs = [[float(v) if v > 0 else NAN for v in row] for row in grid.longs]
    shorts = [[float(v) if v > 0 else NAN for v in row] for row in grid.shorts]
    top = max((v for row in longs + shorts for v in row if v == v), default=1.0)
    norm = Normalize(vmin=0, vmax=top)
    for values, cmap in ((longs, LONGS), (shorts, SHORTS)):
        ax.pcolormesh(x, y, values, cmap=colormaps[cmap], norm=norm, alpha=0.85)
    if grid.path:
        ax.plot(
            [float(date2num(t.astimezone(view.tz))) for t, _ in grid.path],  # type: ignore[no-untyped-call]
            [float(p) for _, p in grid.path],
            color=PRICE,
            linewidth=1.6,
        )
    handles = [
        Patch(color=colormaps[LONGS](0.7), label=labels.longs),
        Patch(color=colormaps[SHORTS](0.7), label=labels.shorts),
    ]
    if grid.path:
        handles.append(Patch(color=PRICE, label=labels.price))
    ax.legend(handles=handles, loc="upper left", framealpha=0.85)
    ax.set_xlabel(labels.time_axis)
    ax.set_ylabel(labels.y_axis)
    span = (grid.times[-1] - grid.times[0]).total_seconds()
    ax.xaxis.set_major_formatter(time_axis(view, 14_400 if span > 2 * 86_400 else 0))
    ax.yaxis.set_major_formatter(numbers(view))


def _bands(ax: Axes, report: HeatmapReport, labels: HeatmapLabels, view: View) -> None:
    a = report.analysis
    if a.bands:
        values = [float(band.usd) for band in a.bands]
        norm = Normalize(vmin=0, vmax=max(values))
        colours = [colormaps["inferno_r"](norm(v)) for v in values]
        ax.barh(
            [float(band.mid) for band in a.bands],
            values,
            height=[float(band.high - band.low) * 0.9 for band in a.bands],
            color=colours,
        )
    ax.axhline(float(a.price), color=PRICE, linestyle="--", linewidth=1.2, label=labels.price)
    ax.set_xlabel(labels.x_axis)
    ax.set_ylabel(labels.y_axis)
    ax.legend(loc="best")  # where it covers the fewest bars
    ax.xaxis.set_major_formatter(numbers(view, compact=True))
    ax.yaxis.set_major_formatter(numbers(view))
