"""Chart answers, built once: the command and its buttons send and edit the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from aiogram.types import InlineKeyboardMarkup

from bot.charts.labels import CandleLabels, DepthLabels, DerivLabels, HeatmapLabels
from bot.keyboards import (
    chart_keyboard,
    deriv_keyboard,
    heatmap_keyboard,
    refresh_keyboard,
    with_map,
)
from bot.render.chart import candle_labels, render_chart_caption
from bot.render.derivatives import deriv_labels, render_deriv, render_deriv_caption
from bot.render.heatmap import heatmap_caption, heatmap_labels, render_heatmap
from bot.render.orderbook import depth_labels, orderbook_caption, render_orderbook
from bot.render.view import View
from services.kernel.symbols import Instrument
from services.market.funding.service import FundingReport, Settlement
from services.market.heatmap.service import HeatmapReport
from services.market.oi.service import OiReport, OiWindow
from services.market.orderbook.service import Exchange, OrderBookReport
from services.market.ticker.candles import CandleReport
from services.signals.calls import CallLevels
from services.signals.sniper.rule import EntryMap
from services.vendors.okx_stats import OiPoint
from services.vendors.okx_symbols import okx_inst_id


@dataclass(frozen=True)
class ChartAnswer:
    text: str
    caption: str  # when the text is too long for a photo caption
    draw: Callable[[], bytes]
    filename: str
    markup: InlineKeyboardMarkup


def orderbook_answer(report: OrderBookReport, view: View, exchange: Exchange | None) -> ChartAnswer:
    symbol = okx_inst_id(report.book.instrument)
    labels = depth_labels(report, view)  # translated here, where the chat's locale is set
    return ChartAnswer(
        text=render_orderbook(report, view),
        caption=orderbook_caption(report, view),
        draw=lambda: draw_depth(report, labels, view),
        filename="depth.png",
        markup=refresh_keyboard("ob", symbol, exchange.value if exchange else ""),
    )


def chart_answer(
    report: CandleReport, view: View, live: EntryMap | None = None, call: CallLevels | None = None
) -> ChartAnswer:
    labels = candle_labels(report, view, live, call)
    caption = render_chart_caption(report, view, live, call)
    return ChartAnswer(
        text=caption,
        caption=caption,
        draw=lambda: draw_candles(report, labels, view),
        filename="chart.png",
        markup=_chart_markup(report, live, call),
    )


def _chart_markup(
    report: CandleReport, live: EntryMap | None, call: CallLevels | None
) -> InlineKeyboardMarkup:
    """The timeframes, and the drawn map's lines as alerts in one tap."""
    markup = chart_keyboard(okx_inst_id(report.instrument), report.bar)
    drawn = call.map if call is not None and call.map is not None else live
    return (with_map(markup, drawn) or markup) if drawn is not None else markup


def heatmap_answer(report: HeatmapReport, view: View) -> ChartAnswer:
    heat_labels = heatmap_labels(report, view)
    ranges = report.ranges()
    return ChartAnswer(
        text=render_heatmap(report, view),
        caption=heatmap_caption(report),
        draw=lambda: draw_heatmap(report, heat_labels, view),
        filename="heatmap.png",
        markup=heatmap_keyboard(report.coin, report.range.value, [r.value for r in ranges]),
    )


# The drawing modules import matplotlib (a third of a second): only once a chart is drawn, in
# its worker thread, not when the bot starts.
def draw_depth(report: OrderBookReport, labels: DepthLabels, view: View) -> bytes:
    from bot.charts.depth import depth_chart

    return depth_chart(report, labels, view)


def draw_heatmap(report: HeatmapReport, labels: HeatmapLabels, view: View) -> bytes:
    from bot.charts.heatmap import heatmap_chart

    return heatmap_chart(report, labels, view)


def draw_candles(report: CandleReport, labels: CandleLabels, view: View) -> bytes:
    from bot.charts.candles import candle_chart

    return candle_chart(report, labels, view)


def deriv_answer(
    funding: FundingReport | str, oi: OiReport | str, pair: Instrument, window: OiWindow, view: View
) -> ChartAnswer:
    """The card, with the window's price and open interest and the week's funding drawn when
    open interest answered (else the card alone: its chart would have nothing to show)."""
    text = render_deriv(funding, oi, pair.swap().display, view)
    markup = deriv_keyboard(okx_inst_id(pair.swap()), window)
    if not isinstance(oi, OiReport) or len(oi.series) < 2:
        return ChartAnswer(text, text, _no_chart, "deriv.png", markup)
    labels = deriv_labels(oi, view)
    paid = funding.paid if isinstance(funding, FundingReport) else []
    interval = funding.now.interval_hours if isinstance(funding, FundingReport) else Decimal(8)
    return ChartAnswer(
        text=text,
        caption=render_deriv_caption(oi, view),
        draw=lambda: draw_deriv(oi.series, paid, interval, labels, view),
        filename="deriv.png",
        markup=markup,
    )


def _no_chart() -> bytes:
    raise LookupError("nothing to draw")  # render_chart logs it and the text goes alone


def draw_deriv(
    series: list[OiPoint],
    paid: list[Settlement],
    interval_hours: Decimal,
    labels: DerivLabels,
    view: View,
) -> bytes:
    from bot.charts.derivs import deriv_chart

    return deriv_chart(series, paid, interval_hours, labels, view)
