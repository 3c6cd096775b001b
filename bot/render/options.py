"""/options answer: put/call open interest and skew by expiry."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.render.footer import data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.options.service import NoOptionsError, OptionsReport

MAX_EXPIRIES = 6


def _ratio(view: View, value: Decimal | None) -> str:
    return view.price(round(value, 2)) if value is not None else "–"


def render_options(report: OptionsReport, view: View) -> str:
    s = report.summary
    lines = [
        b(_("{coin} options open interest (OKX)").format(coin=esc(report.coin))),
        _("Put/call OI ratio: {ratio} · spot {spot}").format(
            ratio=b(_ratio(view, s.put_call_ratio)), spot=view.price(s.spot)
        ),
        "",
        _("By expiry: puts/calls · OTM puts/OTM calls (skew)"),
    ]
    for e in s.expiries[:MAX_EXPIRIES]:
        day = format_date(e.expiry, "d MMM yy", locale=view.locale)
        lines.append(
            _("{day}: {pc} · skew {skew} ({puts} / {calls} {coin})").format(
                day=day,
                pc=_ratio(view, e.put_call_ratio),
                skew=_ratio(view, e.skew),
                puts=view.compact(e.put_oi),
                calls=view.compact(e.call_oi),
                coin=esc(report.coin),
            )
        )
    lines += [
        "",
        _("Above 1: more puts than calls (hedging or bearish lean)."),
        "",
        data_footer(view, report),
    ]
    return "\n".join(lines)


OPTION_COINS = ("BTC", "ETH")  # what OKX has always listed options on


def render_no_options(error: NoOptionsError) -> str:
    text = _("OKX lists no options on {coin}.").format(coin=esc(error.coin))
    if error.coin not in OPTION_COINS:
        text += " " + _("Try /options BTC or /options ETH.")
    return text
