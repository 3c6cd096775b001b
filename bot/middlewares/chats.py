"""Records each chat the bot answers in, once per process (not one write per message).

The write is bounded (`Database.quick`) and skipped at once while the database is known down:
the answer never waits on it. A chat not recorded is tried again on its next message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from loguru import logger

from services.storage.chats import ChatInfo, ChatRepository
from services.storage.errors import StorageUnavailableError


class ChatSeenMiddleware(BaseMiddleware):
    def __init__(self, chats: ChatRepository) -> None:
        self._chats = chats
        self._known: set[int] = set()
        self._failing = False  # one warning per outage, not one per message

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.chat.id not in self._known:
            user = event.from_user
            info = ChatInfo(
                chat_id=event.chat.id,
                kind=event.chat.type,
                title=event.chat.title,
                language=user.language_code if user and event.chat.type == "private" else None,
            )
            try:
                await self._chats.seen(info)
                self._known.add(event.chat.id)
                if self._failing:
                    self._failing = False
                    logger.info("chats are recorded again")
            except StorageUnavailableError as exc:
                if not self._failing:
                    self._failing = True
                    logger.warning("chats not recorded while storage fails ({})", exc.detail)
            except Exception as exc:  # a storage hiccup must not cost the user an answer
                logger.warning("could not record chat: {}", type(exc).__name__)
        return await handler(event, data)
