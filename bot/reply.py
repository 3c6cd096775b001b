"""Every text answer goes out through here, split to Telegram's limit."""

from __future__ import annotations

from aiogram.types import Message

from bot.render.text import split_message


async def reply(message: Message, text: str) -> None:
    for part in split_message(text):
        await message.answer(part)
