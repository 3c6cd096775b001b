"""/whale answer: recent whale trades or positions at or above the threshold."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.footer import footer
from bot.render.text import b, esc
from bot.render.view import View
from services.analysis.whale import WhaleEvent, WhaleSide
from services.whale import WhaleReport

MAX_EVENTS = 15
ICONS = {WhaleSide.BUY: "🟢", WhaleSide.LONG: "🟢", WhaleSide.SELL: "🔴", WhaleSide.SHORT: "🔴"}


def _side(event: WhaleEvent) -> str:
    words = {
        WhaleSide.BUY: _("BUY"),
        WhaleSide.SELL: _("SELL"),
        WhaleSide.LONG: _("LONG"),
        WhaleSide.SHORT: _("SHORT"),
    }
    text = words[event.side]
    if event.opened is True:
        text = _("{side} opened").format(side=text)
    elif event.opened is False:
        text = _("{side} closed").format(side=text)
    return text


def _line(event: WhaleEvent, view: View) -> str:
    return _("{icon} {side} ${usd} {coin} @ {price} · {venue} · {time}").format(
        icon=ICONS[event.side],
        side=b(_side(event)),
        usd=view.compact(event.usd),
        coin=esc(event.coin),
        price=view.price(event.price),
        venue=esc(event.venue),
        time=view.time(event.at),
    )


def render_whale(report: WhaleReport, view: View) -> str:
    title = _("Whales ≥ ${threshold}: {coins}").format(
        threshold=view.compact(report.threshold), coins=esc(", ".join(report.coins))
    )
    lines = [b(title), ""]
    if report.events:
        lines += [_line(e, view) for e in report.events[:MAX_EVENTS]]
        if len(report.events) > MAX_EVENTS:
            lines.append(_("…and {n} more").format(n=len(report.events) - MAX_EVENTS))
    else:
        lines.append(_("No whale activity in the recent window."))
    if report.source == "OKX":
        lines += ["", _("From OKX public trades (the last 500 per market).")]
    lines += [
        "",
        footer(
            view,
            report.source,
            report.as_of,
            stale=report.stale,
            fallback_reason=report.fallback_reason,
        ),
    ]
    return "\n".join(lines)
