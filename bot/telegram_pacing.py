"""Command replies paced like pushes (bot/delivery/pacer.py): a burst of answers goes out at
Telegram's rate, a chat's second reply waits its turn, and one 429 pauses every send of the
bot, so a burst produces delayed answers instead of a storm of 429s and lost ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import (
    EditMessageCaption,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

from bot.delivery.pacer import Pacer
from bot.middlewares.typing import mark_sending

if TYPE_CHECKING:
    from aiogram import Bot

# What Telegram counts as a message against its limits (chat actions and button answers are not).
PACED = (
    SendMessage,
    SendPhoto,
    EditMessageText,
    EditMessageMedia,
    EditMessageCaption,
    EditMessageReplyMarkup,
)


class PacedSends(BaseRequestMiddleware):
    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id: Any = getattr(method, "chat_id", None) if isinstance(method, PACED) else None
        if isinstance(method, PACED):
            mark_sending()  # waiting its turn is no work to show "typing…" for
        if isinstance(chat_id, int):  # an inline message's edit has no chat to pace
            await self._pacer.turn(chat_id)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            self._pacer.pause(exc.retry_after)  # every send of this token waits it out
            raise
