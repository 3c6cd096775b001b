"""Market commands. Symbol, argument and data errors are answered by bot/handlers/errors.py."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.answers import heatmap_answer, orderbook_answer
from bot.keyboards import refresh_keyboard
from bot.photo import answer_with_chart
from bot.render.alerts import render_entry_map
from bot.render.alpha import render_alpha
from bot.render.options import render_options
from bot.render.sentiment import render_etf, render_sentiment
from bot.render.ticker import render_ticker
from bot.render.view import View
from bot.render.whale import render_whale
from bot.reply import reply
from services.container import Services
from services.kernel.symbols import okx_inst_id
from services.market.heatmap.service import parse_range
from services.market.orderbook.service import parse_exchange


async def ticker(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or "")
    result = await services.ticker.ticker(instrument)
    markup = refresh_keyboard("tk", okx_inst_id(instrument))
    await reply(message, render_ticker(result, view), markup)


async def ob(message: Message, command: CommandObject, services: Services, view: View) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    exchange = parse_exchange(rest)
    instrument = await services.instruments.resolve(symbol)
    report = await services.orderbook.report(instrument, exchange)
    await answer_with_chart(message, orderbook_answer(report, view, exchange))


async def whale(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args) if command.args else None
    report = await services.whale.recent(instrument)
    await reply(message, render_whale(report, view, services.whale.flow(report, view.now)))


async def sentiment(message: Message, services: Services, view: View) -> None:
    await reply(message, render_sentiment(await services.sentiment.current(), view))


async def etf(message: Message, services: Services, view: View) -> None:
    await reply(message, render_etf(await services.etf.bitcoin(), view))


async def heatmap(message: Message, command: CommandObject, services: Services, view: View) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    range_ = parse_range(rest)
    instrument = await services.instruments.resolve(symbol)
    report = await services.heatmap.heatmap(instrument, range_)
    await answer_with_chart(message, heatmap_answer(report, view))


async def options(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or "BTC")
    await reply(message, render_options(await services.options.summary(instrument), view))


async def alpha(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or services.settings.sniper_symbol)
    await reply(message, render_alpha(await services.bias.call(instrument), view))


async def sniper(message: Message, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(services.settings.sniper_symbol)
    read = await services.sniper.read(instrument)
    await reply(message, render_entry_map(read.map, view))
