"""/flags and its buttons: admins switch data modules on and off."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from loguru import logger

from bot.keyboards import FlagToggle, flags_keyboard
from bot.middlewares.callback_answer import answer_query, message_gone
from bot.render.flags import render_flag_changed, render_flags
from bot.reply import not_modified
from services.market.flags import FlagService


async def flags(message: Message, switches: FlagService) -> None:
    """Registered for ADMIN_IDS only (bot/registry.py)."""
    states = await switches.all()
    await message.answer(render_flags(states), reply_markup=flags_keyboard(states))


async def toggle(query: CallbackQuery, callback_data: FlagToggle, switches: FlagService) -> None:
    """Registered for ADMIN_IDS only: a forged or forwarded button from anyone else is
    answered by the registry's admins-only handler and changes nothing."""
    change = await switches.set(callback_data.name, callback_data.on, query.from_user.id)
    # Answered before the edit: the switch took effect even if the panel can no longer be
    # redrawn (a deleted or two-day-old message).
    await answer_query(query, render_flag_changed(change))
    states = await switches.all()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(render_flags(states), reply_markup=flags_keyboard(states))
        except TelegramBadRequest as exc:  # a double tap: the message already shows this state
            if not_modified(exc):
                return
            if not message_gone(exc):
                raise
            logger.info("flag panel not redrawn: {}", exc.message)
