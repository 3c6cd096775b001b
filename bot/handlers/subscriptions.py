"""/subscribe and /unsubscribe, and keeping subscriptions true to Telegram's membership news."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject
from aiogram.types import ChatMemberUpdated, Message
from loguru import logger

from bot.handlers.permissions import forget, may_manage
from bot.render.help import render_group_hello
from bot.render.subscriptions import render_not_chat_admin, render_subscriptions
from bot.reply import reply
from services.chats.settings import ChatSettingsService
from services.chats.subscriptions import SubscriptionService, parse_kinds

GONE = {ChatMemberStatus.KICKED, ChatMemberStatus.LEFT}


async def subscribe(
    message: Message,
    command: CommandObject,
    subscriptions: SubscriptionService,
    chat_settings: ChatSettingsService,
    bot: Bot,
) -> None:
    changed = await _change(message, command, subscriptions, bot, active=True)
    chat, admin = message.chat, message.from_user
    if changed and chat.type != ChatType.PRIVATE and admin is not None:
        await chat_settings.subscribed_by(chat.id, chat.type, chat.title, admin.language_code)
    await chat_settings.forget(chat.id)  # its push modes are read afresh


async def unsubscribe(
    message: Message,
    command: CommandObject,
    subscriptions: SubscriptionService,
    chat_settings: ChatSettingsService,
    bot: Bot,
) -> None:
    await _change(message, command, subscriptions, bot, active=False)
    await chat_settings.forget(message.chat.id)


async def _change(
    message: Message,
    command: CommandObject,
    subscriptions: SubscriptionService,
    bot: Bot,
    active: bool,
) -> bool:
    kinds = parse_kinds(command.args)
    if not await may_manage(bot, message):
        await reply(message, render_not_chat_admin())
        return False
    await subscriptions.set(message.chat.id, kinds, active)
    await reply(message, render_subscriptions(await subscriptions.of_chat(message.chat.id)))
    return True


async def membership(
    update: ChatMemberUpdated, subscriptions: SubscriptionService, bot: Bot
) -> None:
    """The bot was blocked, kicked or left: stop pushing there (re-adding lets it subscribe).
    Added to a group: say hello once, in the language of whoever added it."""
    await forget(update.chat.id)  # whatever we knew of that chat's admins is worth rechecking
    if update.new_chat_member.status in GONE:
        await subscriptions.chat_gone(update.chat.id, update.new_chat_member.status)
    elif update.old_chat_member.status in GONE and update.chat.type != ChatType.PRIVATE:
        try:
            await bot.send_message(update.chat.id, render_group_hello())
        except TelegramAPIError as exc:  # e.g. a group where members may not write
            logger.info("could not greet chat {}: {}", update.chat.id, type(exc).__name__)


async def migrated(message: Message, subscriptions: SubscriptionService) -> None:
    if message.migrate_to_chat_id is not None:
        await subscriptions.chat_migrated(message.chat.id, message.migrate_to_chat_id)
