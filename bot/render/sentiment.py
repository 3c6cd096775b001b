"""/sentiment and /etf answers."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.footer import data_footer
from bot.render.text import b, esc
from bot.render.view import View
from services.kernel.models import EtfFlows, Sentiment

MAX_DAYS = 5


def sentiment_label(label: str) -> str:
    """alternative.me's five words in the reader's language (another vendor's as sent)."""
    words = {
        "extreme fear": _("Extreme Fear"),
        "fear": _("Fear"),
        "neutral": _("Neutral"),
        "greed": _("Greed"),
        "extreme greed": _("Extreme Greed"),
    }
    return words.get(label.strip().lower(), label)


def render_sentiment(s: Sentiment, view: View) -> str:
    label = f" — {esc(sentiment_label(s.label))}" if s.label else ""
    lines = [b(esc(_("Fear & Greed: {score}/100").format(score=s.score))) + label]
    if s.previous is not None:
        lines.append(_("Day before: {score}").format(score=s.previous))
    lines += ["", data_footer(view, s)]
    return "\n".join(lines)


def _usd(view: View, amount: Decimal) -> str:
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return f"{sign}${view.compact(abs(amount))}"


def render_etf(flows: EtfFlows, view: View) -> str:
    if not flows.days:
        return _("No {asset} spot-ETF flow has been reported yet.").format(asset=esc(flows.asset))
    latest = flows.days[-1]
    lines = [
        b(_("{asset} spot-ETF net flow").format(asset=esc(flows.asset))),
        _("{day}: {flow}").format(
            day=view.day(latest.day), flow=b(_usd(view, latest.net_flow_usd))
        ),
    ]
    if latest.reported < latest.total:
        lines.append(
            _("{reported} of {total} ETFs have reported for that day.").format(
                reported=latest.reported, total=latest.total
            )
        )
    lines += ["", _("Previous days:")]
    for day in reversed(flows.days[-1 - MAX_DAYS : -1]):
        lines.append(f"{view.day(day.day)}: {_usd(view, day.net_flow_usd)}")
    lines += ["", data_footer(view, flows)]
    return "\n".join(lines)
