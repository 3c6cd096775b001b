"""Answers about who may change a chat's settings."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def render_admin_check_failed() -> str:
    return _(
        "I couldn't check with Telegram whether you are an admin of this group, so nothing "
        "was changed. Please try again in a moment."
    )
