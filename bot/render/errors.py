"""Plain sentences for things that went wrong; never a traceback, never raw vendor text."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.audience import for_operator
from bot.render.text import clip, code, esc
from services.kernel.errors import ArgumentError, DataUnavailableError, Reason, SymbolError
from services.kernel.modules import MODULES, Module
from services.kernel.vendors import KEY_SETTINGS
from services.market.flags import ModuleDisabledError

# Reasons a retry in a minute may cure; the others need an operator (a key, a plan, a switch,
# this server's network) or another coin.
RETRYABLE = frozenset(Reason) - {
    Reason.NO_KEY,
    Reason.PLAN,
    Reason.MISSING,
    Reason.DISABLED,
    Reason.UNREACHABLE,
    Reason.NOT_COVERED,
}


def reason_text(reason: Reason, by: str | None = None, wait: float | None = None) -> str:
    """One plain phrase for why data is missing, about the source `by` when known; `wait` is
    how long the source asked us to wait (a 429's Retry-After)."""
    if by is None:
        return {
            Reason.PLAN: _("not in your data plan"),
            Reason.NO_KEY: _("needs an API key"),
            Reason.MISSING: _("no longer offered by its source"),
            Reason.BREAKER_OPEN: _("paused after repeated failures"),
            Reason.RATE_LIMITED: _("the source is rate-limiting us"),
            Reason.PACED: _("too many requests right now"),
            Reason.DISABLED: _("switched off by the bot's admins"),
            Reason.TIMEOUT: _("the source is not answering"),
            Reason.STALE: _("only old data"),
            Reason.BAD_DATA: _("the source sent data we could not use"),
            Reason.UNREACHABLE: _("this server cannot reach the source"),
            Reason.NOT_COVERED: _("the source does not cover this coin"),
            Reason.REGION: _("the source refuses this server's location"),
            Reason.ERROR: _("the source is having trouble"),
        }[reason]
    source = esc(by)
    if reason is Reason.NO_KEY and by in KEY_SETTINGS:
        if not for_operator():  # the setting's name is the operator's business
            return _("needs a {source} key (ask the bot's operator)").format(source=source)
        return _("needs a {source} key ({setting})").format(
            source=source, setting=code(KEY_SETTINGS[by])
        )
    if reason is Reason.RATE_LIMITED and wait:
        return _("{source} is rate-limiting us, back in ~{n} s").format(
            source=source, n=max(1, round(wait))
        )
    return {
        Reason.PLAN: _("not in your {source} plan"),
        Reason.NO_KEY: _("needs a {source} key"),
        Reason.MISSING: _("{source} no longer offers this data"),
        Reason.BREAKER_OPEN: _("{source} kept failing and is paused for a while"),
        Reason.RATE_LIMITED: _("{source} is rate-limiting us"),
        Reason.PACED: _("too many requests to {source} right now"),
        Reason.DISABLED: _("switched off by the bot's admins"),
        Reason.TIMEOUT: _("{source} is not answering"),
        Reason.STALE: _("only old data from {source}"),
        Reason.BAD_DATA: _("{source} sent data we could not use"),
        Reason.UNREACHABLE: _("this server cannot reach {source}"),
        Reason.NOT_COVERED: _("{source} does not cover this coin"),
        Reason.REGION: _("{source} refuses this server's location"),
        Reason.ERROR: _("{source} is having trouble on its side"),
    }[reason].format(source=source)


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
    if module == "liquidation_stream":  # not a module: the live feed the heatmap's record keeps
        return _("Live liquidations (OKX WebSocket)")
    return esc(module)


def job_name(job: str) -> str:
    """A scheduled job as people read it ("Sniper job"), not its registry id."""
    words = {"sniper": _("Sniper job"), "bias": _("Bias job")}
    return words.get(job, esc(job))


def render_disabled(error: ModuleDisabledError) -> str:
    return _("{what} is switched off by the bot's admins.").format(
        what=module_name(error.flag.value)
    )


def render_unavailable(error: DataUnavailableError) -> str:
    """ "Price data is unavailable right now: OKX is not answering; CoinAPI needs a CoinAPI key
    (COINAPI_API_KEY)." and "Please try again shortly." only when a retry may help."""
    reasons = "; ".join(
        reason_text(reason, src or None, error.retry_after) for src, reason in error.failures
    )
    text = _("{what} is unavailable right now: {reasons}.").format(
        what=module_name(error.module), reasons=reasons
    )
    if any(reason in RETRYABLE for _src, reason in error.failures):
        text += " " + _("Please try again shortly.")
    return text


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
