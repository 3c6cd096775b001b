"""/deriv's chart: the perpetual's price and open interest over the window, and the funding
paid at each settlement of the week, in /chart's frame."""

from __future__ import annotations

from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from bot.charts.axes import time_axis
from bot.charts.frame import DPI, SIZE, finish, numbers
from bot.charts.labels import DerivLabels
from bot.render.view import View
from services.market.funding.service import Settlement
from services.vendors.okx_stats import OiPoint

PRICE, OPEN, PAID, RECEIVED = "#2563eb", "#7c3aed", "#dc2626", "#16a34a"


def deriv_chart(
    series: list[OiPoint],
    paid: list[Settlement],
    interval_hours: Decimal,
    labels: DerivLabels,
    view: View,
) -> bytes:
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    price, interest, funding = fig.subplots(3, 1, gridspec_kw={"height_ratios": (2, 2, 1)})
    draw_deriv(price, interest, funding, series, paid, interval_hours, labels, view)
    return finish(fig, labels.frame)


def draw_deriv(
    price: Axes,
    interest: Axes,
    funding: Axes,
    series: list[OiPoint],
    paid: list[Settlement],
    interval_hours: Decimal,
    labels: DerivLabels,
    view: View,
) -> None:
    xs = [float(date2num(p.at.astimezone(view.tz))) for p in series]  # type: ignore[no-untyped-call]
    price.plot(xs, [float(p.usd / p.coins) if p.coins else 0.0 for p in series], color=PRICE)
    interest.plot(xs, [float(p.coins) for p in series], color=OPEN)
    interest.fill_between(xs, [float(p.coins) for p in series], alpha=0.15, color=OPEN)
    if series:
        span = (series[-1].at - series[0].at).total_seconds()
        for ax in (price, interest):
            time_axis(ax.xaxis, view, span)
    # Funding per settlement as a yearly rate: positive (longs paid) red, negative green.
    days = [float(date2num(s.at.astimezone(view.tz))) for s in paid]  # type: ignore[no-untyped-call]
    # Each settlement's rate per its contract's interval, a year of them (not 3 a day: a 1 h
    # contract settles 24 times).
    per_year = 24 * 365 / float(interval_hours)
    yearly = [float(s.rate) * per_year * 100 for s in paid]
    if paid:
        funding.bar(
            days,
            yearly,
            width=0.25,
            color=[PAID if y >= 0 else RECEIVED for y in yearly],
        )
        time_axis(funding.xaxis, view, (paid[-1].at - paid[0].at).total_seconds())
    funding.axhline(0, color="#9ca3af", linewidth=0.8)
    for ax, title in (
        (price, labels.price),
        (interest, labels.open_interest),
        (funding, labels.funding),
    ):
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(alpha=0.25)
    price.yaxis.set_major_formatter(numbers(view))
    interest.yaxis.set_major_formatter(numbers(view, compact=True))
