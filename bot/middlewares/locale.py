"""Language: the chat's choice (/lang, /settings lang), else the user's Telegram language, else
DEFAULT_LOCALE. The chat's settings are already loaded (bot/middlewares/chat_settings.py)."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18nMiddleware

from services.chats.desk import ChatSettings


def pick_locale(language_code: str | None, available: tuple[str, ...], default: str) -> str:
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in available:
            return primary
    return default


class UserLocaleMiddleware(I18nMiddleware):
    """The chat's /lang choice first, then the user's Telegram language, then DEFAULT_LOCALE."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        desk: ChatSettings | None = data.get("desk")
        if desk is not None and desk.language in self.i18n.available_locales:
            return desk.language
        user: User | None = data.get("event_from_user")
        code = user.language_code if user else None
        return pick_locale(code, self.i18n.available_locales, self.i18n.default_locale)
