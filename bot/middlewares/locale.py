"""Language from the user's Telegram `language_code`, else DEFAULT_LOCALE."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware


def pick_locale(language_code: str | None, available: tuple[str, ...], default: str) -> str:
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in available:
            return primary
    return default


class UserLocaleMiddleware(I18nMiddleware):
    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        code = user.language_code if user else None
        return pick_locale(code, self.i18n.available_locales, self.i18n.default_locale)
