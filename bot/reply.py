"""Every text answer goes out through here, split to Telegram's limit."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message, ReplyParameters

from bot.render.text import split_message


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    parts = split_message(text)
    for index, part in enumerate(parts):
        # Buttons go under the last part, where the answer ends; the first part quotes the
        # question in a group.
        await message.answer(
            part,
            reply_markup=markup if index == len(parts) - 1 else None,
            reply_parameters=quote(message) if index == 0 else None,
        )


def quote(message: Message) -> ReplyParameters | None:
    """In a group an answer quotes the message it answers, so everyone sees whose question it
    was; sent anyway if that message is gone. A private chat needs no quote."""
    if message.chat.type == ChatType.PRIVATE:
        return None
    return ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)


def not_modified(exc: TelegramBadRequest) -> bool:
    """A refresh that found nothing new: Telegram refuses an identical edit; that is fine."""
    return "message is not modified" in exc.message
