"""Heatmap image for /heatmap: liquidation USD per price band, price marked."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib import colormaps
from matplotlib.colors import Normalize

from bot.charts.frame import ChartFrame, figure, finish, numbers
from bot.render.view import View
from services.market.heatmap.service import HeatmapReport


@dataclass(frozen=True)
class HeatmapLabels:
    frame: ChartFrame
    x_axis: str
    y_axis: str
    price: str  # "price 142.35", in the chat's numbers


def heatmap_chart(report: HeatmapReport, labels: HeatmapLabels, view: View) -> bytes:
    a = report.analysis
    fig, ax = figure()
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
    ax.axhline(float(a.price), color="#2563eb", linestyle="--", linewidth=1.2, label=labels.price)
    ax.set_xlabel(labels.x_axis)
    ax.set_ylabel(labels.y_axis)
    ax.legend(loc="best")  # where it covers the fewest bars
    ax.grid(alpha=0.2)
    ax.xaxis.set_major_formatter(numbers(view, compact=True))
    ax.yaxis.set_major_formatter(numbers(view))
    return finish(fig, labels.frame)
