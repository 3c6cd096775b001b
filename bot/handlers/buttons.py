"""Inline buttons under market answers: refresh, and the heatmap's range. Each edits its own
message in place. A press is answered through bot/middlewares/callback_answer.py; a failure
(unknown coin, a message Telegram no longer lets us edit) is answered by the errors router."""

from __future__ import annotations

import asyncio

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.answers import chart_answer, heatmap_answer, orderbook_answer
from bot.handlers.market import rupiah_line, rupiah_of
from bot.handlers.performance import DEFAULT_DAYS, answer_performance
from bot.keyboards import (
    ChartView,
    HeatmapView,
    RecordView,
    Refresh,
    RefreshKind,
    parse_call_ref,
    refresh_keyboard,
)
from bot.middlewares.callback_answer import answer_query
from bot.photo import answer_with_chart, edit_with_chart
from bot.render.buttons import render_expired_button
from bot.render.ticker import render_ticker
from bot.render.view import View
from bot.reply import not_modified
from services.kernel.symbols import parse_symbol
from services.market.heatmap.service import HeatmapService
from services.market.instruments import InstrumentCatalog
from services.market.orderbook.service import OrderBookService, parse_exchange
from services.market.parts import ModuleServices
from services.market.perp import perp_context
from services.market.rupiah import RupiahService
from services.market.ticker.candles import PriceCharts
from services.market.ticker.service import TickerService
from services.signals.calls import CallLog
from services.signals.track_record import TrackRecordService


async def shown(query: CallbackQuery) -> Message | None:
    """The message the pressed button is under; None (the press answered as expired) when
    Telegram no longer shows it to us (too old) or there is none (an inline message)."""
    if isinstance(query.message, Message):
        return query.message
    await answer_query(query, render_expired_button())
    return None


async def refresh(
    query: CallbackQuery,
    callback_data: Refresh,
    tickers: TickerService,
    books: OrderBookService,
    instruments: InstrumentCatalog,
    modules: ModuleServices,
    view: View,
    rupiah: RupiahService,
) -> None:
    message = await shown(query)
    if message is None:
        return
    instrument = parse_symbol(callback_data.symbol)
    if callback_data.kind == RefreshKind.TICKER:
        ticker, perp = await asyncio.gather(
            tickers.ticker(instrument), perp_context(modules, instrument)
        )
        idr = await rupiah_line(rupiah_of(view, rupiah), instrument, ticker.last)
        try:
            await message.edit_text(
                render_ticker(ticker, view, perp, idr),
                reply_markup=refresh_keyboard(RefreshKind.TICKER, callback_data.symbol),
            )
        except TelegramBadRequest as exc:
            if not not_modified(exc):
                raise
    else:
        exchange = parse_exchange(callback_data.exchange)
        report = await books.report(instrument, exchange)
        view = view.on_tick(await instruments.tick(instrument))  # as /ob shows it
        await edit_with_chart(message, orderbook_answer(report, view, exchange))
    await answer_query(query, _("Updated"))


async def heatmap_range(
    query: CallbackQuery,
    callback_data: HeatmapView,
    heatmaps: HeatmapService,
    instruments: InstrumentCatalog,
    view: View,
) -> None:
    message = await shown(query)
    if message is None:
        return
    instrument = parse_symbol(callback_data.coin)
    report = await heatmaps.heatmap(instrument, callback_data.range)
    view = view.on_tick(await instruments.tick(instrument))  # as /heatmap shows it
    await edit_with_chart(message, heatmap_answer(report, view))
    await answer_query(query)


async def chart_view(
    query: CallbackQuery,
    callback_data: ChartView,
    price_charts: PriceCharts,
    call_log: CallLog,
    instruments: InstrumentCatalog,
    view: View,
) -> None:
    """A timeframe under a chart redraws it in place; the chart button under a ticker sends
    the chart as a new message (the price stays where it was)."""
    message = await shown(query)
    if message is None:
        return
    instrument = parse_symbol(callback_data.symbol)
    report = await price_charts.chart(instrument, callback_data.bar)
    view = view.on_tick(await instruments.tick(instrument))  # as /chart shows it
    ref = parse_call_ref(callback_data.call)
    call = await call_log.levels_of(ref[0], instrument.base, ref[1]) if ref else None
    answer = chart_answer(report, view, await call_log.live_map(instrument.base), call)
    if message.photo:
        await edit_with_chart(message, answer)
    else:
        await answer_with_chart(message, answer, quoted=False)
    await answer_query(query)


async def expired(query: CallbackQuery) -> None:
    """Any press no handler above took: a button from an older version of the bot, a flag
    that no longer exists, or data no button of ours carries."""
    await answer_query(query, render_expired_button())


async def record_view(
    query: CallbackQuery, callback_data: RecordView, track_record: TrackRecordService, view: View
) -> None:
    """The track record of the kind of call a push carried, as /performance shows it."""
    message = await shown(query)
    if message is None:
        return
    record = await track_record.record(callback_data.kind.value, DEFAULT_DAYS, None, view.now)
    await answer_performance(message, record, view)
    await answer_query(query)
