"""Heatmap image for /heatmap: liquidation USD per price band, price marked."""

from __future__ import annotations

import io

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from bot.charts.ticks import COMPACT
from services.market.heatmap.service import HeatmapReport

SIZE, DPI = (8, 4.5), 100


def heatmap_chart(report: HeatmapReport, title: str) -> bytes:
    a = report.analysis
    fig = Figure(figsize=SIZE, dpi=DPI)  # object API: safe in worker threads
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
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
    ax.axhline(
        float(a.price),
        color="#2563eb",
        linestyle="--",
        linewidth=1.2,
        label=f"price {float(a.price):g}",
    )
    ax.set_title(title)
    ax.set_xlabel("liquidation USD (relative estimate)")
    ax.set_ylabel("price")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.2)
    # Fixed margins: tight_layout measures every label by drawing it, a quarter of the time.
    ax.xaxis.set_major_formatter(COMPACT)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.92, bottom=0.12)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
