"""Who may change a chat's settings (pushes, language): in private the user, in a group its
admins, asked of Telegram and cached briefly."""

from __future__ import annotations

from aiocache import SimpleMemoryCache
from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import Message

ADMIN_CACHE_SECONDS = 60
_admins = SimpleMemoryCache(timeout=None)  # getChatMember answers, briefly
ADMIN = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


async def may_manage(bot: Bot, message: Message) -> bool:
    """Private chat: the user. Group: only its admins (asked of Telegram, cached a minute)."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    if message.from_user is None:
        return False
    key = f"{message.chat.id}:{message.from_user.id}"
    cached = await _admins.get(key)
    if cached is not None:
        return bool(cached)
    member = await bot.get_chat_member(message.chat.id, message.from_user.id)
    allowed = member.status in ADMIN
    await _admins.set(key, allowed, ttl=ADMIN_CACHE_SECONDS)
    return allowed
