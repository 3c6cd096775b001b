"""/ob answer: the biggest walls, walls over 5x median, and imbalance by band."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.charts.labels import ChartFrame, DepthLabels
from bot.render.footer import chart_context, data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.orderbook.analysis import WALL_MULTIPLE, Imbalance, Wall
from services.market.orderbook.service import OrderBookReport


def _money(value: Decimal, usd: bool, quote: str, view: View) -> str:
    return f"${view.compact(value)}" if usd else f"{view.compact(value)} {esc(quote)}"


def _wall(wall: Wall | None, report: OrderBookReport, view: View) -> str:
    if wall is None:
        return "–"
    inst = report.book.instrument
    brick = " 🧱" if wall.is_wall else ""
    return (
        _("{price} · {size} {base} ({money}) · {distance} · {multiple} median").format(
            price=b(view.price(wall.price)),
            size=view.compact(wall.size),
            base=esc(inst.base),
            money=_money(wall.notional, report.analysis.quote_is_usd, inst.quote, view),
            distance=view.pct(wall.distance_pct),
            multiple=view.times(wall.multiple),
        )
        + brick
    )


def _imbalance(item: Imbalance, view: View) -> str:
    band = f"±{view.price(item.band_pct)}%"
    if item.bid_share is None:
        return f"{band}: –"
    share = _("{bid} bid / {ask} ask").format(
        bid=view.share(item.bid_share), ask=view.share(1 - item.bid_share)
    )
    return f"{band}: {share}" + ("" if item.covered else "*")


def render_orderbook(report: OrderBookReport, view: View) -> str:
    a = report.analysis
    inst = report.book.instrument
    lines = [
        b(_("{pair} order book").format(pair=esc(inst.display)))
        + " · "
        + _("mid {mid}").format(mid=view.price(a.mid)),
        _("Biggest bid: {wall}").format(wall=_wall(a.biggest_bid, report, view)),
        _("Biggest ask: {wall}").format(wall=_wall(a.biggest_ask, report, view)),
        _("Walls over {n}× median: {bids} bid, {asks} ask").format(
            n=view.price(WALL_MULTIPLE), bids=len(a.bid_walls), asks=len(a.ask_walls)
        ),
        _("Depth near mid: {bands}").format(
            bands=" · ".join(_imbalance(i, view) for i in a.imbalance)
        ),
    ]
    if not all(i.covered for i in a.imbalance):
        lines.append(
            _("* the book we got ({n} levels a side) does not reach that far").format(
                n=a.levels_per_side
            )
        )
    lines.append("")
    lines.append(data_footer(view, report.book))
    return "\n".join(lines)


def orderbook_caption(report: OrderBookReport, view: View) -> str:
    """Used when the full answer is too long for a photo caption; the text follows."""
    return _("{pair} depth · {source}").format(
        pair=b(esc(report.book.instrument.display)), source=esc(report.book.source)
    )


def depth_labels(report: OrderBookReport, view: View) -> DepthLabels:
    quote = report.book.instrument.quote
    return DepthLabels(
        frame=ChartFrame(
            title=_("{pair} depth · {source}").format(
                pair=report.book.instrument.display, source=report.book.source
            ),
            context=chart_context(view, report.book),
            locale=view.locale,
        ),
        x_axis=_("price ({quote})").format(quote=quote),
        y_axis=_("cumulative notional ({quote})").format(quote=quote),
        bids=_("bids"),
        asks=_("asks"),
        mid=_("mid {price}").format(price=view.price(report.analysis.mid)),
    )
