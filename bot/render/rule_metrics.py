"""The words of the alerts on a perpetual's funding and open interest: what one watches, what
its firing says, what it reads now. A funding level is in % per 8 h (as /funding shows it, the
same for a contract settling every 4 h), open interest in coins."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.text import b
from bot.render.view import View
from services.kernel.rule_model import Metric, RuleFire, RuleKind, Side
from services.kernel.symbols import parse_symbol


def funding_rate(view: View, pct_8h: Decimal | float) -> str:
    """+0.0500% per 8h: a rate as the alert holds it (% per 8 h)."""
    return _("{rate} per 8h").format(rate=view.rate(Decimal(str(pct_8h)) / 100))


def interest(view: View, coins: Decimal, symbol: str) -> str:
    """12.3M SOL: open interest in the contract's coin."""
    return f"{view.compact(coins)} {parse_symbol(symbol).base}"


def reading_now(metric: Metric, value: Decimal, symbol: str, view: View) -> str:
    """What a new alert reads now, beside the alert set."""
    if metric is Metric.FUNDING:
        return _("funding now {rate}").format(rate=funding_rate(view, value))
    return _("open interest now {oi}").format(oi=interest(view, value, symbol))


def metric_condition(
    metric: str,
    kind: str,
    side: str,
    level: Decimal | None,
    move_pct: Decimal | None,
    window: str | None,
    view: View,
) -> str:
    if metric == Metric.FUNDING.value and kind == RuleKind.FLIP.value:
        return {
            Side.UP.value: _("funding turns positive"),
            Side.DOWN.value: _("funding turns negative"),
        }.get(side, _("funding changes sign"))
    if metric == Metric.FUNDING.value:
        words = _("funding above {rate}") if side == Side.ABOVE.value else _("funding below {rate}")
        return words.format(rate=funding_rate(view, level or 0))
    words = {
        Side.UP.value: _("open interest up {pct}% within {window}"),
        Side.DOWN.value: _("open interest down {pct}% within {window}"),
    }.get(side, _("open interest up or down {pct}% within {window}"))
    return words.format(pct=view.compact(move_pct or 0), window=window or "4h")


def metric_fire(fire: RuleFire, what: str, condition: str, view: View) -> str:
    """The line of a funding or open interest alert that fired."""
    source = _("from {source}").format(source=fire.source)
    if fire.kind == RuleKind.FLIP.value:
        turned = (
            _("{what} funding turned positive: {rate} paid at settlement (was {before})")
            if fire.price > 0
            else _("{what} funding turned negative: {rate} paid at settlement (was {before})")
        )
        return (
            "💸 "
            + turned.format(
                what=b(what),
                rate=b(funding_rate(view, fire.price)),
                before=funding_rate(view, fire.previous or 0),
            )
            + f" · {source}"
        )
    if fire.metric == Metric.FUNDING.value:
        return (
            "💸 "
            + _("{what} funding paid {rate} at settlement ({condition})").format(
                what=b(what), rate=b(funding_rate(view, fire.price)), condition=condition
            )
            + f" · {source}"
        )
    return (
        "📊 "
        + _("{what} open interest moved {moved} ({condition}) · now {oi}").format(
            what=b(what),
            moved=view.pct(fire.moved_pct or 0),
            condition=condition,
            oi=b(interest(view, fire.price, fire.symbol)),
        )
        + f" · {source}"
    )


def fired_at(fire: RuleFire, view: View) -> str:
    """A past firing in the history: what it read then."""
    if fire.metric == Metric.FUNDING.value:
        return _("paid {rate}").format(rate=funding_rate(view, fire.price))
    return _("at {oi} ({moved})").format(
        oi=interest(view, fire.price, fire.symbol), moved=view.pct(fire.moved_pct or 0)
    )


def metric_when(metric: Metric, kind: RuleKind, window: str | None) -> str:
    """How it is judged, under a new alert."""
    if kind is RuleKind.FLIP:
        return _("Judged at each settlement: fires when the rate paid changes sign.")
    if metric is Metric.FUNDING:
        return _("Judged at each settlement, on the rate paid (not the predicted one).")
    return _("Measured from open interest {window} before, in coins.").format(window=window or "4h")
