"""What every chart carries besides its data: a size that reads on a phone, its title, and a
line saying what it shows (symbol, source, time in the chat's zone, stale) in the chat's
language, also written into the PNG's metadata. Words come translated (bot/charts/labels.py)."""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.charts.labels import ChartFrame
from bot.render.view import View

SIZE, DPI = (12.8, 7.2), 100  # 1280x720: full width on a phone, sharp on a desktop
CONTEXT_COLOUR = "#4b5563"


def figure() -> tuple[Figure, Axes]:
    # The object API, not pyplot: no global figure registry, so charts can render in
    # several worker threads at once.
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def price_and_volume() -> tuple[Figure, Axes, Axes]:
    """A price panel over a third as tall volume panel, sharing the time axis."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    price, volume = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 1)})
    return fig, price, volume


def finish(fig: Figure, frame: ChartFrame, *, top: float = 0.9) -> bytes:
    fig.suptitle(frame.title, fontsize=15, y=0.975)
    fig.text(0.01, 0.012, frame.context, fontsize=10, color=CONTEXT_COLOUR)
    # Fixed margins: tight_layout measures every label by drawing it, a quarter of the time.
    fig.subplots_adjust(left=0.08, right=0.98, top=top, bottom=0.13)
    out = io.BytesIO()
    # zlib level 3, not 6: a fifth of the encoding time for a slightly bigger file
    fig.savefig(out, format="png", metadata=frame.metadata(), pil_kwargs={"compress_level": 3})
    return out.getvalue()


def numbers(view: View, compact: bool = False) -> FuncFormatter:
    """Axis labels with the chat's decimal separator (1,5 jt / 142,5 in Indonesian)."""
    if compact:
        return FuncFormatter(lambda value, _position=None: view.compact(value))
    return FuncFormatter(lambda value, _position=None: view.price(round(value, 8)))
