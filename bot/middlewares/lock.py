"""A group whose admins set `/settings lock`: its members may use reading commands only (prices,
books, calls); a command that changes something (flagged `changes` in bot/registry.py) is left
to the group's admins, asked afresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatType
from aiogram.types import Message, TelegramObject

from bot.handlers.permissions import may_manage
from bot.render.settings import render_locked
from bot.reply import reply
from services.chats.desk import ChatSettings


class LockMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        desk: ChatSettings | None = data.get("desk")
        if (
            isinstance(event, Message)
            and desk is not None
            and desk.locked
            and event.chat.type != ChatType.PRIVATE
            and get_flag(data, "changes")
        ):
            bot: Bot = data["bot"]
            if not await may_manage(bot, event):
                await reply(event, render_locked())
                return None
        return await handler(event, data)
