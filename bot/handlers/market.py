"""/ticker. Symbol and data errors are answered by the error handlers (bot/handlers/errors.py)."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.render.ticker import render_ticker
from bot.render.view import View
from bot.reply import reply
from services.container import Services


async def ticker(message: Message, command: CommandObject, services: Services, view: View) -> None:
    instrument = await services.instruments.resolve(command.args or "")
    result = await services.ticker.ticker(instrument)
    await reply(message, render_ticker(result, view))
