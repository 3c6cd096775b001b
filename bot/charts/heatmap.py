"""Heatmap image for /heatmap: liquidations by time and price where the data has a time axis
(longs and shorts in their own colours, the price line over them), else USD per price band."""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.charts.axes import last_price_line, time_axis
from bot.charts.frame import figure, finish, numbers
from bot.charts.labels import HeatmapLabels
from bot.render.view import View
from services.market.heatmap.service import HeatmapReport
from services.market.heatmap.timemap import TimeMap

LONGS, SHORTS, PRICE, REALIZED = "Reds", "Greens", "#2563eb", "#111827"
NAN = float("nan")


def heatmap_chart(report: HeatmapReport, labels: HeatmapLabels, view: View) -> bytes:
    fig, ax = figure()
    draw_heatmap(fig, ax, report, labels, view)
    return finish(fig, labels.frame)


def draw_heatmap(
    fig: Figure, ax: Axes, report: HeatmapReport, labels: HeatmapLabels, view: View
) -> None:
    """Pending levels (by time and price where the data has a time axis, else by band), the
    realized liquidations over them as their own marks, the price, and a USD colour scale."""
    if report.map is not None:
        norm, cmap, handles = _time_map(ax, report.map, labels, view)
        handles += _realized(ax, report, labels, view)
        ax.legend(handles=handles, loc="upper left", framealpha=0.85)
        last_price_line(ax, float(report.analysis.price), labels.price)
    else:
        norm, cmap = _bands(ax, report, labels, view)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, pad=0.01, fraction=0.04)
    bar.set_label(labels.scale)
    bar.formatter = numbers(view, compact=True)
    bar.update_ticks()
    ax.grid(alpha=0.2)


def _time_map(
    ax: Axes, grid: TimeMap, labels: HeatmapLabels, view: View
) -> tuple[Normalize, Colormap, list[Artist]]:
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
    handles: list[Artist] = [
        Patch(color=colormaps[LONGS](0.7), label=labels.longs),
        Patch(color=colormaps[SHORTS](0.7), label=labels.shorts),
    ]
    if grid.path:
        handles.append(Patch(color=PRICE, label=labels.price))
    ax.set_xlabel(labels.time_axis)
    ax.set_ylabel(labels.y_axis)
    time_axis(ax.xaxis, view, (grid.times[-1] - grid.times[0]).total_seconds())
    ax.yaxis.set_major_formatter(numbers(view))
    return norm, colormaps[LONGS], handles


def _realized(ax: Axes, report: HeatmapReport, labels: HeatmapLabels, view: View) -> list[Artist]:
    """What OKX already liquidated, as marks over the levels (gone: never a level)."""
    layer = report.realized
    if layer is None or not layer.points or report.map is None:
        return []
    start = report.map.times[0]
    shown = [p for p in layer.points if p.at >= start]
    if not shown:
        return []
    biggest = max(float(p.usd) for p in shown)
    marks = ax.scatter(
        [float(date2num(p.at.astimezone(view.tz))) for p in shown],  # type: ignore[no-untyped-call]
        [float(p.price) for p in shown],
        s=[12 + 60 * float(p.usd) / biggest for p in shown],
        marker="x",
        color=REALIZED,
        linewidths=1.2,
        label=labels.realized,
        zorder=3,
    )
    return [marks]


def _bands(
    ax: Axes, report: HeatmapReport, labels: HeatmapLabels, view: View
) -> tuple[Normalize, Colormap]:
    a = report.analysis
    cmap = colormaps["inferno_r"]
    values = [float(band.usd) for band in a.bands]
    norm = Normalize(vmin=0, vmax=max(values, default=1.0))
    if a.bands:
        ax.barh(
            [float(band.mid) for band in a.bands],
            values,
            height=[float(band.high - band.low) * 0.9 for band in a.bands],
            color=[cmap(norm(v)) for v in values],
        )
    ax.axhline(float(a.price), color=PRICE, linestyle="--", linewidth=1.2, label=labels.price)
    ax.set_xlabel(labels.x_axis)
    ax.set_ylabel(labels.y_axis)
    ax.legend(loc="best")  # where it covers the fewest bars
    ax.xaxis.set_major_formatter(numbers(view, compact=True))
    ax.yaxis.set_major_formatter(numbers(view))
    return norm, cmap
