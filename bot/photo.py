"""Answers with a chart: render in a worker thread, send as a photo, and never lose the text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InputMediaPhoto, Message
from loguru import logger

from bot.answers import ChartAnswer
from bot.render.text import CAPTION_LIMIT
from bot.reply import not_modified, quote, reply

CHART_TIMEOUT_SECONDS = 10.0
# Charts are CPU-bound: no more at once than this machine has cores to spare.
_render_slots = asyncio.Semaphore(2)


async def render_chart(draw: Callable[[], bytes]) -> bytes | None:
    """PNG bytes, or None (logged) when drawing fails or takes too long."""
    try:
        async with _render_slots:
            return await asyncio.wait_for(asyncio.to_thread(draw), CHART_TIMEOUT_SECONDS)
    except Exception as exc:  # a chart is a bonus: its failure must not cost the answer
        logger.warning("chart rendering failed: {}", type(exc).__name__)
        return None


async def answer_with_chart(message: Message, answer: ChartAnswer, quoted: bool = True) -> None:
    """The text as the photo's caption when it fits, else a short caption and the text after."""
    if message.bot is not None:
        await message.bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_PHOTO)
    png = await render_chart(answer.draw)
    if png is None:
        await reply(message, answer.text, answer.markup)
        return
    fits = len(answer.text) <= CAPTION_LIMIT  # HTML length: never shorter than Telegram counts
    try:
        await message.answer_photo(
            BufferedInputFile(png, answer.filename),
            caption=answer.text if fits else answer.caption,
            reply_markup=answer.markup,
            reply_parameters=quote(message) if quoted else None,
        )
    except TelegramBadRequest as exc:
        logger.warning("photo refused ({}); sending the text alone", exc.message)
        await reply(message, answer.text, answer.markup)
        return
    if not fits:
        await reply(message, answer.text)


async def edit_with_chart(message: Message, answer: ChartAnswer) -> None:
    """Updates a chart answer in place: new image and caption on a photo message, new text on
    a text one (its chart had failed). An identical edit is not an error."""
    shown = answer.text if len(answer.text) <= CAPTION_LIMIT else answer.caption
    try:
        if not message.photo:
            await message.edit_text(answer.text, reply_markup=answer.markup)
            return
        png = await render_chart(answer.draw)
        if png is None:
            await message.edit_caption(caption=shown, reply_markup=answer.markup)
            return
        media = InputMediaPhoto(media=BufferedInputFile(png, answer.filename), caption=shown)
        await message.edit_media(media, reply_markup=answer.markup)
    except TelegramBadRequest as exc:
        if not not_modified(exc):
            raise
