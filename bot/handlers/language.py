"""/lang: the language of this chat, for answers and pushes."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.handlers.permissions import may_manage
from bot.render.language import render_language, render_language_set, render_not_chat_admin_language
from bot.render.view import View
from bot.reply import reply
from services.chats.languages import ChatLanguages, parse_language


async def lang(
    message: Message,
    command: CommandObject,
    languages: ChatLanguages,
    bot: Bot,
    view: View,
    i18n: I18n,
) -> None:
    if not command.args:
        chosen = await languages.chosen(message.chat.id)
        await reply(message, render_language(view.locale, chosen is not None))
        return
    language = parse_language(command.args)
    if not await may_manage(bot, message):
        await reply(message, render_not_chat_admin_language())
        return
    chat = message.chat
    await languages.choose(chat.id, chat.type, chat.title, language)
    with i18n.use_locale(language):  # the confirmation already in the new language
        await reply(message, render_language_set(language))
