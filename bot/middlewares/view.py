"""Gives each handler a `View`: the reader's language, time zone, the time now, admin or not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n

from bot.render.audience import set_operator
from bot.render.view import View


class ViewMiddleware(BaseMiddleware):
    def __init__(self, i18n: I18n, tz: ZoneInfo, admin_ids: set[int]) -> None:
        self._i18n = i18n
        self._tz = tz
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
        data["view"] = View(
            locale=self._i18n.current_locale,
            tz=self._tz,
            now=datetime.now(UTC),
            is_admin=admin,
        )
        # Operator details go to a bot admin in a private chat only, never to a group.
        set_operator(admin and chat is not None and chat.type == ChatType.PRIVATE)
        return await handler(event, data)
