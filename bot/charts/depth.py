"""Depth chart for /ob: cumulative bid and ask notional around mid, walls marked."""

from __future__ import annotations

import io
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.charts.ticks import COMPACT
from services.market.orderbook.service import OrderBookReport

BID, ASK, WALL = "#16a34a", "#dc2626", "#111827"
SIZE, DPI = (8, 4.5), 100


def _cumulative(levels: list[tuple[Decimal, Decimal]]) -> tuple[list[float], list[float]]:
    prices, totals, running = [], [], Decimal(0)
    for price, size in levels:
        running += price * size
        prices.append(float(price))
        totals.append(float(running))
    return prices, totals


def depth_chart(report: OrderBookReport, title: str) -> bytes:
    book, analysis = report.book, report.analysis
    bid_x, bid_y = _cumulative([(lv.price, lv.size) for lv in book.bids])
    ask_x, ask_y = _cumulative([(lv.price, lv.size) for lv in book.asks])
    # The object API, not pyplot: no global figure registry, so charts can render in
    # several worker threads at once.
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step(bid_x, bid_y, where="post", color=BID, label="bids")
    ax.fill_between(bid_x, bid_y, step="post", color=BID, alpha=0.15)
    ax.step(ask_x, ask_y, where="post", color=ASK, label="asks")
    ax.fill_between(ask_x, ask_y, step="post", color=ASK, alpha=0.15)
    ax.axvline(float(analysis.mid), color="#6b7280", linestyle="--", linewidth=1)
    for wall in analysis.bid_walls + analysis.ask_walls:
        ax.axvline(float(wall.price), color=WALL, linewidth=1.5, alpha=0.7)
        ax.annotate(
            f"{float(wall.multiple):.1f}x",
            (float(wall.price), ax.get_ylim()[1]),
            textcoords="offset points",
            xytext=(2, -12),
            fontsize=8,
        )
    ax.set_title(title)
    ax.set_xlabel(f"price ({book.instrument.quote})")
    ax.set_ylabel(f"cumulative notional ({book.instrument.quote})")
    ax.legend(loc="upper center")
    ax.grid(alpha=0.2)
    # Fixed margins: tight_layout measures every label by drawing it, a quarter of the time.
    ax.yaxis.set_major_formatter(COMPACT)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.92, bottom=0.12)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
