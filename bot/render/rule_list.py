"""What a chat reads about the alerts it sets: the confirmation with its dry-run, the list
(/alerts), the history, and every mistake in one plain sentence. The message an alert sends
when it fires is bot/render/rule_alerts.py."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards import RuleAct, RuleButton
from bot.render.rule_alerts import condition_words, instrument_words, period_words, rule_words
from bot.render.text import b, clip, code, esc, i
from bot.render.view import View
from services.kernel.rule_model import Rule, RuleKind, Side, Status
from services.signals.rules.dryrun import DryRun
from services.signals.rules.parse import NOTE_MAX, Problem, RuleError
from services.signals.rules.review import Overview, PastFire
from services.signals.rules.service import Created

LIST_BUTTONS = 12  # the alerts of a list that get buttons (the nearest to firing)
EXAMPLES = (
    "/alert SOL above 190",
    "/alert btc < 95k every 1h",
    "/alert ETH move 3% 15m",
)


def render_created(created: Created, view: View) -> str:
    rule = created.rule
    now = _("price now {price}").format(price=view.price(created.price))
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
    if spec.kind is RuleKind.MOVE:
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
        else _(
            "Over the last {days} days the price set this off {n} times "
            "({night} at night, your time); it fires once, then is done."
        )
    ).format(days=days, n=dry.fires, night=dry.night)
    if dry.median_after is not None:
        text += " " + _("4 h after firing, the median move was {pct}.").format(
            pct=view.pct(dry.median_after)
        )
    if dry.quieter is not None:
        text += " " + _("About once a day: {threshold}.").format(threshold=b(_threshold(dry, view)))
    return "🧪 " + text


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


def render_dry_failed() -> str:
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
            line = f"{number}. " + condition_words(
                spec.kind, spec.side, spec.level, spec.move_pct, spec.window, view
            )
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
        what = (
            b(instrument_words(fire.symbol))
            + " "
            + condition_words(
                fire.kind, fire.direction, fire.level, fire.move_pct, fire.window, view
            )
        )
        moves = [item.after[h] for h in sorted(item.after)]
        after = " · ".join(view.pct(m) if m is not None else "…" for m in moves)
        lines.append("")
        lines.append(f"{view.time(fire.at)} · {what}")
        lines.append(_("at {price} → {after}").format(price=view.price(fire.price), after=after))
    lines.append("")
    lines.append(i(_("Prices from OKX; “…” not yet known.")))
    return "\n".join(lines)


def render_edit_prompt(rule: Rule, view: View) -> str:
    if rule.spec.kind is RuleKind.MOVE:
        example = code("4%")
    else:
        example = code(view.price(rule.spec.level or 0))
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


def render_rule_error(error: RuleError, view: View) -> str:
    """One plain sentence for each mistake, with an example where one helps."""
    facts, value = error.facts, esc(clip(error.value))
    problem = error.problem
    if problem is Problem.NO_SYMBOL:
        return _("Which coin, and when? For example: {examples}").format(
            examples=", ".join(code(esc(e)) for e in EXAMPLES)
        )
    if problem is Problem.NO_PRICE:
        return _("At what price? For example: {example}").format(
            example=code(f"/alert {value} above 190")
        )
    if problem is Problem.BAD_PRICE:
        return _("“{value}” is not a price. Write it like 190, 95k or 0.00012.").format(value=value)
    if problem is Problem.NOT_POSITIVE:
        return _("A price level must be above zero.")
    if problem is Problem.ABSURD:
        return _(
            "{value} is too far from the price now ({price}): a level must be within 100× of it."
        ).format(value=value, price=view.price(_decimal(facts.get("price"))))
    if problem is Problem.AT_PRICE:
        return _("The price is {value} right now: set a level above or below it.").format(
            value=value
        )
    if problem is Problem.MOVE_TOO_BIG:
        return _("A move alert watches moves of up to 100%.")
    if problem is Problem.NO_MOVE:
        return _("How big a move? For example: {example}").format(
            example=code("/alert SOL move 3% 15m")
        )
    if problem is Problem.BAD_WINDOW:
        allowed = facts.get("allowed")
        return _("A move is measured over {windows}. For example: {example}").format(
            windows=", ".join(str(w) for w in allowed) if isinstance(allowed, list) else "",
            example=code("/alert SOL move 3% 15m"),
        )
    if problem is Problem.BAD_DURATION:
        return _(
            "“{value}” is not a time I can use here: from {low} to {high}, like 30m, 4h or 7d."
        ).format(value=value, low=facts.get("low", "5m"), high=facts.get("high", "7d"))
    if problem is Problem.NOTE_TOO_LONG:
        return _("A note can be up to {n} characters.").format(n=NOTE_MAX)
    if problem is Problem.FULL:
        return _("This chat has {limit} alerts, its limit. Delete one in /alerts first.").format(
            limit=facts.get("limit", value)
        )
    return _("That alert is gone (deleted, or it has ended).")


def _decimal(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def render_not_rule_admin() -> str:
    return _("Only this group's admins can set and change its alerts; /alerts shows them.")


def render_lines_set(made: list[Created], view: View) -> str:
    """The map's lines as alerts: which were set, or that they already were."""
    if not made:
        return _("These lines are already alerts here. /alerts lists them.")
    parts = []
    for created in made:
        spec = created.rule.spec
        parts.append(
            esc(created.rule.note)
            + " "
            + condition_words(spec.kind, spec.side, spec.level, spec.move_pct, spec.window, view)
        )
    return (
        "🔔 "
        + _("Alerts set on {what}: {lines}.").format(
            what=b(instrument_words(made[0].rule.spec.symbol)), lines=", ".join(parts)
        )
        + "\n"
        + i(_("Each fires once, at its crossing, within a day. /alerts lists them."))
    )
