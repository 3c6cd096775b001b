"""Depth chart for /ob: cumulative bid and ask notional around mid, walls marked."""

from __future__ import annotations

from decimal import Decimal

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
    book, analysis = report.book, report.analysis
    bid_x, bid_y = _cumulative([(lv.price, lv.size) for lv in book.bids])
    ask_x, ask_y = _cumulative([(lv.price, lv.size) for lv in book.asks])
    fig, ax = figure()
    ax.step(bid_x, bid_y, where="post", color=BID, label=labels.bids)
    ax.fill_between(bid_x, bid_y, step="post", color=BID, alpha=0.15)
    ax.step(ask_x, ask_y, where="post", color=ASK, label=labels.asks)
    ax.fill_between(ask_x, ask_y, step="post", color=ASK, alpha=0.15)
    ax.axvline(float(analysis.mid), color="#6b7280", linestyle="--", linewidth=1)
    for wall in analysis.bid_walls + analysis.ask_walls:
        ax.axvline(float(wall.price), color=WALL, linewidth=1.5, alpha=0.7)
        ax.annotate(
            view.times(wall.multiple),
            (float(wall.price), ax.get_ylim()[1]),
            textcoords="offset points",
            xytext=(3, -14),
            fontsize=10,
        )
    ax.set_xlabel(labels.x_axis)
    ax.set_ylabel(labels.y_axis)
    # The books' deepest part is at the edges, the thin middle is where the curves start:
    # the legend goes there, above the mid line, not over the data.
    ax.legend(loc="upper center")
    ax.grid(alpha=0.2)
    ax.xaxis.set_major_formatter(numbers(view))
    ax.yaxis.set_major_formatter(numbers(view, compact=True))
    return finish(fig, labels.frame)
