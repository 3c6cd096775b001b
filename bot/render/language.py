"""/lang answers."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import b
from services.chats.setting_specs import LANGUAGE_NAMES as NAMES


def render_language(current: str, chosen: bool) -> str:
    text = _("This chat's language: {name}.").format(name=b(NAMES[current]))
    if not chosen:
        text += " " + _("(from your Telegram settings)")
    return text + "\n" + _("Change it with /lang en or /lang id.")


def render_language_set(language: str) -> str:
    return _("Done: this chat now gets its answers and pushes in {name}.").format(
        name=b(NAMES[language])
    )


def render_not_chat_admin_language() -> str:
    return _("Only this group's admins can change its language.")
