"""/funding, /oi and /deriv: a perpetual's funding, open interest, who holds it and who took
the other side, each figure with what it means for a trader reading it at a glance."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.charts.labels import ChartFrame, DerivLabels
from bot.render.errors import reason_text
from bot.render.footer import chart_context, data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.market.funding.service import FundingRate, FundingReport, FundingScreen
from services.market.oi.reading import Positioning
from services.market.oi.service import OiReport, Part
from services.signals.derivs_context import Crowding, DerivContext
from services.vendors.coinglass import SOURCE as COINGLASS
from services.vendors.okx import SOURCE as OKX

SPARKS = "▁▂▃▄▅▆▇█"


def reading_words(reading: Positioning) -> str:
    return {
        Positioning.NEW_LONGS: _("new longs (price up, open interest up)"),
        Positioning.NEW_SHORTS: _("new shorts (price down, open interest up)"),
        Positioning.SHORTS_COVERING: _("shorts covering (price up, open interest down)"),
        Positioning.LONGS_CLOSING: _("longs closing (price down, open interest down)"),
        Positioning.UNCLEAR: _("no clear reading (one of them barely moved)"),
    }[reading]


def part_words(part: Part) -> str:
    return {
        Part.HISTORY: _("open interest history"),
        Part.LONG_SHORT: _("long/short accounts"),
        Part.TOP_TRADERS: _("top traders"),
        Part.TAKER: _("taker flow"),
        Part.ACROSS: _("across exchanges"),
    }[part]


def _hours(view: View, hours: Decimal) -> str:
    return _("{n}h").format(n=view.price(hours))


def funding_now_line(view: View, rate: FundingRate) -> str:
    """The rate as paid per its own interval, and per year; per 8 h too when the interval is
    another (so it compares with the usual 8 h contracts)."""
    line = _("Funding {rate} per {interval} · {year} a year").format(
        rate=b(view.rate(rate.rate)),
        interval=_hours(view, rate.interval_hours),
        year=view.pct(rate.annualised * 100),
    )
    if rate.interval_hours != 8:
        line += " " + _("({rate} per 8h)").format(rate=view.rate(rate.rate_8h))
    return line


def _sparkline(rates: list[Decimal]) -> str:
    low, high = min(rates), max(rates)
    if high == low:
        return SPARKS[len(SPARKS) // 2] * len(rates)
    steps = len(SPARKS) - 1
    return "".join(SPARKS[int((r - low) / (high - low) * steps)] for r in rates)


def funding_lines(report: FundingReport, view: View) -> list[str]:
    now = report.now
    lines = [
        funding_now_line(view, now),
        _("Next settlement: {time}").format(time=view.time(now.settles_at)),
    ]
    if report.paid_missing is not None:
        lines.append(
            _("Paid over 7 days: missing ({reason})").format(
                reason=reason_text(report.paid_missing, report.source)
            )
        )
    elif report.paid and report.paid_annualised is not None:
        rates = [p.rate for p in report.paid]
        lines.append(
            _("Paid over 7 days: {year} a year ({n} settlements) {line}").format(
                year=view.pct(report.paid_annualised * 100), n=len(rates), line=_sparkline(rates)
            )
        )
    else:
        lines.append(_("Paid over 7 days: no settlement yet"))
    if report.across is not None:
        # CoinGlass's figure is its own percent, not OKX's fraction (VENDORS.md): said so.
        lines.append(
            _("Across exchanges, OI-weighted: {rate} ({source}'s 4h bar, its percent)").format(
                rate=view.rate(report.across.rate_pct / 100), source=esc(report.across.source)
            )
        )
    elif report.across_missing is not None:
        lines.append(
            _("Across exchanges: missing ({reason})").format(
                reason=reason_text(report.across_missing, COINGLASS)
            )
        )
    return lines


def render_funding(report: FundingReport, view: View) -> str:
    title = _("{pair} funding ({source})").format(
        pair=esc(report.now.instrument.display), source=esc(report.source)
    )
    return "\n".join(
        [
            b(title),
            *funding_lines(report, view),
            "",
            _("Positive: longs pay shorts; negative: shorts pay longs."),
            "",
            data_footer(view, report),
        ]
    )


def _screen_line(view: View, n: int, rate: FundingRate) -> str:
    return _("{n}. {pair} {year} a year ({rate} per {interval})").format(
        n=n,
        pair=esc(rate.instrument.display),
        year=b(view.pct(rate.annualised * 100)),
        rate=view.rate(rate.rate),
        interval=_hours(view, rate.interval_hours),
    )


def render_funding_screen(screen: FundingScreen, view: View) -> str:
    lines = [
        b(_("Funding extremes across {n} {source} perpetuals").format(
            n=screen.contracts, source=esc(screen.source)
        )),
        _("Yearly, so contracts paying every 1h, 4h or 8h compare."),
        "",
        _("Highest (longs pay most):"),
        *(_screen_line(view, n, r) for n, r in enumerate(screen.highest, 1)),
    ]  # fmt: skip
    if screen.lowest:
        lines += [
            "",
            _("Lowest (shorts pay most):"),
            *(_screen_line(view, n, r) for n, r in enumerate(screen.lowest, 1)),
        ]
    lines += ["", _("One coin: /funding SOL"), "", data_footer(view, screen)]
    return "\n".join(lines)


def _ratio(view: View, value: Decimal) -> str:
    return view.price(round(value, 2))


def oi_lines(report: OiReport, view: View) -> list[str]:
    coin = esc(report.instrument.base)
    lines = [
        _("Open interest {coins} {coin} ({usd})").format(
            coins=b(view.compact(report.coins)), coin=coin, usd="$" + view.compact(report.usd)
        )
    ]
    if report.changes:
        lines.append(
            _("Change: {changes}").format(
                changes=" · ".join(
                    _("{window} {oi} (price {price})").format(
                        window=c.window, oi=view.pct(c.oi_pct), price=view.pct(c.price_pct)
                    )
                    for c in report.changes
                )
            )
        )
    window = report.window.value
    if report.reading is not None:
        lines.append(
            _("Over {window}: {reading}").format(
                window=window, reading=b(reading_words(report.reading))
            )
        )
    if report.accounts_ratio is not None:
        line = _("Long/short accounts: {ratio}").format(ratio=_ratio(view, report.accounts_ratio))
        if report.accounts_ratio_then is not None:
            line += " " + _("({ratio} {window} ago)").format(
                ratio=_ratio(view, report.accounts_ratio_then), window=window
            )
        lines.append(line)
    if report.top_traders_ratio is not None:
        lines.append(
            _("Top traders' positions: {ratio} long for each short").format(
                ratio=_ratio(view, report.top_traders_ratio)
            )
        )
    if report.taker is not None:
        t = report.taker
        net = ("+" if t.net_usd >= 0 else "−") + "$" + view.compact(abs(t.net_usd))
        lines.append(
            _("Taker flow {window}: buy {buy} · sell {sell} (net {net})").format(
                window=window,
                buy="$" + view.compact(t.buy_usd),
                sell="$" + view.compact(t.sell_usd),
                net=b(net),
            )
        )
    if report.across is not None:
        across = report.across
        line = _("Across exchanges: {usd} ({source})").format(
            usd="$" + view.compact(across.usd), source=esc(across.source)
        )
        if across.change_24h_pct is not None:
            line += " · " + _("24h {change}").format(change=view.pct(across.change_24h_pct))
        lines.append(line)
    if report.stood_in:
        by_source: dict[str, list[str]] = {}
        for part, source in report.stood_in.items():
            by_source.setdefault(source, []).append(part_words(part))
        for source, parts in by_source.items():
            lines.append(
                _("From {source} (fallback): {parts}").format(
                    source=esc(source), parts=", ".join(parts)
                )
            )
    if report.missing:
        missing = ", ".join(
            f"{part_words(part)}: {reason_text(reason, COINGLASS if part is Part.ACROSS else OKX)}"
            for part, reason in report.missing.items()
        )
        lines.append(_("Missing: {parts}").format(parts=missing))
    return lines


def render_oi(report: OiReport, view: View) -> str:
    title = _("{pair} open interest ({source})").format(
        pair=esc(report.instrument.display), source=esc(report.source)
    )
    return "\n".join([b(title), *oi_lines(report, view), "", data_footer(view, report)])


def crowding_words(crowding: Crowding) -> str:
    return {
        Crowding.LONGS: _("crowded longs"),
        Crowding.SHORTS: _("crowded shorts"),
        Crowding.NONE: _("no crowding"),
    }[crowding]


def context_line(context: DerivContext | None, view: View) -> str:
    """Funding and open interest beside a call: context, not a vote (unless the operator lets
    them vote, when they are evidence too)."""
    if context is None:
        return _("Derivatives (context): unavailable")
    yearly = view.pct(context.funding_yearly * 100) if context.funding_yearly is not None else "–"
    oi = view.pct(context.oi_24h_pct) if context.oi_24h_pct is not None else "–"
    return _(
        "Derivatives (context, no vote): {crowding}: funding {yearly} a year, OI {oi} in 24h"
    ).format(crowding=b(crowding_words(context.crowding)), yearly=yearly, oi=oi)


def render_deriv(funding: FundingReport | str, oi: OiReport | str, pair: str, view: View) -> str:
    """One card of both modules; one that could not answer is its own sentence (the words any
    command uses for it), and the other still stands."""
    lines = [b(_("{pair} derivatives").format(pair=esc(pair)))]
    lines += funding_lines(funding, view) if isinstance(funding, FundingReport) else [funding]
    lines.append("")
    lines += oi_lines(oi, view) if isinstance(oi, OiReport) else [oi]
    footers = [data_footer(view, r) for r in (funding, oi) if not isinstance(r, str)]
    return "\n".join([*lines, "", *footers])


def deriv_labels(oi: OiReport, view: View) -> DerivLabels:
    title = _("{pair} price, open interest and funding").format(pair=oi.instrument.display)
    return DerivLabels(
        frame=ChartFrame(title=title, context=chart_context(view, oi), locale=view.locale),
        price=_("Price"),
        open_interest=_("Open interest ({coin})").format(coin=oi.instrument.base),
        funding=_("Funding paid at each settlement, % a year"),
    )


def render_deriv_caption(oi: OiReport, view: View) -> str:
    """The photo's caption when the card is longer than Telegram allows (the card follows)."""
    return b(_("{pair} derivatives").format(pair=esc(oi.instrument.display)))
