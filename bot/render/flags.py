"""/flags: every module flag with its state."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.errors import module_name
from bot.render.text import b
from services.market.flags import Flag, FlagChange


def render_flags(states: dict[Flag, bool]) -> str:
    lines = [b(_("Data modules")), ""]
    for flag, enabled in states.items():
        icon = "🟢" if enabled else "⚪"
        state = _("on") if enabled else _("off")
        lines.append(f"{icon} {b(module_name(flag.value))}: {state}")
    lines += ["", _("Tap a button to switch a module; it takes effect at once.")]
    return "\n".join(lines)


def render_flag_changed(change: FlagChange) -> str:
    state = _("on") if change.new else _("off")
    return _("{flag} is now {state}").format(flag=module_name(change.flag.value), state=state)


def render_admins_only() -> str:
    return _("Only the bot's admins can do that.")
