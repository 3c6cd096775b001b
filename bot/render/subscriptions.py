"""/subscribe and /unsubscribe answers."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import b
from services.kernel.alerts import SUBSCRIBABLE_WORDS, AlertType


def render_subscriptions(kinds: list[AlertType]) -> str:
    if not kinds:
        return _("This chat receives no pushes. /subscribe starts them.")
    return _("This chat receives: {kinds}.").format(
        kinds=", ".join(b(_(SUBSCRIBABLE_WORDS[k])) for k in kinds)
    )


def render_not_chat_admin() -> str:
    return _("Only this group's admins can change its pushes.")
