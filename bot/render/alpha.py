"""/alpha: the institutional-bias call with its evidence card and what was missing."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.errors import module_name, reason_text
from bot.render.text import b, esc, i
from bot.render.view import View
from services.analysis.bias import BiasCall, Direction, Evidence

ICONS = {Direction.LONG: "🟢", Direction.SHORT: "🔴", Direction.NEUTRAL: "⚪"}


def direction_text(direction: Direction) -> str:
    return {
        Direction.LONG: _("LONG"),
        Direction.SHORT: _("SHORT"),
        Direction.NEUTRAL: _("NEUTRAL"),
    }[direction]


def input_name(name: str) -> str:
    names = {"whale": _("Whales"), "etf": _("Spot-ETF flow"), "sentiment": _("Sentiment")}
    return names.get(name) or module_name(name)


def evidence_text(e: Evidence, view: View) -> str:
    if e.name == "whale":
        if e.value == "none":
            return _("no whale trade in the window")
        if e.value == "both":
            return _("whale buys and sells both seen")
        word = _("buys") if e.value == "buy" else _("sells")
        return _("whale {side} ${usd}").format(side=word, usd=view.compact(e.amount))
    if e.name == "etf":
        sign = "+" if e.amount > 0 else "−" if e.amount < 0 else ""
        text = _("net {flow} on {day}").format(
            flow=f"{sign}${view.compact(abs(e.amount))}", day=view.day(e.as_of)
        )
        if e.stands_in_for:
            text += " " + _("(BTC's ETF flow stands in for {coin})").format(
                coin=esc(e.stands_in_for)
            )
        return text
    label = f" {esc(e.value)}" if e.value else ""
    return f"{e.amount}/100{label}"


def render_alpha(call: BiasCall, view: View, explain: bool = True) -> str:
    lines = [
        f"{ICONS[call.direction]} "
        + b(
            _("{coin} institutional bias: {direction}").format(
                coin=esc(call.symbol), direction=direction_text(call.direction)
            )
        )
        + " · "
        + _("confidence {share}").format(share=view.share(call.confidence)),
        "",
    ]
    for e in call.evidence:
        push = direction_text(e.push) if not e.either_way else _("either way")
        lines.append(
            _("{name}: {seen} → {push}").format(
                name=b(input_name(e.name)), seen=evidence_text(e, view), push=push
            )
        )
        lines.append(
            i(_("{source}, as of {time}").format(source=esc(e.source), time=view.time(e.as_of)))
        )
    if call.missing:
        missing = ", ".join(f"{input_name(m.name)}: {reason_text(m.reason)}" for m in call.missing)
        lines += ["", _("Missing: {modules}").format(modules=missing)]
    if not explain:
        return "\n".join(lines)
    lines += [
        "",
        i(
            _(
                "LONG needs a whale buy, a spot-ETF inflow and greedy sentiment (SHORT the "
                "mirror); a missing input lowers the confidence."
            )
        ),
    ]
    return "\n".join(lines)
