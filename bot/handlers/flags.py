"""/flags and its buttons: admins switch data modules on and off."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.keyboards import FlagToggle, flags_keyboard
from bot.render.flags import render_admins_only, render_flag_changed, render_flags
from bot.render.view import View
from bot.reply import reply
from services.container import Services


async def flags(message: Message, services: Services, view: View) -> None:
    if not view.is_admin:
        await reply(message, render_admins_only())
        return
    states = await services.flags.all()
    await message.answer(render_flags(states), reply_markup=flags_keyboard(states))


async def toggle(
    query: CallbackQuery, callback_data: FlagToggle, services: Services, view: View
) -> None:
    if not view.is_admin:
        await query.answer(render_admins_only(), show_alert=True)
        return
    change = await services.flags.set(callback_data.name, callback_data.on, query.from_user.id)
    states = await services.flags.all()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(render_flags(states), reply_markup=flags_keyboard(states))
        except TelegramBadRequest as exc:  # a double tap: the message already shows this state
            if "message is not modified" not in exc.message:
                raise
    await query.answer(render_flag_changed(change))
