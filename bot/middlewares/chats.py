"""Notes each chat the bot answers in (services/chats/seen.py records it in the background, in
batches): the answer never waits on that write, and a burst of new chats is one statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from services.chats.seen import SeenChats
from services.storage.chats import ChatInfo


class ChatSeenMiddleware(BaseMiddleware):
    def __init__(self, seen: SeenChats) -> None:
        self._seen = seen

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and not self._seen.knows(event.chat.id):
            user = event.from_user
            self._seen.note(
                ChatInfo(
                    chat_id=event.chat.id,
                    kind=event.chat.type,
                    title=event.chat.title,
                    language=user.language_code if user and event.chat.type == "private" else None,
                )
            )
        return await handler(event, data)
