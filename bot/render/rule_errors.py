"""Every mistake in setting an alert, in one plain sentence with an example where one helps."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import clip, code, esc
from bot.render.view import View
from services.kernel.rule_model import Metric
from services.signals.rules.parse import NOTE_MAX, Problem, RuleError

EXAMPLES = (
    "/alert SOL above 190",
    "/alert btc < 95k every 1h",
    "/alert ETH move 3% 15m",
)
OI_EXAMPLE = "/alert BTC oi +5% 4h"
FLIP_EXAMPLE = "/alert SOL funding flips"


def render_rule_error(error: RuleError, view: View) -> str:
    """One plain sentence for each mistake, with an example where one helps."""
    facts, value = error.facts, esc(clip(error.value))
    problem = error.problem
    if problem is Problem.NO_SYMBOL:
        return _("Which coin, and when? For example: {examples}").format(
            examples=", ".join(code(esc(e)) for e in EXAMPLES)
        )
    if problem is Problem.NO_PRICE:
        return _("At what price? For example: {example}").format(
            example=code(f"/alert {value} above 190")
        )
    if problem is Problem.BAD_PRICE:
        return _("“{value}” is not a price. Write it like 190, 95k or 0.00012.").format(value=value)
    if problem is Problem.NOT_POSITIVE:
        return _("A price level must be above zero.")
    if problem is Problem.ABSURD:
        return _(
            "{value} is too far from the price now ({price}): a level must be within 100× of it."
        ).format(value=value, price=view.price(_decimal(facts.get("price"))))
    if problem is Problem.AT_PRICE:
        return _("The price is {value} right now: set a level above or below it.").format(
            value=value
        )
    if problem is Problem.MOVE_TOO_BIG:
        return _("A move alert watches moves of up to 100%.")
    if problem is Problem.NO_MOVE:
        oi = facts.get("metric") == Metric.OI
        return _("How big a move? For example: {example}").format(
            example=code(OI_EXAMPLE if oi else "/alert SOL move 3% 15m")
        )
    if problem is Problem.BAD_WINDOW:
        allowed = facts.get("allowed")
        windows = [str(w) for w in allowed] if isinstance(allowed, list) else []
        return _("A move is measured over {windows}. For example: {example}").format(
            windows=", ".join(windows),
            example=code("/alert SOL move 3% 15m" if "15m" in windows else OI_EXAMPLE),
        )
    if problem is Problem.NO_FUNDING:
        return _(
            "“{value}” is not a funding rate. Write it in % per 8h, like {example}, or ask "
            "for a change of sign: {flip}."
        ).format(value=value, example=code("/alert SOL funding > 0.05%"), flip=code(FLIP_EXAMPLE))
    if problem is Problem.FUNDING_RANGE:
        return _(
            "{value} per 8h is past any funding rate: OKX caps them far lower. Did you mean "
            "{example}?"
        ).format(value=value, example=code("0.05%"))
    if problem is Problem.BAD_DURATION:
        return _(
            "“{value}” is not a time I can use here: from {low} to {high}, like 30m, 4h or 7d."
        ).format(value=value, low=facts.get("low", "5m"), high=facts.get("high", "7d"))
    if problem is Problem.NOTE_TOO_LONG:
        return _("A note can be up to {n} characters.").format(n=NOTE_MAX)
    if problem is Problem.FULL:
        return _("This chat has {limit} alerts, its limit. Delete one in /alerts first.").format(
            limit=facts.get("limit", value)
        )
    return _("That alert is gone (deleted, or it has ended).")


def _decimal(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def render_not_rule_admin() -> str:
    return _("Only this group's admins can set and change its alerts; /alerts shows them.")
