""" "typing…" while a slow answer is built, and nothing at all for a fast one.

aiogram's ChatActionMiddleware starts a task per update (sleep, then send the action every few
seconds) and cancels it when the handler returns: for an answer from the cache that is a task,
a timer and a cancellation for nothing. Here a fast answer costs one timer set and cancelled;
the repeating task starts only when the timer fires. The handler's `chat_action` flag says
which action and after how long (bot/registry.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.types import Message, TelegramObject
from loguru import logger

REPEAT_SECONDS = 4.5  # Telegram shows an action for 5 s, or until the message arrives


async def _keep_showing(bot: Bot, message: Message, action: str) -> None:
    while True:
        try:
            await bot.send_chat_action(
                message.chat.id, action, message_thread_id=message.message_thread_id
            )
        except Exception as exc:  # a chat action is a nicety: its failure never reaches the answer
            logger.debug("chat action in {} not shown: {}", message.chat.id, type(exc).__name__)
            return
        await asyncio.sleep(REPEAT_SECONDS)


class TypingMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        flag = get_flag(data, "chat_action")
        bot = data.get("bot")
        if not isinstance(event, Message) or not isinstance(flag, dict) or bot is None:
            return await handler(event, data)
        showing: list[asyncio.Task[None]] = []

        def start() -> None:
            showing.append(asyncio.create_task(_keep_showing(bot, event, flag["action"])))

        timer = asyncio.get_running_loop().call_later(flag["initial_sleep"], start)
        try:
            return await handler(event, data)
        finally:
            timer.cancel()
            for task in showing:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
