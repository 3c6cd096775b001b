"""Follow-ups: a pushed sniper map's live state, its final outcome, a withdrawn bias call, and
the one line of track record a pushed call carries."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.alpha import direction_text
from bot.render.text import b, esc, i
from bot.render.view import View
from services.delivery.models import Tracking, Withdrawal
from services.signals.bias.rule import Direction
from services.signals.grading import wilson
from services.signals.track_record import TrackLine


def _r(view: View, value: Decimal) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{view.compact(abs(value))} R"


def tracking_text(t: Tracking, view: View) -> str:
    """ "✅ entry filled 14:05 · TP1 hit 14:32 +0.6 R": where the map stands against OKX."""
    if t.entered_at is None:
        if t.final:
            return "⌛ " + _("expired {time} without an entry: no trade").format(
                time=view.time(t.closed_at or view.now)
            )
        text = "⏳ " + _("waiting for the entry")
        if t.expires_at is not None:
            text += " · " + _("void after {time}").format(time=view.time(t.expires_at))
        return text
    parts = ["✅ " + _("entry filled {time}").format(time=view.time(t.entered_at))]
    if t.tp1_at is not None:
        parts.append(
            "🎯 "
            + _("TP1 hit {time} {r}").format(
                time=view.time(t.tp1_at), r=_r(view, t.r_open or Decimal(0))
            )
        )
    closed = view.time(t.closed_at) if t.closed_at else ""
    final = {
        "tp2": "🏁 " + _("TP2 hit {time}").format(time=closed),
        "stopped": "🛑 " + _("stopped {time}").format(time=closed),
        "breakeven": "↔️ " + _("back to entry {time}").format(time=closed),
        "expired": "⌛ " + _("expired {time}").format(time=closed),
    }.get(t.status)
    if final is not None:
        parts.append(final)
        if t.r is not None:
            parts.append(b(_("result {r}").format(r=_r(view, t.r))))
    elif t.tp1_at is not None:
        parts.append(_("stop moved to entry"))
    return " · ".join(parts)


def render_tracking(t: Tracking, view: View, map_text: str) -> str:
    """The pushed map as edited in place: the map as it was sent, then where it stands."""
    return map_text + "\n\n" + b(_("Live:")) + " " + tracking_text(t, view)


def render_outcome(t: Tracking, view: View) -> str:
    return (
        b(
            _("{coin} sniper map of {time} at {price}").format(
                coin=esc(t.map.symbol), time=view.time(t.map.at), price=view.price(t.map.price)
            )
        )
        + "\n"
        + tracking_text(t, view)
        + "\n"
        + i(_("Graded on OKX 1-minute candles. /performance sniper shows the record."))
    )


def render_withdrawn(items: list[Withdrawal], view: View) -> str:
    lines = []
    for w in items:
        line = "↩️ " + _(
            "{coin} {direction} call withdrawn: the inputs no longer agree (now {now})."
        ).format(
            coin=b(esc(w.symbol)),
            direction=direction_text(Direction(w.was)),
            now=direction_text(Direction(w.now)),
        )
        if w.called_at is not None and w.called_price is not None:
            line += " " + _("It was called at {price} · {time}.").format(
                price=view.price(w.called_price), time=view.time(w.called_at)
            )
        if w.price is not None:
            line += " " + _("Price now {price}.").format(price=view.price(w.price))
        lines.append(line)
    lines.append(i(_("/alpha shows the inputs as they stand.")))
    return "\n".join(lines)


def track_line(line: TrackLine, view: View) -> str:
    """One line of the kind's own record; never a percentage without its sample size."""
    what = {
        "bias": _("Bias calls"),
        "sniper": _("Sniper maps"),
        "whale": _("Whale signals"),
    }.get(line.kind, esc(line.kind))
    if not line.enough:
        seen = _("not enough graded calls yet (n={n})").format(n=line.n)
    else:
        low, high = wilson(line.hits, line.n)
        measure = (
            _("{share} reached TP1 before the stop")
            if line.kind == "sniper"
            else _("{share} right after {horizon}")
        )
        seen = (
            measure.format(share=view.share(Decimal(line.hits) / line.n), horizon=line.label)
            + ", "
            + _("n={n}, 95% interval {low}–{high}").format(
                n=line.n, low=view.share(low), high=view.share(high)
            )
        )
    return i(
        _("Track record ({what}, last {days} days): {seen}").format(
            what=what, days=line.days, seen=seen
        )
    )
