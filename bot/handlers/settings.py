"""/settings (and /lang): a chat's settings, typed or from its panel; a group's only by its
admins, asked afresh, and from a private chat so the group is not spammed with configuration.
Each change goes through the settings registry (services/chats/setting_specs.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.handlers.buttons import shown
from bot.handlers.permissions import AdminCheckError, is_chat_admin, may_manage, may_press
from bot.middlewares.callback_answer import answer_query
from bot.render.language import (
    render_language,
    render_language_set,
    render_not_chat_admin_language,
)
from bot.render.settings import (
    render_group_only,
    render_not_bot_admin_setting,
    render_not_settings_admin,
    render_pick_group,
    render_setting_changed,
    render_settings,
)
from bot.render.view import View
from bot.reply import not_modified, reply
from bot.settings_keys import GroupPick, SettingPress, choices_keyboard, panel_keyboard
from services.chats.desk import ChatSettings
from services.chats.setting_specs import SETTINGS, SettingSpec, Who
from services.chats.settings import ChatSettingsService
from services.kernel.alerts import AlertType
from services.kernel.errors import ArgumentError
from services.storage.chats import ChatRepository

ALIASES = {"language": "lang", "timezone": "tz", "zone": "tz", "pushes": "push"}
GROUPS_ASKED = 30  # the most recent groups asked about for a private chat's list


async def settings(
    message: Message,
    command: CommandObject,
    desk: ChatSettings,
    chat_settings: ChatSettingsService,
    chat_repo: ChatRepository,
    bot: Bot,
    view: View,
    i18n: I18n,
) -> None:
    words = (command.args or "").split()
    private = message.chat.type == ChatType.PRIVATE
    if not words:
        groups = await _groups_of(bot, chat_repo, message) if private else {}
        text = render_settings(
            desk,
            chat_settings.defaults,
            title=message.chat.title,
            private=private,
            is_bot_admin=view.is_admin,
        )
        if private:
            text += "\n\n" + render_pick_group(list(groups.values()))
        await reply(message, text, panel_keyboard(message.chat.id, private, groups))
        return
    name = ALIASES.get(words[0].lower(), words[0].lower())
    if name == "unlock":
        name, words = "lock", ["lock", "off"]
    spec = SETTINGS.get(name)
    if spec is None:
        raise ArgumentError(words[0], list(SETTINGS))
    await _typed(message, spec, words[1:], chat_settings, bot, view, i18n)


async def lang(
    message: Message,
    command: CommandObject,
    desk: ChatSettings,
    chat_settings: ChatSettingsService,
    bot: Bot,
    view: View,
    i18n: I18n,
) -> None:
    """/lang is /settings lang."""
    if not command.args:
        await reply(message, render_language(view.locale, desk.language is not None))
        return
    await _typed(message, SETTINGS["lang"], command.args.split(), chat_settings, bot, view, i18n)


async def _typed(
    message: Message,
    spec: SettingSpec,
    words: list[str],
    chat_settings: ChatSettingsService,
    bot: Bot,
    view: View,
    i18n: I18n,
) -> None:
    value = spec.parse(words, chat_settings.defaults)
    refusal = _refused(spec, value, message.chat.type == ChatType.PRIVATE, view.is_admin)
    if refusal is None and not await may_manage(bot, message):
        refusal = (
            render_not_chat_admin_language() if spec.name == "lang" else render_not_settings_admin()
        )
    if refusal is not None:
        await reply(message, refusal)
        return
    desk = await chat_settings.change(message.chat.id, spec.name, value, datetime.now(UTC))
    locale = desk.language or view.locale
    with i18n.use_locale(locale):  # a new language already answers in that language
        if spec.name == "lang":
            await reply(message, render_language_set(value))
        else:
            await reply(message, render_setting_changed(spec, desk, chat_settings.defaults))


def _refused(spec: SettingSpec, value: Any, private: bool, is_bot_admin: bool) -> str | None:
    if spec.groups_only and private:
        return render_group_only()
    if spec.name == "push" and value[0] is AlertType.HEALTH and not is_bot_admin:
        return render_not_bot_admin_setting()
    if spec.who is Who.BOT_ADMIN and not is_bot_admin:
        return render_not_bot_admin_setting()
    return None


async def _groups_of(bot: Bot, chat_repo: ChatRepository, message: Message) -> dict[int, str]:
    """The groups the bot is in whose admin this user is (a short cache: only a change asks
    afresh); Telegram failing to say leaves a group out."""
    if message.from_user is None:
        return {}
    groups = await chat_repo.groups(GROUPS_ASKED)
    user = message.from_user.id

    async def admin(chat_id: int) -> bool:
        try:
            return await is_chat_admin(bot, chat_id, user, fresh=False)
        except AdminCheckError:
            return False

    answers = await asyncio.gather(*(admin(chat_id) for chat_id, _title in groups))
    return {
        chat_id: title or str(chat_id)
        for (chat_id, title), ok in zip(groups, answers, strict=True)
        if ok
    }


async def setting_press(
    query: CallbackQuery,
    callback_data: SettingPress,
    chat_settings: ChatSettingsService,
    chat_repo: ChatRepository,
    bot: Bot,
    view: View,
    i18n: I18n,
) -> None:
    message = await shown(query)
    if message is None:
        return
    target = callback_data.chat
    private_here = message.chat.type == ChatType.PRIVATE
    here = target == message.chat.id
    private = here and private_here
    spec = SETTINGS.get(callback_data.name)
    changing = spec is not None and bool(callback_data.value)
    # A group's panel opened from a private chat is its admins' alone, to look at too; a change
    # is the chat's admins' anywhere (the presser's own private chat is theirs).
    if (not here and not private_here) or (
        (changing or not here) and not await may_press(bot, target, query.from_user.id, own=private)
    ):
        await answer_query(query, render_not_settings_admin(), show_alert=True)
        return
    desk = await chat_settings.get(target)
    if spec is not None and changing:
        words = _words(callback_data, desk, chat_settings)
        value = spec.parse(words, chat_settings.defaults)
        refusal = _refused(spec, value, private, view.is_admin)
        if refusal is not None:
            await answer_query(query, refusal, show_alert=True)
            return
        desk = await chat_settings.change(target, spec.name, value, datetime.now(UTC))
        await answer_query(query, render_setting_changed(spec, desk, chat_settings.defaults))
    title = None if here else await _title(chat_repo, target)
    defaults = chat_settings.defaults
    with i18n.use_locale(desk.language or view.locale):
        text = render_settings(
            desk, defaults, title=title, private=private, is_bot_admin=view.is_admin
        )
        markup = (
            panel_keyboard(target, private)
            if spec is None
            else choices_keyboard(target, spec.name, desk, defaults, view.is_admin)
        )
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if not not_modified(exc):
            raise


def _words(
    press: SettingPress, desk: ChatSettings, chat_settings: ChatSettingsService
) -> list[str]:
    """A press's value as the words /settings would take: a watchlist button adds or removes
    one coin from the list as it is now."""
    value = press.value
    if press.name == "watchlist" and value[:1] in "+-" and len(value) > 1:
        held = desk.watch(chat_settings.defaults)
        coin = value[1:]
        coins = [c for c in held if c != coin] if value[0] == "-" else [*held, coin]
        return coins or ["default"]
    return value.split()


async def _title(chat_repo: ChatRepository, chat_id: int) -> str:
    chat = await chat_repo.get(chat_id)
    return (chat.title if chat is not None else None) or str(chat_id)


async def group_pick(
    query: CallbackQuery,
    callback_data: GroupPick,
    chat_settings: ChatSettingsService,
    chat_repo: ChatRepository,
    bot: Bot,
    view: View,
) -> None:
    """From a private chat: one of the user's groups, its panel shown here."""
    message = await shown(query)
    if message is None:
        return
    if not await may_press(bot, callback_data.chat, query.from_user.id, own=False):
        await answer_query(query, render_not_settings_admin(), show_alert=True)
        return
    desk = await chat_settings.get(callback_data.chat)
    text = render_settings(
        desk,
        chat_settings.defaults,
        title=await _title(chat_repo, callback_data.chat),
        private=False,
        is_bot_admin=view.is_admin,
    )
    await message.answer(text, reply_markup=panel_keyboard(callback_data.chat, private=False))
