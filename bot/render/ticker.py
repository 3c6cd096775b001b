"""/ticker answer."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.derivatives import funding_now_line
from bot.render.errors import reason_text
from bot.render.footer import data_footer, footer
from bot.render.text import b, clip, code, esc
from bot.render.view import View
from services.kernel.models import Ticker
from services.market.perp import Missing, PerpContext
from services.market.rupiah import InRupiah
from services.market.ticker.board import Quote

NA = "–"


def _perp_lines(perp: PerpContext, view: View) -> list[str]:
    """A perpetual's mark, funding and open interest, one line each; one that could not be had
    says why on its line."""

    def missing(what: str, gone: Missing) -> str:
        return _("{what}: unavailable ({reason})").format(
            what=what, reason=reason_text(gone.reason, gone.by)
        )

    mark, funding, oi = perp.mark, perp.funding, perp.open_interest
    lines = [
        missing(_("Mark price"), mark)
        if isinstance(mark, Missing)
        else _("Mark price: {price}").format(price=view.price(mark)),
        missing(_("Funding"), funding)
        if isinstance(funding, Missing)
        else funding_now_line(view, funding.now),
    ]
    if isinstance(oi, Missing):
        lines.append(missing(_("Open interest"), oi))
    else:
        day = next((c for c in oi.changes if c.window == "24h"), None)
        line = _("Open interest {coins} {coin} ({usd})").format(
            coins=b(view.compact(oi.coins)),
            coin=esc(oi.instrument.base),
            usd="$" + view.compact(oi.usd),
        )
        if day is not None:
            line += " · " + _("24h {change}").format(change=view.pct(day.oi_pct))
        lines.append(line)
    return lines


def render_ticker(
    t: Ticker, view: View, perp: PerpContext | None = None, idr: InRupiah | None = None
) -> str:
    change = t.change_24h_pct
    arrow = "" if change is None else ("🟢 " if change >= 0 else "🔴 ")
    lines = [
        f"{b(esc(t.instrument.display))}  {b(view.price(t.last))}",
        _("24h change: {change}").format(
            change=arrow + (view.pct(change) if change is not None else NA)
        ),
        _("24h high / low: {high} / {low}").format(
            high=view.price(t.high_24h) if t.high_24h is not None else NA,
            low=view.price(t.low_24h) if t.low_24h is not None else NA,
        ),
    ]
    if t.volume_base is not None:
        volume = f"{view.compact(t.volume_base)} {esc(t.instrument.base)}"
        if t.volume_quote is not None:
            volume += f" ≈ {view.compact(t.volume_quote)} {esc(t.instrument.quote)}"
        lines.append(_("24h volume: {volume}").format(volume=volume))
    if t.bid is not None and t.ask is not None:
        lines.append(
            _("Bid / ask: {bid} / {ask}").format(bid=view.price(t.bid), ask=view.price(t.ask))
        )
    if perp is not None:
        lines += _perp_lines(perp, view)
    if idr is not None:
        lines.append(rupiah_words(idr, t.instrument.quote, view))
    lines.append("")
    lines.append(data_footer(view, t))
    return "\n".join(lines)


def rupiah_words(idr: InRupiah, quote: str, view: View) -> str:
    """ "≈ Rp 2,321,000 · Indodax SOL/IDR": a rupiah price always says where it came from."""
    q = idr.quote
    if q is None:
        return _("Rupiah price unavailable right now (Indodax)")
    price = "Rp " + view.price(q.idr.quantize(Decimal(1)))
    if q.market:
        where = _("{source} {coin}/IDR").format(source=esc(q.source), coin=esc(q.coin))
    else:
        where = _("{quote} price × Indodax USDT/IDR {rate}").format(
            quote=esc(quote), rate=view.price(q.rate or 0)
        )
    stale = " ⚠️ " + _("last good copy") if q.stale else ""
    return f"≈ {b(price)} · {where}{stale}"


def render_board(quotes: list[Quote], view: View, left_out: list[str] | None = None) -> str:
    """One line per coin (price and 24h change), then one footer per source; coins past the
    most one answer holds are named, never dropped silently."""
    lines: list[str] = []
    for quote in quotes:
        t = quote.ticker
        if t is None:
            why = (
                _("unknown symbol")
                if quote.unknown is not None
                else _("price unavailable right now")
            )
            lines.append(f"{code(esc(clip(quote.text)))}: {why}")
            continue
        change = t.change_24h_pct
        moved = NA if change is None else ("🟢 " if change >= 0 else "🔴 ") + view.pct(change)
        lines.append(f"{b(esc(t.instrument.display))}  {b(view.price(t.last))}  {moved}")
    if left_out:
        lines.append(
            _("Left out ({n} coins at most in one answer): {coins}. Ask for them again.").format(
                n=len(quotes), coins=", ".join(code(esc(clip(text))) for text in left_out)
            )
        )
    answered = [q.ticker for q in quotes if q.ticker is not None]
    sources = sorted({t.source for t in answered})
    if answered:
        lines.append("")
    for source in sources:
        same = [t for t in answered if t.source == source]
        oldest = min(same, key=lambda t: t.as_of)
        stale = next((t for t in same if t.stale), None)
        lines.append(
            footer(
                view,
                source,
                oldest.as_of,
                stale=stale is not None,
                fallback_reason=next((t.fallback_reason for t in same if t.fallback_reason), None),
                stale_reason=stale.stale_reason if stale else None,
                stale_by=stale.stale_by if stale else None,
            )
        )
    return "\n".join(lines)
