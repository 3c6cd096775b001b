"""/subscribe and /unsubscribe, and keeping subscriptions true to Telegram's membership news."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.filters import CommandObject
from aiogram.types import ChatMemberUpdated, Message

from bot.handlers.permissions import forget, may_manage
from bot.render.subscriptions import render_not_chat_admin, render_subscriptions
from bot.reply import reply
from services.chats.subscriptions import SubscriptionService, parse_kinds

GONE = {ChatMemberStatus.KICKED, ChatMemberStatus.LEFT}


async def subscribe(
    message: Message, command: CommandObject, subscriptions: SubscriptionService, bot: Bot
) -> None:
    await _change(message, command, subscriptions, bot, active=True)


async def unsubscribe(
    message: Message, command: CommandObject, subscriptions: SubscriptionService, bot: Bot
) -> None:
    await _change(message, command, subscriptions, bot, active=False)


async def _change(
    message: Message,
    command: CommandObject,
    subscriptions: SubscriptionService,
    bot: Bot,
    active: bool,
) -> None:
    kinds = parse_kinds(command.args)
    if not await may_manage(bot, message):
        await reply(message, render_not_chat_admin())
        return
    await subscriptions.set(message.chat.id, kinds, active)
    await reply(message, render_subscriptions(await subscriptions.of_chat(message.chat.id)))


async def membership(update: ChatMemberUpdated, subscriptions: SubscriptionService) -> None:
    """The bot was blocked, kicked or left: stop pushing there (re-adding lets it subscribe)."""
    await forget(update.chat.id)  # whatever we knew of that chat's admins is worth rechecking
    if update.new_chat_member.status in GONE:
        await subscriptions.chat_gone(update.chat.id, update.new_chat_member.status)


async def migrated(message: Message, subscriptions: SubscriptionService) -> None:
    if message.migrate_to_chat_id is not None:
        await subscriptions.chat_migrated(message.chat.id, message.migrate_to_chat_id)
