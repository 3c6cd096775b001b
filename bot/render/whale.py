"""/whale answer: recent whale trades or positions at or above the threshold."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.render.alpha import whale_flow_text
from bot.render.footer import data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.whale.analysis import Flow, WhaleEvent, WhaleFlow, WhaleSide
from services.market.whale.service import WhaleReport

MAX_EVENTS = 15
# By what the event did to the market: a closed long is a sale and shows red.
ICONS = {Flow.BUY: "🟢", Flow.SELL: "🔴", None: "⚪"}


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
    if event.opened is not None and event.flow is not None:
        text += " " + (_("(buying)") if event.flow is Flow.BUY else _("(selling)"))
    return text


def _line(event: WhaleEvent, view: View, window_start: datetime | None) -> str:
    line = _("{icon} {side} ${usd} {coin} @ {price} · {venue} · {time}").format(
        icon=ICONS[event.flow],
        side=b(_side(event)),
        usd=view.compact(event.usd),
        coin=esc(event.coin),
        price=view.price(event.price),
        venue=esc(event.venue),
        time=view.time(event.at),
    )
    line += f" ({view.age(event.at)})"
    if window_start is not None and event.at < window_start:
        line += " · " + _("outside the signal window")
    return line


def render_whale(report: WhaleReport, view: View, flow: WhaleFlow | None = None) -> str:
    """`flow` is the signal window's reading of these events, shown above them."""
    title = _("Whales ≥ ${threshold}: {coins}").format(
        threshold=view.compact(report.threshold), coins=esc(", ".join(report.coins))
    )
    lines = [b(title), ""]
    window_start = None
    if flow is not None:
        window_start = view.now - timedelta(minutes=flow.window_minutes)
        lines += [_("Signal window: {flow}").format(flow=whale_flow_text(flow, view)), ""]
    if report.events:
        lines += [_line(e, view, window_start) for e in report.events[:MAX_EVENTS]]
        if len(report.events) > MAX_EVENTS:
            lines.append(_("…and {n} more").format(n=len(report.events) - MAX_EVENTS))
    else:
        lines.append(_("No whale activity in the recent window."))
    if report.source == "OKX":
        lines += ["", _("From OKX public trades (the last 500 per market).")]
    lines += [
        "",
        data_footer(view, report),
    ]
    return "\n".join(lines)
