"""/funding and /deriv: parse, ask the funding and open interest modules, render (/oi is an
entry of the query registry, bot/queries.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message

from bot.answers import ChartAnswer, deriv_answer
from bot.handlers.buttons import shown
from bot.keyboards import DerivView
from bot.middlewares.callback_answer import answer_query
from bot.photo import answer_with_chart, edit_with_chart
from bot.render.derivatives import (
    render_funding,
    render_funding_screen,
)
from bot.render.errors import render_disabled, render_unavailable
from bot.render.view import View
from bot.reply import reply
from services.kernel.errors import DataUnavailableError
from services.kernel.symbols import Instrument, parse_symbol
from services.market.flags import ModuleDisabledError
from services.market.funding.service import FundingService
from services.market.instruments import InstrumentCatalog
from services.market.oi.service import OiService, OiWindow, parse_window
from services.market.parts import ModuleServices

R = TypeVar("R")


async def funding(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    modules: ModuleServices,
    view: View,
) -> None:
    service = modules.get(FundingService)
    symbol = (command.args or "").strip()
    if not symbol:
        await reply(message, render_funding_screen(await service.screen(), view))
        return
    instrument = await instruments.resolve(symbol)
    await reply(message, render_funding(await service.report(instrument), view))


def _symbol_and_window(command: CommandObject) -> tuple[str, OiWindow]:
    symbol, _, rest = (command.args or "").strip().partition(" ")
    return symbol, parse_window(rest)


async def deriv(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    modules: ModuleServices,
    view: View,
) -> None:
    symbol, window = _symbol_and_window(command)
    instrument = await instruments.resolve(symbol)
    await answer_with_chart(message, await deriv_card(modules, instrument, window, view))


async def deriv_card(
    modules: ModuleServices, instrument: Instrument, window: OiWindow, view: View
) -> ChartAnswer:
    """/deriv's answer and its window buttons' edit: both modules at once, each failing alone."""
    funding_part, oi_part = await asyncio.gather(
        _or_words(modules.get(FundingService).report(instrument)),
        _or_words(modules.get(OiService).report(instrument, window)),
    )
    return deriv_answer(funding_part, oi_part, instrument, window, view)


async def deriv_window(
    query: CallbackQuery,
    callback_data: DerivView,
    modules: ModuleServices,
    view: View,
) -> None:
    message = await shown(query)
    if message is None:
        return
    card = await deriv_card(modules, parse_symbol(callback_data.symbol), callback_data.window, view)
    await edit_with_chart(message, card)
    await answer_query(query)


async def _or_words(answer: Awaitable[R]) -> R | str:
    """The module's answer, or the sentence its failure gets anywhere else."""
    try:
        return await answer
    except ModuleDisabledError as off:
        return render_disabled(off)
    except DataUnavailableError as failed:
        return render_unavailable(failed)
