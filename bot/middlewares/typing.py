""" "typing…" once while a slow answer is built, and nothing for a fast one or for an answer
that is only waiting its turn to be sent.

aiogram's ChatActionMiddleware starts a task per update and repeats the action every few
seconds until the handler returns, the reply's wait for the send pace included: in a burst of
5,000 new users that was 4.6 chat actions per answer, each a Bot API call against the same
token as the replies. Here the action is sent at most once per answer (Telegram shows it for
5 s, longer than the chat deadline), and not at all once the answer has reached the sending
stage (bot/telegram_pacing.py marks it). A fast answer costs one timer set and cancelled. The
handler's `chat_action` flag says which action and after how long (bot/registry.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.types import Message, TelegramObject
from loguru import logger


@dataclass
class _Answer:
    sending: bool = False  # the reply is built: what is left is its turn at Telegram


_answer: ContextVar[_Answer | None] = ContextVar("answer_in_progress", default=None)


def mark_sending() -> None:
    """Called as a reply goes to Telegram: from now on this answer shows no chat action."""
    answer = _answer.get()
    if answer is not None:
        answer.sending = True


async def _show_once(bot: Bot, message: Message, action: str) -> None:
    try:
        await bot.send_chat_action(
            message.chat.id, action, message_thread_id=message.message_thread_id
        )
    except Exception as exc:  # a chat action is a nicety: its failure never reaches the answer
        logger.debug("chat action in {} not shown: {}", message.chat.id, type(exc).__name__)


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
        answer = _Answer()
        token = _answer.set(answer)
        showing: list[asyncio.Task[None]] = []

        def start() -> None:
            if not answer.sending:
                showing.append(asyncio.create_task(_show_once(bot, event, flag["action"])))

        timer = asyncio.get_running_loop().call_later(flag["initial_sleep"], start)
        try:
            return await handler(event, data)
        finally:
            _answer.reset(token)
            timer.cancel()
            for task in showing:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
