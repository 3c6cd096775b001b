"""Every text answer goes out through here, split to Telegram's limit."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

from bot.render.text import split_message


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    parts = split_message(text)
    for index, part in enumerate(parts):
        # Buttons go under the last part, where the answer ends.
        await message.answer(part, reply_markup=markup if index == len(parts) - 1 else None)


def not_modified(exc: TelegramBadRequest) -> bool:
    """A refresh that found nothing new: Telegram refuses an identical edit; that is fine."""
    return "message is not modified" in exc.message
