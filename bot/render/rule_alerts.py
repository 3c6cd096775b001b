"""The alerts a chat sets: what firing says, the list (/alerts), the history, the confirmation
with its dry-run, and every mistake in one plain sentence."""

from __future__ import annotations

from decimal import Decimal

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards import ChartView, RuleAct, RuleButton
from bot.render.rule_metrics import metric_condition, metric_fire
from bot.render.text import b, clip, code, esc, i
from bot.render.view import View
from services.delivery.models import RulePush
from services.kernel.rule_model import Metric, Rule, RuleFire, RuleKind, RuleSpec, Side
from services.kernel.symbols import parse_symbol
from services.market.ticker.candles import Bar

BUTTONS_FOR = 3  # the fires of one message that get buttons of their own


def instrument_words(symbol: str) -> str:
    """SOL/USDT (spot) or SOL-USDT-SWAP (perpetual): which price an alert reads."""
    inst = parse_symbol(symbol)
    if symbol.endswith("-SWAP"):  # its display says "perp": spelt out here, once
        return _("{pair} perpetual").format(pair=esc(f"{inst.base}/{inst.quote}"))
    return esc(inst.display)


def condition_words(
    kind: RuleKind | str,
    side: Side | str,
    level: Decimal | None,
    move_pct: Decimal | None,
    window: str | None,
    view: View,
    metric: Metric | str = Metric.PRICE,
) -> str:
    if str(metric) != Metric.PRICE.value:
        return metric_condition(str(metric), str(kind), str(side), level, move_pct, window, view)
    if str(kind) == RuleKind.LEVEL.value and level is not None:
        return (_("above {price}") if str(side) == Side.ABOVE.value else _("below {price}")).format(
            price=view.price(level)
        )
    pct = view.compact(move_pct or 0)
    words = {
        Side.UP.value: _("up {pct}% within {window}"),
        Side.DOWN.value: _("down {pct}% within {window}"),
    }.get(str(side), _("up or down {pct}% within {window}"))
    return words.format(pct=pct, window=window or "1h")


def _fire_line(fire: RuleFire, view: View) -> str:
    what = instrument_words(fire.symbol)
    cond = fire_condition(fire, view)
    if fire.reminder:
        line = "⏰ " + _("Your alert {what} {condition} expires in a day.").format(
            what=b(what), condition=cond
        )
    elif fire.expired:
        line = "⌛ " + _("Your alert {what} {condition} expired without firing.").format(
            what=b(what), condition=cond
        )
    elif fire.metric != Metric.PRICE.value:
        line = metric_fire(fire, what, cond, view)
    elif fire.moved_pct is not None:
        line = "⚡ " + _("{what} moved {moved} ({condition}) · price now {price}").format(
            what=b(what),
            moved=view.pct(fire.moved_pct),
            condition=cond,
            price=b(view.price(fire.price)),
        )
    else:
        crossed = (
            _("crossed above {level}")
            if fire.direction == Side.ABOVE.value
            else _("crossed below {level}")
        )
        line = "🔔 " + _("{what} {crossed} · price now {price}").format(
            what=b(what),
            crossed=crossed.format(level=view.price(fire.level or 0)),
            price=b(view.price(fire.price)),
        )
    if fire.note:
        line += "\n" + i(esc(fire.note))
    if not (fire.reminder or fire.expired):
        again = (
            _("It watches again once the price is back.")
            if fire.metric == Metric.PRICE.value
            else _("It keeps watching, quiet until its cooldown is over.")
        )
        line += "\n" + (again if fire.repeats else _("That alert is done; ↩️ sets it again."))
    return line


def render_rule_push(push: RulePush, view: View) -> str:
    lines = []
    fired = [f for f in push.fires if not (f.reminder or f.expired)]
    if len(fired) > 1:
        lines.append(b(_("{n} of your alerts fired").format(n=len(fired))))
    lines += [_fire_line(f, view) for f in push.fires]
    lines.append(i(_("Prices from OKX · {time}").format(time=view.time(push.fires[-1].at))))
    if all(f.metric != Metric.PRICE.value for f in push.fires):
        lines[-1] = i(view.time(push.fires[-1].at))  # each line names its source
    return "\n\n".join(lines)


def rule_push_keyboard(push: RulePush) -> InlineKeyboardMarkup | None:
    """Per fire (the first few): its chart, and re-arm or snooze, and delete."""
    builder = InlineKeyboardBuilder()
    rows: list[int] = []
    for fire in push.fires[:BUTTONS_FOR]:
        coin = parse_symbol(fire.symbol).base
        count = 0
        if not fire.reminder:
            builder.button(
                text=_("📈 {coin}").format(coin=coin),
                callback_data=ChartView(symbol=fire.symbol, bar=Bar.H1),
            )
            count += 1
        if fire.repeats and not fire.ended:
            builder.button(
                text=_("😴 1 h"), callback_data=RuleButton(act=RuleAct.SNOOZE, rule=fire.rule_id)
            )
            count += 1
        elif fire.ended:
            builder.button(
                text=_("↩️ Again"), callback_data=RuleButton(act=RuleAct.REARM, rule=fire.rule_id)
            )
            count += 1
        if not fire.ended:
            builder.button(
                text=_("🗑 Delete"), callback_data=RuleButton(act=RuleAct.DELETE, rule=fire.rule_id)
            )
            count += 1
        rows.append(count)
    if not rows:
        return None
    builder.adjust(*rows)
    return builder.as_markup()


def fire_condition(fire: RuleFire, view: View) -> str:
    return condition_words(
        fire.kind, fire.direction, fire.level, fire.move_pct, fire.window, view, fire.metric
    )


def spec_condition(spec: RuleSpec, view: View) -> str:
    return condition_words(
        spec.kind, spec.side, spec.level, spec.move_pct, spec.window, view, spec.metric
    )


def rule_words(rule: Rule, view: View) -> str:
    spec = rule.spec
    text = f"{b(instrument_words(spec.symbol))} " + spec_condition(spec, view)
    if spec.repeat_seconds:
        text += " · " + _("every {period}").format(period=period_words(spec.repeat_seconds))
    if spec.urgent:
        text += " · ⚡ " + _("urgent: comes during quiet hours, silently")
    if rule.note:
        text += " · " + i(esc(clip(rule.note)))
    return text


def period_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        return _("{n} d").format(n=seconds // 86400)
    if seconds % 3600 == 0:
        return _("{n} h").format(n=seconds // 3600)
    return _("{n} min").format(n=seconds // 60)


def example() -> str:
    return code("/alert SOL above 190")
