"""/start and /help, generated from the command registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiogram.utils.i18n import gettext as _

from bot.render.text import b, clip, code, esc
from bot.render.view import View
from services.chats.setting_specs import LANGUAGE_NAMES as NAMES

START_HIGHLIGHTS = ("ticker", "alpha", "status")


class Describable(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def usage(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def admin_only(self) -> bool: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def _line(cmd: Describable) -> str:
    usage = f" {esc(cmd.usage)}" if cmd.usage else ""
    line = f"/{cmd.name}{usage} — {esc(_(cmd.description))}"
    if cmd.aliases:
        line += " " + _("(also {names})").format(names=", ".join(f"/{a}" for a in cmd.aliases))
    return line


def render_unknown_command(typed: str) -> str:
    return _("I don't know {command}. /help lists every command.").format(
        command=code(esc(clip(typed)))
    )


def render_hint() -> str:
    return _("Send a command, e.g. {example}, or a coin like $SOL. /help lists them all.").format(
        example=code("/ticker SOL")
    )


def render_help(commands: Sequence[Describable], view: View) -> str:
    visible = [c for c in commands if view.is_admin or not c.admin_only]
    lines = [b(_("Commands")), ""] + [_line(c) for c in visible]
    lines += ["", _("Symbols can be written as SOL, $SOL, SOLUSDT, SOL/USDT or SOL-USDT-SWAP.")]
    return "\n".join(lines)


def language_line(view: View, chosen: bool) -> str:
    """The truth about the language: chosen with /lang, or following Telegram's; and how
    to switch."""
    other = "en" if view.locale == "id" else "id"
    now, switch = NAMES.get(view.locale, view.locale), NAMES[other]
    if chosen:
        text = _("Language: {language}, chosen for this chat with /lang.").format(language=now)
    else:
        text = _("Language: {language}, from your Telegram settings.").format(language=now)
    return (
        text
        + " "
        + _("{command} switches this chat to {other}.").format(
            command=code(f"/lang {other}"), other=switch
        )
    )


def render_start(
    commands: Sequence[Describable], view: View, first_name: str | None, chosen: bool = False
) -> str:
    """`chosen`: the chat's language was set with /lang (else it follows Telegram's)."""
    name = esc(first_name) if first_name else _("trader")
    lines = [
        _(
            "Hi {name}! I answer with live crypto market data and say where every number "
            "comes from."
        ).format(name=b(name)),
        language_line(view, chosen),
        "",
        _("Start with:"),
    ]
    by_name = {c.name: c for c in commands}
    lines += [_line(by_name[n]) for n in START_HIGHLIGHTS if n in by_name]
    lines += ["", _("All commands: /help")]
    return "\n".join(lines)


def render_ids(user_id: int | None, chat_id: int, private: bool) -> str:
    lines = []
    if user_id is not None:
        lines.append(_("Your Telegram id: {id}").format(id=code(str(user_id))))
    if not private:
        lines.append(_("This chat's id: {id}").format(id=code(str(chat_id))))
    lines.append(
        _("A bot operator puts user ids in {setting} (comma-separated) to use /flags.").format(
            setting=code("ADMIN_IDS")
        )
    )
    return "\n".join(lines)


def render_group_hello() -> str:
    return "\n".join(
        [
            "👋 "
            + _(
                "Hi! I answer with live crypto market data: prices, order books, liquidation "
                "maps, whale trades and institutional-bias calls, each with where its numbers "
                "come from."
            ),
            _("/help lists the commands, e.g. {example}.").format(example=code("/ticker SOL")),
            _(
                "This group's admins can /subscribe to get the bias calls and sniper entry "
                "maps here, and choose my language with /lang."
            ),
        ]
    )
