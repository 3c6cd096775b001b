"""/heatmap answer: the liquidation bands around price, always labelled as an estimate."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.charts.labels import ChartFrame, HeatmapLabels
from bot.render.footer import chart_context, footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.heatmap.analysis import Band
from services.market.heatmap.service import HeatmapReport


def _band(band: Band, view: View) -> str:
    return _("{low}–{high} · ${usd} · {distance}").format(
        low=view.price(band.low),
        high=view.price(band.high),
        usd=view.compact(band.usd),
        distance=view.pct(band.distance_pct),
    )


def _age(delta_seconds: float, view: View) -> str:
    minutes = int(delta_seconds // 60)
    if minutes < 60:
        return _("{n} min").format(n=minutes)
    return _("{h} h {m} min").format(h=minutes // 60, m=minutes % 60)


def render_heatmap(report: HeatmapReport, view: View) -> str:
    a = report.analysis
    lines = [
        b(
            _("{coin} liquidation map · {range}").format(
                coin=esc(report.coin), range=report.range.value
            )
        )
        + " · "
        + _("price {price}").format(price=view.price(a.price)),
    ]
    if report.modelled:
        lines.append(_("Relative estimate: CoinGlass leverage model (Binance)."))
        if report.cut_from:
            lines.append(
                _("{range} is the latest part of CoinGlass's {source} map.").format(
                    range=report.range.value, source=report.cut_from
                )
            )
    else:
        lines.append(_("Relative estimate: realized liquidations on OKX only."))
        if report.history is not None:
            lines.append(
                _("History recorded: {age} ({n} liquidations in range).").format(
                    age=_age(report.history.total_seconds(), view), n=report.events or 0
                )
            )
    lines.append("")
    if not a.bands:
        lines.append(_("No liquidations recorded in this range yet."))
    else:
        lines.append(b(_("Above price")))
        lines += [_band(band, view) for band in a.above] or ["–"]
        lines.append(b(_("Below price")))
        lines += [_band(band, view) for band in a.below] or ["–"]
        if a.nearest is not None:
            lines += ["", _("⚠️ Cluster within 0.5%: {band}").format(band=_band(a.nearest, view))]
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


def heatmap_caption(report: HeatmapReport) -> str:
    return _("{coin} liquidation map · {range}").format(
        coin=esc(report.coin), range=report.range.value
    )


def heatmap_labels(report: HeatmapReport, view: View) -> HeatmapLabels:
    title = _("{coin} liquidation map · {range}").format(coin=report.coin, range=report.range.value)
    if not report.modelled and report.history is not None:
        # A 24h map drawn from 1 h 43 min of our own record says so where the eye lands.
        title += " · " + _("{age} of history").format(
            age=_age(report.history.total_seconds(), view)
        )
    return HeatmapLabels(
        frame=ChartFrame(
            title=title,
            context=chart_context(view, report.source, report.as_of, stale=report.stale),
            locale=view.locale,
        ),
        x_axis=_("liquidation USD (relative estimate)"),
        y_axis=_("price"),
        price=_("price {price}").format(price=view.price(report.analysis.price)),
        time_axis=_("time ({zone})").format(zone=view.now.astimezone(view.tz).tzname()),
        longs=_("longs liquidated") if not report.modelled else _("long liquidation levels"),
        shorts=_("shorts liquidated") if not report.modelled else _("short liquidation levels"),
    )
