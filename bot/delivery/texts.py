"""A push as one chat reads it: its text and buttons in the chat's language and time zone,
built from the chat's settings the same way a reply's view is (bot/render/view.py)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.middlewares.locale import pick_locale
from bot.render.pushes import push_keyboard, render_alert
from bot.render.view import view_for
from services.chats.desk import ChatSettings, Defaults
from services.delivery.deliveries import Pending

Rendered = tuple[str, InlineKeyboardMarkup | None]


class PushTexts:
    """One alert to a thousand chats renders once per language and zone (and per cooldown
    cut), not a thousand times; `clear` between drains (a view carries the time it was made)."""

    def __init__(self, i18n: I18n, defaults: Defaults) -> None:
        self._i18n = i18n
        self._defaults = defaults
        self._made: dict[tuple[int, tuple[str, ...], str, str], Rendered] = {}

    def clear(self) -> None:
        self._made.clear()

    def of(self, d: Pending, desk: ChatSettings) -> Rendered:
        locale = pick_locale(
            desk.language or desk.seen_language,
            self._i18n.available_locales,
            self._i18n.default_locale,
        )
        view = view_for(desk, self._defaults, locale)
        key = (d.alert_id, tuple(d.symbols), locale, view.tz.key)
        rendered = self._made.get(key)
        if rendered is None:
            content = d.content()
            with self._i18n.context(), self._i18n.use_locale(locale):
                rendered = self._made[key] = (render_alert(content, view), push_keyboard(content))
        return rendered
