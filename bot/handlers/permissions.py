"""Who may change a chat's settings (pushes, language): in private the user, in a group its
admins.

A change is rare and must obey the group as it is now, so it asks Telegram afresh: an admin
demoted a second ago is refused. Only reads may use the short cache, and Telegram's own news
of a member's change (`chat_member`, `my_chat_member`) drops what it held for them.
"""

from __future__ import annotations

from aiocache import SimpleMemoryCache
from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberUpdated, Message
from loguru import logger

ADMIN_CACHE_SECONDS = 60
ADMIN = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}
_NAMESPACE = "chat-admin:"
_admins = SimpleMemoryCache(namespace=_NAMESPACE, timeout=None)  # getChatMember answers


class AdminCheckError(Exception):
    """Telegram could not say whether the user is an admin: the change is refused (answered by
    bot/handlers/errors.py), never assumed either way."""


def _key(chat_id: int, user_id: int) -> str:
    return f"{chat_id}:{user_id}"


async def is_chat_admin(bot: Bot, chat_id: int, user_id: int, *, fresh: bool) -> bool:
    """`fresh` for anything that changes a setting; a read may take an answer up to a minute
    old. Raises AdminCheckError when Telegram does not answer."""
    key = _key(chat_id, user_id)
    if not fresh:
        cached = await _admins.get(key)
        if cached is not None:
            return bool(cached)
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError as exc:
        logger.warning("getChatMember failed: {}: {}", type(exc).__name__, exc.message)
        raise AdminCheckError from exc
    allowed = member.status in ADMIN
    await _admins.set(key, allowed, ttl=ADMIN_CACHE_SECONDS)
    return allowed


async def may_manage(bot: Bot, message: Message) -> bool:
    """May the sender of `message` change this chat's settings? Asked of Telegram every time."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    # An anonymous admin writes as the group itself; only admins can do that.
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return True
    if message.sender_chat is not None or message.from_user is None:
        return False  # a channel speaking in the group is not one of its admins
    return await is_chat_admin(bot, message.chat.id, message.from_user.id, fresh=True)


async def may_press(bot: Bot, chat_id: int, user_id: int, *, own: bool, fresh: bool = True) -> bool:
    """May this user change `chat_id`'s settings with a button? In their own private chat
    (`own`), yes; elsewhere only as one of its admins (asked afresh for a change)."""
    return own or await is_chat_admin(bot, chat_id, user_id, fresh=fresh)


async def forget(chat_id: int, user_id: int | None = None) -> None:
    """Drops the cached answer for one member, or for everyone in the chat."""
    if user_id is not None:
        await _admins.delete(_key(chat_id, user_id))
    else:
        await _admins.clear(namespace=f"{_NAMESPACE}{chat_id}:")


async def forget_everyone() -> None:
    await _admins.clear(namespace=_NAMESPACE)


async def member_changed(update: ChatMemberUpdated) -> None:
    """Someone was promoted, demoted, restricted, left or was removed: ask afresh next time."""
    await forget(update.chat.id, update.new_chat_member.user.id)
