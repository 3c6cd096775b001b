"""Market commands. Each declares the services it uses, by the names the dispatcher offers
(`Services.by_name`); symbol, argument and data errors are answered by bot/handlers/errors.py."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.answers import chart_answer, heatmap_answer, orderbook_answer
from bot.keyboards import refresh_keyboard, with_map
from bot.photo import answer_with_chart
from bot.render.alerts import render_entry_map
from bot.render.alpha import render_alpha
from bot.render.ticker import render_board, render_ticker
from bot.render.view import View
from bot.render.whale import render_whale
from bot.reply import reply
from services.chats.desk import ChatSettings, Quote
from services.kernel.settings import Settings
from services.kernel.symbols import MAX_SYMBOLS, Instrument, split_symbols
from services.market.heatmap.service import HeatmapService, parse_range
from services.market.instruments import InstrumentCatalog
from services.market.orderbook.service import OrderBookService, parse_exchange
from services.market.parts import ModuleServices
from services.market.perp import perp_context
from services.market.rupiah import InRupiah, RupiahService
from services.market.ticker.board import board
from services.market.ticker.candles import PriceCharts, parse_bar
from services.market.ticker.service import TickerService
from services.market.whale.service import WhaleService
from services.signals.bias.service import BiasService
from services.signals.calls import CallLog
from services.signals.sniper.service import SniperService
from services.vendors.okx_symbols import okx_inst_id


async def ticker(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    tickers: TickerService,
    modules: ModuleServices,
    view: View,
    rupiah: RupiahService,
) -> None:
    symbols = split_symbols(command.args)
    if len(symbols) > 1:
        asked, left_out = symbols[:MAX_SYMBOLS], symbols[MAX_SYMBOLS:]
        quotes = await board(instruments, tickers, asked)
        await reply(message, render_board(quotes, view, left_out))
        return
    instrument = await instruments.resolve(command.args or "")
    await answer_ticker(message, instrument, tickers, modules, view, rupiah_of(view, rupiah))


async def rupiah_line(
    rupiah: RupiahService | None, instrument: Instrument, last: Decimal
) -> InRupiah | None:
    """Only a USDT price converts at the USDT/IDR rate; another quote reads the coin's own
    rupiah market or nothing."""
    if rupiah is None:
        return None
    return await rupiah.line(instrument.base, last if instrument.quote == "USDT" else None)


def rupiah_of(view: View, rupiah: RupiahService) -> RupiahService | None:
    """The rupiah service for a chat that quotes in IDR, None for one in USDT."""
    return rupiah if view.quote is Quote.IDR else None


async def answer_ticker(
    message: Message,
    instrument: Instrument,
    tickers: TickerService,
    modules: ModuleServices,
    view: View,
    rupiah: RupiahService | None = None,
) -> None:
    result, perp = await asyncio.gather(
        tickers.ticker(instrument), perp_context(modules, instrument)
    )
    idr = await rupiah_line(rupiah, instrument, result.last)
    markup = refresh_keyboard("tk", okx_inst_id(instrument))
    await reply(message, render_ticker(result, view, perp, idr), markup)


async def chart(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    price_charts: PriceCharts,
    call_log: CallLog,
    view: View,
) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    bar = parse_bar(rest)
    instrument = await instruments.resolve(symbol)
    report = await price_charts.chart(instrument, bar)
    live = await call_log.live_map(instrument.base)
    view = view.on_tick(await instruments.tick(instrument))
    await answer_with_chart(message, chart_answer(report, view, live))


async def ob(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    books: OrderBookService,
    view: View,
) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    exchange = parse_exchange(rest)
    instrument = await instruments.resolve(symbol)
    report = await books.report(instrument, exchange)
    view = view.on_tick(await instruments.tick(instrument))
    await answer_with_chart(message, orderbook_answer(report, view, exchange))


async def whale(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    whales: WhaleService,
    view: View,
    desk: ChatSettings,
) -> None:
    instrument = await instruments.resolve(command.args) if command.args else None
    report = (await whales.recent(instrument)).at_least(desk.whale_min_usd)
    await reply(message, render_whale(report, view, whales.flow(report, view.now)))


async def heatmap(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    heatmaps: HeatmapService,
    view: View,
) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    range_ = parse_range(rest)
    instrument = await instruments.resolve(symbol)
    report = await heatmaps.heatmap(instrument, range_)
    view = view.on_tick(await instruments.tick(instrument))
    await answer_with_chart(message, heatmap_answer(report, view))


async def alpha(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    biases: BiasService,
    settings: Settings,
    view: View,
) -> None:
    instrument = await instruments.resolve(command.args or settings.sniper_symbol)
    await reply(message, render_alpha(await biases.call(instrument), view))


async def sniper(
    message: Message,
    instruments: InstrumentCatalog,
    snipers: SniperService,
    settings: Settings,
    view: View,
) -> None:
    read = await snipers.read(await instruments.resolve(settings.sniper_symbol))
    await reply(message, render_entry_map(read.map, view), with_map(None, read.map))
