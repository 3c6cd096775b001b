"""What a private chat writes that is not a command we know: never silence.

A coin on its own (`$SOL`, `sol`, `bitcoin`) gets its ticker, as `/ticker` would answer; an
unknown command or any other text gets a one-line pointer to /help. Groups are left alone:
there, people talk to each other, and other bots have their own commands.
"""

from __future__ import annotations

from aiogram.types import Message

from bot.handlers.market import answer_ticker, rupiah_of
from bot.render.help import render_hint, render_unknown_command
from bot.render.view import View
from bot.reply import reply
from services.kernel.errors import SymbolError
from services.market.instruments import InstrumentCatalog
from services.market.parts import ModuleServices
from services.market.rupiah import RupiahService
from services.market.ticker.service import TickerService

MAX_COIN_TEXT = 20  # longer text is a sentence, not a coin ("bitcoin cash" fits)


async def private_text(
    message: Message,
    instruments: InstrumentCatalog,
    tickers: TickerService,
    modules: ModuleServices,
    view: View,
    rupiah: RupiahService,
) -> None:
    text = (message.text or "").strip()
    if text.startswith("/"):
        await reply(message, render_unknown_command(text.split()[0].split("@")[0]))
        return
    if len(text) <= MAX_COIN_TEXT and len(text.split()) <= 2:
        try:
            instrument = await instruments.resolve(text)
        except SymbolError:
            if text.startswith("$"):  # meant as a coin: say which it is not (errors router)
                raise
        else:
            await answer_ticker(
                message, instrument, tickers, modules, view, rupiah_of(view, rupiah)
            )
            return
    await reply(message, render_hint())
