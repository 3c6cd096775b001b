"""Inline buttons under market answers: refresh, and the heatmap's range. Each edits its own
message in place."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.answers import heatmap_answer, orderbook_answer
from bot.keyboards import HeatmapView, Refresh, refresh_keyboard
from bot.photo import edit_with_chart
from bot.render.ticker import render_ticker
from bot.render.view import View
from bot.reply import not_modified
from services.container import Services
from services.heatmap import parse_range
from services.orderbook import parse_exchange
from services.symbols import parse_symbol


async def refresh(
    query: CallbackQuery, callback_data: Refresh, services: Services, view: View
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    instrument = parse_symbol(callback_data.symbol)
    if callback_data.kind == "tk":
        ticker = await services.ticker.ticker(instrument)
        try:
            await message.edit_text(
                render_ticker(ticker, view),
                reply_markup=refresh_keyboard("tk", callback_data.symbol),
            )
        except TelegramBadRequest as exc:
            if not not_modified(exc):
                raise
    else:
        exchange = parse_exchange(callback_data.exchange)
        report = await services.orderbook.report(instrument, exchange)
        await edit_with_chart(message, orderbook_answer(report, view, exchange))
    await query.answer(_("Updated"))


async def heatmap_range(
    query: CallbackQuery, callback_data: HeatmapView, services: Services, view: View
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    range_ = parse_range(callback_data.range)
    report = await services.heatmap.heatmap(parse_symbol(callback_data.coin), range_)
    await edit_with_chart(message, heatmap_answer(report, view))
    await query.answer()
