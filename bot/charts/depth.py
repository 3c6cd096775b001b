"""Depth chart for /ob: cumulative bid and ask notional around mid, walls marked."""

from __future__ import annotations

from decimal import Decimal

from matplotlib.axes import Axes

from bot.charts.axes import last_price_line_x
from bot.charts.frame import figure, finish, numbers
from bot.charts.labels import DepthLabels
from bot.render.view import View
from services.market.orderbook.service import OrderBookReport

BID, ASK, WALL = "#16a34a", "#dc2626", "#111827"


def _cumulative(levels: list[tuple[Decimal, Decimal]]) -> tuple[list[float], list[float]]:
    prices, totals, running = [], [], Decimal(0)
    for price, size in levels:
        running += price * size
        prices.append(float(price))
        totals.append(float(running))
    return prices, totals


def depth_chart(report: OrderBookReport, labels: DepthLabels, view: View) -> bytes:
    fig, ax = figure()
    draw_depth(ax, report, labels, view)
    return finish(fig, labels.frame)


def draw_depth(ax: Axes, report: OrderBookReport, labels: DepthLabels, view: View) -> None:
    book, analysis = report.book, report.analysis
    bid_x, bid_y = _cumulative([(lv.price, lv.size) for lv in book.bids])
    ask_x, ask_y = _cumulative([(lv.price, lv.size) for lv in book.asks])
    ax.step(bid_x, bid_y, where="post", color=BID, label=labels.bids)
    ax.fill_between(bid_x, bid_y, step="post", color=BID, alpha=0.15)
    ax.step(ask_x, ask_y, where="post", color=ASK, label=labels.asks)
    ax.fill_between(ask_x, ask_y, step="post", color=ASK, alpha=0.15)
    top = ax.get_ylim()[1]
    for n, wall in enumerate(
        sorted(analysis.bid_walls + analysis.ask_walls, key=lambda w: w.price)
    ):
        ax.axvline(float(wall.price), color=WALL, linewidth=1.5, alpha=0.7)
        # Its price, its size in the quote and how many median levels it holds; staggered so
        # neighbouring walls' labels do not sit on each other.
        size = f"${view.compact(wall.notional)} · {view.times(wall.multiple)}"
        ax.annotate(
            f"{view.price(wall.price)}\n{size}",
            (float(wall.price), top),
            textcoords="offset points",
            xytext=(3, -26 - 26 * (n % 3)),
            fontsize=9,
        )
    last_price_line_x(ax, float(analysis.mid), labels.mid)
    ax.set_xlabel(labels.x_axis)
    ax.set_ylabel(labels.y_axis)
    # The books' deepest part is at the edges, the thin middle is where the curves start:
    # the legend goes there, above the mid line, not over the data.
    ax.legend(loc="upper center")
    ax.grid(alpha=0.2)
    ax.xaxis.set_major_formatter(numbers(view))
    ax.yaxis.set_major_formatter(numbers(view, compact=True))
