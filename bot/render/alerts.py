"""Pushed alerts: the bias changes of one run, the sniper's entry map, a job's health notice."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.render.alpha import (
    confidence_text,
    evidence_text,
    input_name,
    missing_text,
    whale_flow_text,
)
from bot.render.derivatives import context_line
from bot.render.errors import job_name
from bot.render.text import b, esc, i
from bot.render.view import View
from services.delivery.models import HealthNotice
from services.signals.sniper.rule import Check, EntryMap, Target

MARKS = {True: "✅", False: "❌", None: "➖"}


def _check(c: Check, coin: str, view: View) -> str:
    if c.name == "whale_buy":
        name = _("Net whale buying (BTC or {coin})").format(coin=esc(coin))
        seen = whale_flow_text(c.flow, view) if c.flow is not None else ""
        if c.coin and seen:
            seen = f"{esc(c.coin)}: {seen}"
    elif c.name == "etf_inflow":
        name = (
            _("{coin} spot-ETF inflow (optional)").format(coin=esc(c.coin))
            if c.coin
            else _("Spot-ETF inflow (optional)")
        )
        seen = (
            ("+" if c.usd > 0 else "−") + "$" + view.compact(abs(c.usd))
            if c.usd is not None
            else ""
        )
    elif c.name == "liquidation_cluster":
        name = _("Liquidation cluster within 0.5%")
        seen = (
            _("{low}–{high}, ${usd} ({distance})").format(
                low=view.price(c.low),
                high=view.price(c.high),
                usd=view.compact(c.usd),
                distance=view.pct(c.distance_pct),
            )
            if c.met
            and c.low is not None
            and c.high is not None
            and c.usd is not None
            and c.distance_pct is not None
            else _("none near price")
        )
    else:
        name = _("Spot support wall over 5x median")
        seen = (
            _("{multiple} at {price} ({distance})").format(
                multiple=view.times(c.multiple),
                price=view.price(c.price),
                distance=view.pct(c.distance_pct),
            )
            if c.met
            and c.multiple is not None
            and c.price is not None
            and c.distance_pct is not None
            else _("none under price")
        )
    if c.met is None:
        seen = _("not checked (module missing)")
    elif c.stale:
        seen += " · " + _("stale")
    return f"{MARKS[c.met]} {name}: {seen}"


def _line_name(name: str) -> str:
    names = {"entry": _("entry"), "invalidation": _("stop"), "cluster": _("cluster")}
    return names.get(name) or name.upper()  # tp1 -> TP1


def _distances(level: Decimal, entry: Decimal, price: Decimal, view: View) -> str:
    """ "−0.48% from entry, −0.73% from price": the level against both numbers shown."""
    return _("{from_entry} from entry, {from_price} from price").format(
        from_entry=view.pct((level - entry) / entry * 100),
        from_price=view.pct((level - price) / price * 100),
    )


def _target(n: int, t: Target, m: EntryMap, view: View) -> str:
    basis = {
        "ask_wall": _("ask wall"),
        "cluster": _("liquidation cluster"),
        "r_multiple": _("R multiple"),
    }[t.basis]
    assert m.entry is not None
    return _("TP{n}: {price} ({distances}) · R/R {rr} · {basis}").format(
        n=n,
        price=b(view.price(t.price)),
        distances=_distances(t.price, m.entry, m.price, view),
        rr=view.compact(t.rr),
        basis=basis,
    )


# The evidence each condition line already shows: its source and time go on that line, not on
# a second line repeating it.
SHOWN_BY = {"whale_buy": "whale", "etf_inflow": "etf"}


def render_entry_map(m: EntryMap, view: View) -> str:
    view = view.on_tick(m.tick) if m.tick is not None else view
    if m.setup:
        title = _("{coin} sniper · {frame} long setup").format(coin=esc(m.symbol), frame=m.frame)
    else:
        title = _("{coin} sniper · {frame}: no setup now").format(coin=esc(m.symbol), frame=m.frame)
    lines = [
        "🎯 " + b(title) + " · " + confidence_text(m.agreement, m.confidence, view),
        _("Price {price}").format(price=view.price(m.price)),
    ]
    if m.setup and m.entry is not None and m.invalidation is not None:
        lines += [
            "",
            _("Entry: {price} ({distance} from price)").format(
                price=b(view.price(m.entry)),
                distance=view.pct((m.entry - m.price) / m.price * 100),
            ),
            _("Invalidation: {price} ({distances})").format(
                price=b(view.price(m.invalidation)),
                distances=_distances(m.invalidation, m.entry, m.price, view),
            ),
            *(_target(n, t, m, view) for n, t in enumerate(m.targets, 1)),
            _("Alert lines: {prices}").format(
                prices=" · ".join(
                    f"{_line_name(line.name)} {view.price(line.price)}" for line in m.lines
                )
            ),
        ]
    evidence = {e.name: e for e in m.evidence}
    lines += ["", b(_("Conditions"))]
    for c in m.checks:
        line = _check(c, m.symbol, view)
        shown = evidence.pop(SHOWN_BY.get(c.name, ""), None)
        if shown is not None and c.met is not None:
            line += " " + i(
                _("({source}, {time})").format(
                    source=esc(shown.source), time=view.time(shown.as_of)
                )
            )
        lines.append(line)
    for e in evidence.values():
        lines.append(
            i(
                _("{name}: {seen} ({source}, {time})").format(
                    name=input_name(e.name),
                    seen=evidence_text(e, view),
                    source=esc(e.source),
                    time=view.time(e.as_of),
                )
            )
        )
    lines.append(context_line(m.context, view))
    if m.missing:
        lines += ["", _("Missing: {modules}").format(modules=missing_text(m.missing))]
    lines += ["", i(_("A map, not advice: the setup is void below the invalidation."))]
    return "\n".join(lines)


def render_store(notice: HealthNotice) -> str:
    if notice.store == "redis":
        if notice.healthy:
            return "✅ " + _("Redis answers again: cache and rate limits are shared through it.")
        return "⚠️ " + _(
            "Redis is not answering: this bot keeps its cache and rate limits in its own "
            "memory until it does. Commands and alerts go on."
        )
    if notice.healthy:
        return "✅ " + _(
            "The database answers again: alerts held back meanwhile are being sent, and "
            "settings can be saved again."
        )
    return "⚠️ " + _("The database is not answering: settings cannot be saved until it does.")


def render_health(notice: HealthNotice) -> str:
    if notice.store is not None:
        return render_store(notice)
    job = job_name(notice.job)
    if notice.healthy:
        return "✅ " + _("{job} recovered: its data answers again.").format(job=b(job))
    failing = missing_text(notice.failing)
    return "⚠️ " + _(
        "{job} is unhealthy: every main module failed ({modules}). It backs off and retries; "
        "you will get one message when it recovers."
    ).format(job=b(job), modules=failing)
