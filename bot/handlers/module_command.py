"""The handler of a command that asks one data module about one coin and renders the answer.

A new module's command is then an entry in bot/registry.py with this and its renderer, and no
handler of its own; symbol and data errors are answered by bot/handlers/errors.py as for any
command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.render.view import View
from bot.reply import reply
from services.kernel.symbols import Instrument
from services.market.instruments import InstrumentCatalog
from services.market.parts import ModuleServices

S = TypeVar("S")
R = TypeVar("R")


def module_command(
    kind: type[S],
    ask: Callable[[S, Instrument], Awaitable[R]],
    render: Callable[[R, View], str],
    *,
    default_symbol: str = "",
) -> Callable[..., Awaitable[None]]:
    """`/name SYMBOL`: `ask` the module's service (found by its class) and `render` the answer;
    without a symbol, `default_symbol` (none: the usage error names what is missing)."""

    async def handle(
        message: Message,
        command: CommandObject,
        instruments: InstrumentCatalog,
        modules: ModuleServices,
        view: View,
    ) -> None:
        instrument = await instruments.resolve(command.args or default_symbol)
        await reply(message, render(await ask(modules.get(kind), instrument), view))

    return handle
