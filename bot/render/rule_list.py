"""What a chat reads about the alerts it sets: the confirmation with its dry-run, the list
(/alerts), the history, and every mistake in one plain sentence. The message an alert sends
when it fires is bot/render/rule_alerts.py."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards import RuleAct, RuleButton
from bot.render.rule_alerts import (
    fire_condition,
    instrument_words,
    period_words,
    rule_words,
    spec_condition,
)
from bot.render.rule_errors import EXAMPLES
from bot.render.rule_metrics import fired_at, metric_when, reading_now
from bot.render.text import b, clip, code, esc, i
from bot.render.view import View
from services.kernel.rule_model import Metric, Rule, RuleKind, Side, Status
from services.signals.rules.dryrun import DryRun
from services.signals.rules.review import Overview, PastFire
from services.signals.rules.service import Created

LIST_BUTTONS = 12  # the alerts of a list that get buttons (the nearest to firing)


def render_created(created: Created, view: View) -> str:
    rule = created.rule
    now = _("price now {price}").format(price=view.price(created.price))
    if rule.spec.metric is not Metric.PRICE:
        now = reading_now(rule.spec.metric, created.price, rule.spec.symbol, view)
    if created.flipped_from is not None:
        level = view.price(rule.spec.level or 0)
        what = b(instrument_words(rule.spec.symbol))
        already = (
            _("{what} is already above {level} ({now}).")
            if created.flipped_from is Side.ABOVE
            else _("{what} is already below {level} ({now}).")
        )
        ask = (
            _("An alert fires when the price crosses: alert when it falls back below {level}?")
            if rule.spec.side is Side.BELOW
            else _(
                "An alert fires when the price crosses: alert when it climbs back above {level}?"
            )
        )
        return already.format(what=what, level=level, now=now) + "\n" + ask.format(level=level)
    lines = ["✅ " + _("Alert set: {rule}").format(rule=rule_words(rule, view)) + f" ({now})"]
    lines.append(i(_when_words(rule, view)))
    return "\n".join(lines)


def _when_words(rule: Rule, view: View) -> str:
    spec = rule.spec
    until = _("until {date}").format(date=view.time(rule.expires_at))
    if spec.metric is not Metric.PRICE:
        how = metric_when(spec.metric, spec.kind, spec.window)
    elif spec.kind is RuleKind.MOVE:
        how = _("Measured from the price {window} before, on {what}.").format(
            window=spec.window or "1h", what=_source_words(spec.symbol)
        )
    else:
        how = _("Fires when {what} crosses it.").format(what=_source_words(spec.symbol))
    again = (
        _("Fires again after {period} if it crosses again.").format(
            period=period_words(spec.repeat_seconds)
        )
        if spec.repeat_seconds
        else _("Fires once.")
    )
    return f"{how} {again} {until.capitalize()}."


def _source_words(symbol: str) -> str:
    if symbol.endswith("-SWAP"):
        return _("the perpetual's price on OKX")
    return _("the spot price on OKX")


def created_keyboard(created: Created) -> InlineKeyboardMarkup | None:
    """A draft: take it the other way round, or drop it."""
    if created.flipped_from is None:
        return None
    rule = created.rule
    level = rule.spec.level or 0
    builder = InlineKeyboardBuilder()
    label = _("🔔 Below {level}") if rule.spec.side is Side.BELOW else _("🔔 Above {level}")
    builder.button(
        text=label.format(level=level),
        callback_data=RuleButton(act=RuleAct.FLIP, rule=rule.id),
    )
    builder.button(
        text=_("✖️ No"), callback_data=RuleButton(act=RuleAct.DELETE, rule=rule.id, src="c")
    )
    return builder.as_markup()


def render_dry_run(dry: DryRun, view: View) -> str:
    if dry.days <= 0:
        if dry.metric is not Metric.PRICE:
            return i(_("No past readings for it yet: no dry-run."))
        return i(_("OKX has no past prices for it yet: no dry-run."))
    days = view.compact(dry.days)
    if dry.fires == 0:
        return "🧪 " + _("Over the last {days} days it would not have fired.").format(days=days)
    text = (
        _(
            "Over the last {days} days this would have fired {n} times "
            "({night} at night, your time)."
        )
        if dry.repeats
        else _once_words(dry)
    ).format(days=days, n=dry.fires, night=dry.night)
    if dry.median_after is not None:
        text += " " + _("4 h after firing, the median move was {pct}.").format(
            pct=view.pct(dry.median_after)
        )
    if dry.quieter is not None:
        text += " " + _("About once a day: {threshold}.").format(threshold=b(_threshold(dry, view)))
    return "🧪 " + text


def _once_words(dry: DryRun) -> str:
    if dry.metric is Metric.FUNDING:
        return _(
            "Over the last {days} days funding set this off {n} times "
            "({night} at night, your time); it fires once, then is done."
        )
    if dry.metric is Metric.OI:
        return _(
            "Over the last {days} days open interest set this off {n} times "
            "({night} at night, your time); it fires once, then is done."
        )
    return _(
        "Over the last {days} days the price set this off {n} times "
        "({night} at night, your time); it fires once, then is done."
    )


def _threshold(dry: DryRun, view: View) -> str:
    assert dry.quieter is not None
    return view.price(dry.quieter) if dry.quieter >= 1 or not dry.repeats else f"{dry.quieter}"


def dry_run_keyboard(created: Created, dry: DryRun | None) -> InlineKeyboardMarkup | None:
    """The quieter threshold, as one tap."""
    if dry is None or dry.quieter is None:
        return None
    rule = created.rule
    value = dry.quieter
    shown = f"{value}%" if rule.spec.kind is RuleKind.MOVE else str(value)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔕 Quieter: {threshold}").format(threshold=shown),
        callback_data=RuleButton(act=RuleAct.QUIET, rule=rule.id, value=str(value)),
    )
    return builder.as_markup()


def render_dry_counting() -> str:
    return "⏳ " + i(_("Counting how often it would have fired over the last 30 days…"))


def render_dry_failed(rule: Rule) -> str:
    if rule.spec.metric is not Metric.PRICE:
        return i(_("Its past readings could not be read just now: no dry-run this time."))
    return i(_("OKX's past prices could not be read just now: no dry-run this time."))


def render_overview(overview: Overview, view: View) -> str:
    header = b(
        _("🔔 Alerts of this chat ({n}/{limit})").format(n=overview.count, limit=overview.limit)
    )
    if not overview.groups:
        return (
            header + "\n" + _("None yet. Set one: {example}").format(example=code(esc(EXAMPLES[0])))
        )
    lines = [header]
    number = 0
    for group in overview.groups:
        price = view.price(group.price) if group.price is not None else _("price unavailable")
        lines.append("")
        lines.append(f"{b(instrument_words(group.symbol))} · {price}")
        for listed in group.alerts:
            number += 1
            rule = listed.rule
            spec = rule.spec
            line = f"{number}. " + spec_condition(spec, view)
            if listed.distance is not None:
                line += " (" + _("{pct} away").format(pct=view.pct(listed.distance)) + ")"
            if spec.repeat_seconds:
                line += " · " + _("every {period}").format(period=period_words(spec.repeat_seconds))
            if rule.status is Status.PAUSED:
                line += " · ⏸ " + (
                    _("snoozed until {time}").format(time=view.time(rule.paused_until))
                    if rule.paused_until
                    else _("paused")
                )
            if rule.note:
                line += " · " + i(esc(clip(rule.note)))
            lines.append(line)
    if overview.count > LIST_BUTTONS:
        lines.append("")
        lines.append(i(_("Buttons for the {n} nearest.").format(n=LIST_BUTTONS)))
    return "\n".join(lines)


def overview_keyboard(overview: Overview) -> InlineKeyboardMarkup | None:
    """Per alert (the nearest few): pause or resume, edit, delete; numbered as in the list."""
    builder = InlineKeyboardBuilder()
    rows = 0
    number = 0
    for group in overview.groups:
        for listed in group.alerts:
            number += 1
            if number > LIST_BUTTONS:
                break
            rule = listed.rule
            if rule.status is Status.PAUSED:
                act, label = RuleAct.RESUME, _("{n}. ▶️ Resume")
            else:
                act, label = RuleAct.PAUSE, _("{n}. ⏸ Pause")
            builder.button(
                text=label.format(n=number),
                callback_data=RuleButton(act=act, rule=rule.id, src="l"),
            )
            builder.button(
                text=_("{n}. ✏️ Edit").format(n=number),
                callback_data=RuleButton(act=RuleAct.EDIT, rule=rule.id, src="l"),
            )
            builder.button(
                text=_("{n}. 🗑 Delete").format(n=number),
                callback_data=RuleButton(act=RuleAct.DELETE, rule=rule.id, src="l"),
            )
            rows += 1
    if not rows:
        return None
    builder.adjust(3)
    return builder.as_markup()


def render_history(past: list[PastFire], view: View) -> str:
    header = b(_("🔔 Last alerts fired here"))
    if not past:
        return header + "\n" + _("None has fired yet.")
    lines = [header, i(_("Price change 1 h · 4 h · 24 h after"))]
    for item in past:
        fire = item.fire
        what = b(instrument_words(fire.symbol)) + " " + fire_condition(fire, view)
        lines.append("")
        lines.append(f"{view.time(fire.at)} · {what}")
        if fire.metric != Metric.PRICE.value:  # no price to follow: what it fired at
            lines.append(fired_at(fire, view))
            continue
        moves = [item.after[h] for h in sorted(item.after)]
        after = " · ".join(view.pct(m) if m is not None else "…" for m in moves)
        lines.append(_("at {price} → {after}").format(price=view.price(fire.price), after=after))
    lines.append("")
    lines.append(i(_("Prices from OKX; “…” not yet known.")))
    return "\n".join(lines)


def render_edit_prompt(rule: Rule, view: View) -> str:
    spec = rule.spec
    if spec.kind is RuleKind.FLIP:
        return "✏️ " + _(
            "Editing: {rule}\nReply to this message with a whole new alert ({alert})."
        ).format(rule=rule_words(rule, view), alert=code("SOL funding > 0.05%"))
    if spec.kind is RuleKind.MOVE:
        example = code("4%")
    elif spec.metric is Metric.FUNDING:
        example = code(f"{spec.level or 0}%")
    else:
        example = code(view.price(spec.level or 0))
    return "✏️ " + _(
        "Editing: {rule}\nReply to this message with the new {what} ({example}) or a whole "
        "alert ({alert})."
    ).format(
        rule=rule_words(rule, view),
        what=_("move") if rule.spec.kind is RuleKind.MOVE else _("level"),
        example=example,
        alert=code("SOL move 4% 1h"),
    )


def edit_keyboard(rule: Rule) -> InlineKeyboardMarkup:
    """Its one button also names the alert being edited, for the reply that follows."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✖️ Cancel"), callback_data=RuleButton(act=RuleAct.EDIT, rule=rule.id, src="x")
    )
    return builder.as_markup()


def render_rule_done(act: RuleAct) -> str:
    """The short answer to a button press."""
    words = {
        RuleAct.DELETE: _("Deleted"),
        RuleAct.PAUSE: _("Paused until you resume it"),
        RuleAct.RESUME: _("Watching again"),
        RuleAct.SNOOZE: _("Snoozed for 1 h"),
    }
    return words.get(act, _("Done"))


def render_lines_set(made: list[Created], view: View) -> str:
    """The map's lines as alerts: which were set, or that they already were."""
    if not made:
        return _("These lines are already alerts here. /alerts lists them.")
    parts = []
    for created in made:
        spec = created.rule.spec
        parts.append(esc(created.rule.note) + " " + spec_condition(spec, view))
    return (
        "🔔 "
        + _("Alerts set on {what}: {lines}.").format(
            what=b(instrument_words(made[0].rule.spec.symbol)), lines=", ".join(parts)
        )
        + "\n"
        + i(_("Each fires once, at its crossing, within a day. /alerts lists them."))
    )
