"""The pushes of a chat's own clock: "while you were away" (what quiet hours held, with each
coin's price now) and the daily brief."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.alpha import direction_text
from bot.render.errors import module_name
from bot.render.followups import tracking_text
from bot.render.footer import footer
from bot.render.performance import replay_line
from bot.render.rule_alerts import fire_condition, instrument_words
from bot.render.text import b, esc, i
from bot.render.view import View
from services.delivery.brief_models import Brief, BriefCoin
from services.delivery.models import (
    AwayPush,
    BiasPush,
    BriefPush,
    Held,
    OutcomePush,
    RulePush,
    SniperPush,
    WithdrawnPush,
)
from services.signals.bias.rule import Direction

MAX_HELD_LINES = 15
MAX_CALL_LINES = 8


def _since(coin: str, then: Decimal | None, push: AwayPush, view: View) -> str:
    """ "→ now 195.1 (+2.6%)": what happened since, where the price now is known."""
    now = push.prices.get(coin)
    if now is None:
        return ""
    moved = f" ({view.pct((now - then) / then * 100)})" if then else ""
    return " → " + _("now {price}").format(price=view.price(now)) + moved


def _held_lines(held: Held, push: AwayPush, view: View) -> list[str]:
    at = view.time(held.at)
    payload = held.payload
    if isinstance(payload, BiasPush):
        return [
            f"{at} · {b(esc(c.symbol))} {direction_text(c.direction)}"
            + (" " + _("at {price}").format(price=view.price(c.price)) if c.price else "")
            + _since(c.symbol, c.price, push, view)
            for c in payload.calls
        ]
    if isinstance(payload, SniperPush):
        return [
            f"{at} · {b(esc(m.symbol))} "
            + (
                _("sniper entry {entry}, invalidation {stop}").format(
                    entry=view.price(m.entry), stop=view.price(m.invalidation)
                )
                if m.entry is not None and m.invalidation is not None
                else _("sniper map, no setup")
            )
            + _since(m.symbol, m.entry or m.price, push, view)
            for m in payload.maps
        ]
    if isinstance(payload, WithdrawnPush):
        return [
            f"{at} · {b(esc(w.symbol))} "
            + _("{was} withdrawn").format(was=direction_text(Direction(w.was)))
            + _since(w.symbol, w.price, push, view)
            for w in payload.withdrawn
        ]
    if isinstance(payload, OutcomePush):
        return [
            f"{at} · {b(esc(payload.track.map.symbol))} "
            + _("sniper map ended: {status}").format(status=tracking_text(payload.track, view))
        ]
    if isinstance(payload, RulePush):
        return [
            f"{at} · "
            + _("your alert: {what}").format(
                what=f"{instrument_words(f.symbol)} {fire_condition(f, view)}"
            )
            + _since(f.symbol.split("-")[0], f.price, push, view)
            for f in payload.fires
        ]
    return []  # health notices and map edits are never held (services/delivery/gate.py)


def render_away(push: AwayPush, view: View) -> str:
    lines = [
        "🌙 "
        + b(_("While you were away: {n} pushes held by your quiet hours").format(n=len(push.held)))
    ]
    shown = [line for held in push.held for line in _held_lines(held, push, view)]
    lines += shown[:MAX_HELD_LINES]
    if len(shown) > MAX_HELD_LINES:
        lines.append(_("…and {n} more").format(n=len(shown) - MAX_HELD_LINES))
    if push.prices:
        lines += ["", footer(view, push.source, view.now)]
    return "\n".join(lines)


def _coin_line(coin: BriefCoin, view: View) -> str:
    parts = [b(esc(coin.coin))]
    if coin.price is None:
        parts.append(_("price unavailable"))
    else:
        parts.append(view.price(coin.price))
        if coin.idr is not None:
            parts.append(f"Rp {view.price(coin.idr.quantize(Decimal(1)))} ({esc(coin.idr_source)})")
        if coin.change_24h_pct is not None:
            parts.append(_("{pct} 24h").format(pct=view.pct(coin.change_24h_pct)))
    if coin.funding_8h is not None:
        parts.append(_("funding {rate}/8h").format(rate=view.rate(coin.funding_8h)))
    if coin.oi_24h_pct is not None:
        parts.append(_("OI {pct} 24h").format(pct=view.pct(coin.oi_24h_pct)))
    return " · ".join(parts)


def render_brief(push: BriefPush, view: View) -> str:
    brief: Brief = push.brief
    lines = ["☀️ " + b(_("Your brief")), ""]
    lines += [_coin_line(coin, view) for coin in brief.coins]
    if brief.etf is not None:
        lines.append(
            _("Spot BTC ETFs, {day}: net {flow}").format(
                day=view.day(brief.etf.day),
                flow=("+" if brief.etf.net_flow_usd > 0 else "")
                + "$"
                + view.compact(brief.etf.net_flow_usd),
            )
        )
    if brief.sentiment is not None:
        lines.append(
            _("Fear & Greed: {score}").format(score=brief.sentiment.score)
            + (f" ({esc(brief.sentiment.label)})" if brief.sentiment.label else "")
        )
    calls = sorted(brief.calls, key=lambda c: c.made_at, reverse=True)
    lines += ["", b(_("The bot's calls, last 24 h: {n}").format(n=len(calls)))]
    lines += [replay_line(call, view) for call in calls[:MAX_CALL_LINES]]
    if len(calls) > MAX_CALL_LINES:
        lines.append(_("…and {n} more: /replay").format(n=len(calls) - MAX_CALL_LINES))
    if brief.held or brief.muted:
        lines += [
            "",
            _("Held by quiet hours now: {held} · muted in the last 24 h: {muted}").format(
                held=brief.held, muted=brief.muted
            ),
        ]
    if brief.missing:
        lines.append(
            "⚠️ "
            + _("Missing: {modules}").format(
                modules=", ".join(module_name(m) for m in brief.missing)
            )
        )
    sources = ["OKX"] + ([brief.etf_source] if brief.etf_source else [])
    if brief.sentiment is not None:
        sources.append(brief.sentiment.source)
    lines += ["", footer(view, ", ".join(dict.fromkeys(sources)), brief.as_of)]
    lines.append(i(_("A brief a day also says the bot is alive; /settings brief off stops it.")))
    return "\n".join(lines)
