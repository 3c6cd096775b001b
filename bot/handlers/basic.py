"""/start, /help and /id."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import Message

from bot.render.help import Describable, render_help, render_ids, render_start
from bot.render.view import View
from bot.reply import reply
from services.chats.desk import ChatSettings


async def start(
    message: Message, view: View, commands: Sequence[Describable], desk: ChatSettings
) -> None:
    first_name = message.from_user.first_name if message.from_user else None
    chosen = desk.language is not None
    await reply(message, render_start(commands, view, first_name, chosen))


async def help_(message: Message, view: View, commands: Sequence[Describable]) -> None:
    await reply(message, render_help(commands, view))


async def ids(message: Message) -> None:
    """The user's and the chat's Telegram ids: what ADMIN_IDS wants."""
    user = message.from_user.id if message.from_user else None
    await reply(message, render_ids(user, message.chat.id, message.chat.type == "private"))
