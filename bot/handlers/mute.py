"""The 🔕 under every push: its kind, or one of its coins, muted for a while. What is muted is
counted, not lost: the brief says how many were muted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery

from bot.handlers.buttons import shown
from bot.handlers.permissions import may_press
from bot.middlewares.callback_answer import answer_query
from bot.render.settings import render_mute_choices, render_muted, render_not_settings_admin
from bot.render.view import View
from bot.settings_keys import MutePress, mute_keyboard
from services.chats.desk import GOVERNED_BY, ChatSettings
from services.chats.settings import ChatSettingsService
from services.kernel.alerts import AlertType

SPANS = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "24h": timedelta(hours=24)}


def mute_until(span: str, desk: ChatSettings, view: View) -> datetime:
    """The end of a mute: a span, or the chat's next brief (a day when it has none)."""
    if span in SPANS:
        return view.now + SPANS[span]
    if desk.brief is None:
        return view.now + SPANS["24h"]
    local = view.now.astimezone(view.tz)
    at = datetime.combine(local.date(), desk.brief, tzinfo=view.tz)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), desk.brief, tzinfo=view.tz)
    return at.astimezone(UTC)


async def mute_press(
    query: CallbackQuery,
    callback_data: MutePress,
    desk: ChatSettings,
    chat_settings: ChatSettingsService,
    bot: Bot,
    view: View,
) -> None:
    message = await shown(query)
    if message is None:
        return
    chat = message.chat
    own = chat.type == ChatType.PRIVATE
    # Showing the choices may use the short cache; a mute itself asks Telegram afresh.
    if not await may_press(
        bot, chat.id, query.from_user.id, own=own, fresh=bool(callback_data.span)
    ):
        await answer_query(query, render_not_settings_admin(), show_alert=True)
        return
    try:
        kind = GOVERNED_BY.get(AlertType(callback_data.kind), AlertType(callback_data.kind))
    except ValueError:
        await answer_query(query, render_not_settings_admin(), show_alert=True)
        return
    if not callback_data.span:  # the choices, under the push they would mute
        coins = [c for c in callback_data.coin.split(",") if c]
        await message.reply(
            render_mute_choices(), reply_markup=mute_keyboard(kind, coins, desk.brief is not None)
        )
        return
    until = mute_until(callback_data.span, desk, view)
    coin = callback_data.coin
    target = f"coin:{coin}" if coin else f"kind:{kind.value}"
    await chat_settings.mute(chat.id, target, until, view.now)
    await message.edit_text(render_muted(coin, kind, view.time(until)), reply_markup=None)
