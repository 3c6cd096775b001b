"""/alpha: the institutional-bias call with its evidence card and what was missing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.derivatives import context_line
from bot.render.errors import module_name, reason_text
from bot.render.sentiment import sentiment_label
from bot.render.text import b, esc, i
from bot.render.view import View
from services.market.whale.analysis import WhaleFlow
from services.signals.bias.rule import BiasCall, Direction, Evidence, Missing
from services.signals.calls import Kind
from services.signals.confidence import Agreement
from services.signals.track_record import HORIZONS

ICONS = {Direction.LONG: "🟢", Direction.SHORT: "🔴", Direction.NEUTRAL: "⚪"}


def direction_text(direction: Direction) -> str:
    return {
        Direction.LONG: _("LONG"),
        Direction.SHORT: _("SHORT"),
        Direction.NEUTRAL: _("NEUTRAL"),
    }[direction]


def input_name(name: str) -> str:
    names = {
        "whale": _("Whales"),
        "etf": _("Spot-ETF flow"),
        "sentiment": _("Sentiment"),
        "derivs": _("Derivatives crowding"),
    }
    return names.get(name) or module_name(name)


def confidence_text(agreement: Agreement | None, fallback: Decimal, view: View) -> str:
    """ "3 of 3 inputs agree", with what lowered it; the same words in /alpha and /sniper."""
    if agreement is None:
        return _("confidence {share}").format(share=view.share(fallback))
    text = _("{agree} of {total} inputs agree").format(agree=agreement.agree, total=agreement.of)
    notes = []
    if agreement.market_wide:
        notes.append(_("{n} market-wide").format(n=agreement.market_wide))
    if agreement.stale:
        notes.append(_("{n} stale").format(n=agreement.stale))
    if agreement.missing:
        notes.append(_("{n} missing").format(n=agreement.missing))
    return text + (f" ({', '.join(notes)})" if notes else "")


def whale_flow_text(flow: WhaleFlow, view: View) -> str:
    window = flow.window_minutes
    if not flow.buys and not flow.sells:
        return _("no whale activity in the last {minutes} min").format(minutes=window)
    buying = flow.lean is not None and flow.lean.value == "buy"
    selling = flow.lean is not None and flow.lean.value == "sell"
    if buying or selling:
        text = (
            _("whale buys: {n} in the last {minutes} min, largest ${largest}, total ${total}")
            if buying
            else _("whale sells: {n} in the last {minutes} min, largest ${largest}, total ${total}")
        ).format(
            n=flow.buys if buying else flow.sells,
            minutes=window,
            largest=view.compact((flow.largest_buy if buying else flow.largest_sell) or 0),
            total=view.compact(flow.buy_usd if buying else flow.sell_usd),
        )
        against = flow.sell_usd if buying else flow.buy_usd
        if against:
            text += "; " + (
                _("sells ${usd} against") if buying else _("buys ${usd} against")
            ).format(usd=view.compact(against))
        return text
    return _(
        "whale flow mixed in the last {minutes} min: buys ${buys}, sells ${sells}, "
        "too even to count"
    ).format(minutes=window, buys=view.compact(flow.buy_usd), sells=view.compact(flow.sell_usd))


def evidence_text(e: Evidence, view: View) -> str:
    if e.name == "whale":
        if e.whale is not None:
            return whale_flow_text(e.whale, view)
        return _("net whale flow ${usd}").format(usd=view.compact(e.amount))
    if e.name == "etf":
        sign = "+" if e.amount > 0 else "−" if e.amount < 0 else ""
        text = _("net {flow} on {day}").format(
            flow=f"{sign}${view.compact(abs(e.amount))}", day=view.day(e.as_of)
        )
        if e.stands_in_for:
            text += " " + _("({coin} has no spot ETF: Bitcoin's flow, market-wide)").format(
                coin=esc(e.stands_in_for)
            )
        return text
    if e.name == "derivs":  # voting only where the operator turned it on (BIAS_DERIVS_VOTE)
        return _("funding {yearly} a year").format(yearly=view.pct(e.amount * 100))
    label = f" {esc(sentiment_label(e.value))}" if e.value else ""
    return f"{e.amount}/100{label} " + _("(market-wide)")


def render_alpha(call: BiasCall, view: View, explain: bool = True) -> str:
    lines = [
        f"{ICONS[call.direction]} "
        + b(
            _("{coin} institutional bias: {direction}").format(
                coin=esc(call.symbol), direction=direction_text(call.direction)
            )
        )
        + " · "
        + confidence_text(call.agreement, call.confidence, view),
        "",
    ]
    lines.insert(1, call_moment(call.price, call.at, view))
    if call.previous is not None and call.previous is not call.direction:
        lines.insert(
            1,
            "↩️ "
            + _("reverses the {previous} call pushed before").format(
                previous=direction_text(call.previous)
            ),
        )
    for e in call.evidence:
        lines.append(
            _("{name}: {seen} → {push}").format(
                name=b(input_name(e.name)), seen=evidence_text(e, view), push=direction_text(e.push)
            )
        )
        provenance = _("{source}, as of {time}").format(
            source=esc(e.source), time=view.time(e.as_of)
        )
        if e.stale:
            provenance += " · " + _("stale: not counted as agreeing")
        lines.append(i(provenance))
    lines.append(context_line(call.context, view))
    if call.missing:
        missing = ", ".join(
            f"{input_name(m.name)}: {reason_text(m.reason, m.by)}" for m in call.missing
        )
        lines += ["", _("Missing: {modules}").format(modules=missing)]
    if call.direction is not Direction.NEUTRAL:
        lines += ["", grading_text()]
    if not explain:
        return "\n".join(lines)
    return "\n".join([*lines, "", *rule_text(call)])


def call_moment(price: Decimal | None, at: datetime, view: View) -> str:
    """When the call was made and at what price: what it is checked from."""
    if price is None:
        return _("Called at {time}").format(time=view.time(at))
    return _("Called at {price} (OKX) · {time}").format(
        price=b(view.price(price)), time=view.time(at)
    )


def horizon_words(horizon: str) -> str:
    """ "15m" as a reader writes it ("15 min", "15 menit")."""
    amount, unit = horizon[:-1], horizon[-1]
    if unit == "m":
        return _("{n} min").format(n=amount)
    return _("{n} h").format(n=amount)


def grading_text() -> str:
    """How a LONG or SHORT is checked, from the price at the call (services/signals/grading)."""
    horizons = ", ".join(horizon_words(h) for h in HORIZONS[Kind.BIAS])
    return i(
        _(
            "Graded against OKX's 1-minute closes from the price at the call, {horizons} "
            "later; /performance bias shows the record."
        ).format(horizons=horizons)
    )


def rule_text(call: BiasCall) -> list[str]:
    """What made this call and what the rule asks, in words that agree with the verdict
    above: a call made from two inputs says so, instead of quoting the three-input rule."""
    used = ", ".join(input_name(e.name) for e in call.evidence) or "–"
    lines = [i(_("This call read: {inputs}.").format(inputs=used))]
    if call.missing:
        lines.append(
            i(
                _(
                    "A missing input never stops a call: the ones present must all push the "
                    "same way, and at least two must be present."
                )
            )
        )
    lines.append(
        i(
            _(
                "With all three present, LONG needs net whale buying in the window, a spot-ETF "
                "inflow and greedy sentiment (SHORT the mirror); a missing or stale input "
                "lowers the confidence, and the market-wide ones are counted apart."
            )
        )
    )
    return lines


def missing_text(missing: list[Missing]) -> str:
    """ "Spot-ETF flow: needs a CoinGlass key (COINGLASS_API_KEY), ..." for inputs a call lacked."""
    return ", ".join(f"{input_name(m.name)}: {reason_text(m.reason, m.by)}" for m in missing)
