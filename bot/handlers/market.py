"""Market commands. Symbol, argument and data errors are answered by bot/handlers/errors.py."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.charts.depth import depth_chart
from bot.charts.heatmap import heatmap_chart
from bot.keyboards import heatmap_keyboard, refresh_keyboard
from bot.photo import answer_with_chart
from bot.render.alpha import render_alpha
from bot.render.heatmap import heatmap_caption, render_heatmap
from bot.render.options import render_options
from bot.render.orderbook import chart_title, orderbook_caption, render_orderbook
from bot.render.sentiment import render_etf, render_sentiment
from bot.render.ticker import render_ticker
from bot.render.view import View
from bot.render.whale import render_whale
from bot.reply import reply
from services.container import Services
from services.heatmap import HeatmapRange, parse_range
from services.orderbook import parse_exchange
from services.symbols import okx_inst_id


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
    await answer_with_chart(
        message,
        render_orderbook(report, view),
        orderbook_caption(report, view),
        lambda: depth_chart(report, chart_title(report)),
        "depth.png",
        refresh_keyboard("ob", okx_inst_id(report.book.instrument), exchange or ""),
    )


async def whale(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args) if command.args else None
    report = await services.whale.recent(instrument)
    await reply(message, render_whale(report, view))


async def sentiment(message: Message, services: Services, view: View) -> None:
    await reply(message, render_sentiment(await services.sentiment.current(), view))


async def etf(message: Message, services: Services, view: View) -> None:
    await reply(message, render_etf(await services.etf.bitcoin(), view))


async def heatmap(message: Message, command: CommandObject, services: Services, view: View) -> None:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    range_ = parse_range(rest)
    instrument = await services.instruments.resolve(symbol)
    report = await services.heatmap.heatmap(instrument, range_)
    await answer_with_chart(
        message,
        render_heatmap(report, view),
        heatmap_caption(report),
        lambda: heatmap_chart(report, heatmap_caption(report)),
        "heatmap.png",
        heatmap_keyboard(instrument.base, range_.value, [r.value for r in HeatmapRange]),
    )


async def options(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or "BTC")
    await reply(message, render_options(await services.options.summary(instrument), view))


async def alpha(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or services.settings.sniper_symbol)
    await reply(message, render_alpha(await services.bias.call(instrument), view))
