"""/start and /help."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import Message

from bot.render.help import Describable, render_help, render_start
from bot.render.view import View
from bot.reply import reply


async def start(message: Message, view: View, commands: Sequence[Describable]) -> None:
    first_name = message.from_user.first_name if message.from_user else None
    await reply(message, render_start(commands, view, first_name))


async def help_(message: Message, view: View, commands: Sequence[Describable]) -> None:
    await reply(message, render_help(commands, view))
