"""/chart: the caption under the candles and the chart's words, in the chat's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.charts.candles import CandleLabels
from bot.charts.frame import ChartFrame
from bot.render.footer import chart_context, footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.ticker.candles import CandleReport


def render_chart_caption(report: CandleReport, view: View) -> str:
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
    lines += ["", footer(view, report.source, report.as_of, stale=report.stale)]
    return "\n".join(lines)


def candle_labels(report: CandleReport, view: View) -> CandleLabels:
    zone = view.now.astimezone(view.tz).tzname() or str(view.tz)
    return CandleLabels(
        frame=ChartFrame(
            title=_("{pair} · {bar} candles").format(
                pair=report.instrument.display, bar=report.bar.value
            ),
            context=chart_context(view, report.source, report.as_of, stale=report.stale),
            locale=view.locale,
        ),
        price_axis=_("price ({quote})").format(quote=report.instrument.quote),
        volume_axis=_("volume ({base})").format(base=report.instrument.base),
        time_axis=_("time ({zone})").format(zone=zone),
    )
