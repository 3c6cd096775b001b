"""Loads the chat's settings once per update, before anything reads them: the language, the
view's time zone, the lock and /settings all read this one copy (`data["desk"]`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject

from services.chats.desk import ChatSettings
from services.chats.settings import ChatSettingsService


class ChatSettingsMiddleware(BaseMiddleware):
    def __init__(self, settings: ChatSettingsService) -> None:
        self._settings = settings

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        data["desk"] = await self._settings.get(chat.id) if chat is not None else ChatSettings()
        return await handler(event, data)
