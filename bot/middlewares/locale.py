"""Language: the chat's /lang choice, else the user's Telegram language, else DEFAULT_LOCALE."""

from __future__ import annotations

from typing import Any

from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from services.chats.languages import ChatLanguages


def pick_locale(language_code: str | None, available: tuple[str, ...], default: str) -> str:
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in available:
            return primary
    return default


class UserLocaleMiddleware(I18nMiddleware):
    """The chat's /lang choice first, then the user's Telegram language, then DEFAULT_LOCALE."""

    def __init__(self, i18n: I18n, languages: ChatLanguages) -> None:
        super().__init__(i18n=i18n)
        self._languages = languages

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chat: Chat | None = data.get("event_chat")
        if chat is not None:
            chosen = await self._languages.chosen(chat.id)
            if chosen in self.i18n.available_locales:
                return chosen
        user: User | None = data.get("event_from_user")
        code = user.language_code if user else None
        return pick_locale(code, self.i18n.available_locales, self.i18n.default_locale)
