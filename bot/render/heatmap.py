"""/heatmap answer: the liquidation bands around price, always labelled as an estimate."""

from __future__ import annotations

from datetime import timedelta

from aiogram.utils.i18n import gettext as _

from bot.charts.labels import ChartFrame, HeatmapLabels
from bot.render.footer import chart_context, data_footer
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


def _method(report: HeatmapReport, view: View) -> list[str]:
    """What the levels are made from, on every answer (the estimate most of all)."""
    if report.modelled:
        lines = [_("Pending liquidation levels: CoinGlass leverage model (Binance).")]
        if report.cut_from:
            lines.append(
                _("{range} is the latest part of CoinGlass's {source} map.").format(
                    range=report.range.value, source=report.cut_from
                )
            )
        return lines
    lines = [_("Pending liquidation levels: estimate from OKX open interest.")]
    if report.lookback is not None:
        lines.append(
            _("Open interest read back {age}: every position opened since counts.").format(
                age=_age(report.lookback.total_seconds(), view)
            )
        )
    return lines


def _realized(report: HeatmapReport, view: View) -> list[str]:
    """What was already liquidated: its own layer, never a cluster (those positions are gone)."""
    layer = report.realized
    if layer is None:
        return []
    line = _(
        "Liquidated in the last {range} on OKX (gone, not levels): longs ${longs} · shorts "
        "${shorts} ({n})."
    ).format(
        range=report.range.value,
        longs=view.compact(layer.longs_usd),
        shorts=view.compact(layer.shorts_usd),
        n=layer.count,
    )
    if layer.record is not None and layer.record < timedelta(hours=report.range.hours):
        line += " " + _("The bot's record of them reaches back {age}.").format(
            age=_age(layer.record.total_seconds(), view)
        )
    # OKX's own caveat on the channel and the endpoint alike: a sample, not every liquidation.
    line += " " + _("OKX shows at most one liquidation per contract a second: a sample, not all.")
    return ["", line]


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
        *_method(report, view),
        "",
    ]
    if not a.bands:
        lines.append(_("No pending liquidation levels in this range."))
    else:
        lines.append(b(_("Above price")))
        lines += [_band(band, view) for band in a.above] or ["–"]
        lines.append(b(_("Below price")))
        lines += [_band(band, view) for band in a.below] or ["–"]
        if a.nearest is not None:
            lines += ["", _("⚠️ Cluster within 0.5%: {band}").format(band=_band(a.nearest, view))]
    lines += _realized(report, view)
    lines += [
        "",
        data_footer(view, report),
    ]
    return "\n".join(lines)


def heatmap_caption(report: HeatmapReport) -> str:
    return _("{coin} liquidation map · {range}").format(
        coin=esc(report.coin), range=report.range.value
    )


def heatmap_labels(report: HeatmapReport, view: View) -> HeatmapLabels:
    title = _("{coin} liquidation map · {range}").format(coin=report.coin, range=report.range.value)
    # Where the eye lands, the image says what its levels are made from.
    title += " · " + (
        _("CoinGlass leverage model") if report.modelled else _("estimate from OKX open interest")
    )
    return HeatmapLabels(
        frame=ChartFrame(
            title=title,
            context=chart_context(view, report),
            locale=view.locale,
        ),
        x_axis=_("pending liquidations, USD"),
        y_axis=_("price (USDT)"),
        price=_("price {price}").format(price=view.price(report.analysis.price)),
        time_axis=_("time ({zone})").format(zone=view.now.astimezone(view.tz).tzname()),
        longs=_("long liquidation levels"),
        shorts=_("short liquidation levels"),
        realized=_("liquidated on OKX (gone)"),
        scale=_("USD at the level"),
    )
