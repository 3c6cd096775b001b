"""Gives each handler a `View`: the reader's language, the chat's time zone (its settings, else
TIMEZONE), the time now, admin or not. The sender builds a push's View the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n

from bot.render.audience import set_operator
from bot.render.view import view_for
from services.chats.desk import ChatSettings, Defaults


class ViewMiddleware(BaseMiddleware):
    def __init__(self, i18n: I18n, defaults: Defaults, admin_ids: set[int]) -> None:
        self._i18n = i18n
        self._defaults = defaults
        self._admins = admin_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        admin = user is not None and user.id in self._admins
        desk: ChatSettings = data.get("desk") or ChatSettings()
        data["view"] = view_for(desk, self._defaults, self._i18n.current_locale, admin)
        # Operator details go to a bot admin in a private chat only, never to a group.
        set_operator(admin and chat is not None and chat.type == ChatType.PRIVATE)
        return await handler(event, data)
