"""/subscribe and /unsubscribe answers."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import b
from services.kernel.alerts import PUSHES, SUBSCRIBABLE_WORDS, AlertType


def render_subscriptions(kinds: list[AlertType]) -> str:
    if not kinds:
        return _("This chat receives no pushes. /subscribe starts them.")
    text = _("This chat receives: {kinds}.").format(
        kinds=", ".join(b(_(SUBSCRIBABLE_WORDS[k])) for k in kinds)
    )
    if AlertType.FOLLOWUPS in kinds and not any(k in PUSHES for k in kinds):
        # Follow-ups answer pushed calls: with no calls pushed here, none will come.
        text += " " + _(
            "Follow-ups are replies to pushed calls: they come once this chat also gets calls "
            "(/subscribe bias, /subscribe sniper or /subscribe all)."
        )
    return text


def render_not_chat_admin() -> str:
    return _("Only this group's admins can change its pushes.")
