"""/chart: the caption under the candles and the chart's words, in the chat's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.charts.labels import CandleLabels, ChartFrame
from bot.render.alpha import direction_text
from bot.render.footer import chart_context, data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.ticker.candles import CandleReport
from services.signals.bias.rule import Direction
from services.signals.calls import CallLevels
from services.signals.sniper.rule import EntryMap


def render_chart_caption(
    report: CandleReport, view: View, live: EntryMap | None = None, call: CallLevels | None = None
) -> str:
    bars = report.candles
    first, last = bars[0], bars[-1]
    change = (last.close - first.open) / first.open * 100 if first.open else None
    lines = [
        b(
            _("{pair} · {bar} candles").format(
                pair=esc(report.instrument.display), bar=report.bar.value
            )
        ),
        _("Last price {close} · {n} bars: high {high}, low {low}").format(
            close=view.price(last.close),
            n=len(bars),
            high=view.price(max(c.high for c in bars)),
            low=view.price(min(c.low for c in bars)),
        ),
    ]
    if change is not None:
        lines.append(_("Change over the chart: {change}").format(change=view.pct(change)))
    if call is not None and call.map is not None:
        lines.append(
            _("Marked: the entry, invalidation and targets of the sniper map of {time}.").format(
                time=view.time(call.at)
            )
        )
    elif call is not None and call.price is not None and call.direction is not None:
        lines.append(
            _("Marked: the {direction} call of {time}, at {price}.").format(
                direction=direction_text(Direction(call.direction)),
                time=view.time(call.at),
                price=view.price(call.price),
            )
        )
    elif live is not None:
        lines.append(_("Marked: the live sniper map's entry, invalidation and targets."))
    lines += ["", data_footer(view, report)]
    return "\n".join(lines)


LEVEL_COLOURS = {
    "entry": "#2563eb",
    "invalidation": "#dc2626",
    "tp": "#16a34a",
    "call": "#7c3aed",
}


def candle_labels(
    report: CandleReport, view: View, live: EntryMap | None = None, call: CallLevels | None = None
) -> CandleLabels:
    """A chart opened from a call marks that call's levels; otherwise the live map's."""
    zone = view.now.astimezone(view.tz).tzname() or str(view.tz)
    if call is not None and call.map is not None:
        levels = _levels(call.map, view)
    elif call is not None and call.price is not None and call.direction is not None:
        label = _("{direction} called {price}").format(
            direction=direction_text(Direction(call.direction)), price=view.price(call.price)
        )
        levels = ((label, float(call.price), LEVEL_COLOURS["call"]),)
    else:
        levels = _levels(live, view) if live is not None else ()
    return CandleLabels(
        frame=ChartFrame(
            title=_("{pair} · {bar} candles").format(
                pair=report.instrument.display, bar=report.bar.value
            ),
            context=chart_context(view, report),
            locale=view.locale,
        ),
        price_axis=_("price ({quote})").format(quote=report.instrument.quote),
        volume_axis=_("volume ({base})").format(base=report.instrument.base),
        time_axis=_("time ({zone})").format(zone=zone),
        last=_("last {price}").format(price=view.price(report.candles[-1].close))
        if report.candles
        else "",
        levels=levels,
    )


def _levels(live: EntryMap, view: View) -> tuple[tuple[str, float, str], ...]:
    """The live sniper map's entry, invalidation and targets, as its push named them."""
    marks: list[tuple[str, float, str]] = []
    if live.entry is not None:
        marks.append(
            (
                _("Entry {price}").format(price=view.price(live.entry)),
                float(live.entry),
                LEVEL_COLOURS["entry"],
            )
        )
    if live.invalidation is not None:
        marks.append(
            (
                _("Invalidation {price}").format(price=view.price(live.invalidation)),
                float(live.invalidation),
                LEVEL_COLOURS["invalidation"],
            )
        )
    for number, target in enumerate(live.targets, 1):
        label = _("TP{n} {price}").format(n=number, price=view.price(target.price))
        marks.append((label, float(target.price), LEVEL_COLOURS["tp"]))
    return tuple(marks)
