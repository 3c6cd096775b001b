"""Commands and buttons for the bot's operators (ADMIN_IDS): a filter the registry puts on
every admin-only entry, and the answer everyone else gets."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.middlewares.callback_answer import answer_query
from bot.render.flags import render_admins_only
from bot.render.view import View
from bot.reply import reply


class BotAdmin(Filter):
    """The sender is one of ADMIN_IDS (decided by the view middleware, on every update: a
    forged or forwarded button from anyone else does nothing)."""

    async def __call__(self, event: Message | CallbackQuery, view: View) -> bool:
        return view.is_admin


async def admins_only(message: Message) -> None:
    await reply(message, render_admins_only())


async def admins_only_press(query: CallbackQuery) -> None:
    await answer_query(query, render_admins_only(), show_alert=True)
