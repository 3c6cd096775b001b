"""Plain sentences for things that went wrong; never a traceback, never raw vendor text."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import clip, code, esc
from services.kernel.errors import ArgumentError, DataUnavailableError, Reason, SymbolError
from services.kernel.modules import MODULES, Module
from services.market.flags import ModuleDisabledError


def reason_text(reason: Reason) -> str:
    texts = {
        Reason.PLAN: _("needs a paid plan"),
        Reason.NO_KEY: _("no API key set"),
        Reason.MISSING: _("route not found"),
        Reason.BREAKER_OPEN: _("paused after repeated failures"),
        Reason.RATE_LIMITED: _("rate limited"),
        Reason.DISABLED: _("disabled"),
        Reason.TIMEOUT: _("too slow to answer"),
        Reason.STALE: _("only old data"),
        Reason.BAD_DATA: _("sent unusable data"),
        Reason.ERROR: _("error"),
    }
    return texts[reason]


def render_symbol_error(error: SymbolError, command: str) -> str:
    if error.kind == "empty":
        text = _("Which symbol? Example: {example}").format(example=code(f"/{command} SOL"))
    else:
        text = _("I don't know the symbol {symbol}.").format(symbol=code(esc(clip(error.text))))
        if error.suggestion:
            text += " " + _("Did you mean {suggestion}?").format(
                suggestion=code(f"/{command} {esc(error.suggestion)}")
            )
        else:
            text += " " + _("Try for example {example}.").format(example=code(f"/{command} SOL"))
    return text


def module_name(module: str) -> str:
    """The module registry's words for it, in the reader's language."""
    if module in Module.__members__.values():
        return _(MODULES[Module(module)].display)
    return esc(module)


def render_disabled(error: ModuleDisabledError) -> str:
    return _("{what} is switched off by the bot's admins.").format(
        what=module_name(error.flag.value)
    )


def render_unavailable(error: DataUnavailableError) -> str:
    sources = ", ".join(
        f"{esc(src)}: {reason_text(reason)}" if src else reason_text(reason)
        for src, reason in error.failures
    )
    return _("{what} is unavailable right now ({sources}). Please try again shortly.").format(
        what=module_name(error.module), sources=sources
    )


def render_argument_error(error: ArgumentError) -> str:
    return _("{value} is not something I know here. Use one of: {allowed}.").format(
        value=code(esc(clip(error.value))),
        allowed=", ".join(code(esc(a)) for a in error.allowed),
    )


def render_internal_error() -> str:
    return _("Something went wrong on our side; it has been logged. Please try again.")


def render_storage_unavailable(writing: bool) -> str:
    if writing:
        return _("Couldn't save that right now; please try again in a minute.")
    return _("Couldn't read what the bot has stored right now; please try again in a minute.")


def render_throttled(seconds: int) -> str:
    return _("Slow down a little: too many commands. Try again in {n}s.").format(n=seconds)
