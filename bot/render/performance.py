"""/performance and /replay: the bot's own track record, every ratio with its sample size, its
95 % interval and the naive baseline beside it. Below MIN_CALLS no ratio is shown at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.render.footer import footer
from bot.render.text import b, esc, i
from bot.render.view import View
from services.signals.calls import Kind
from services.signals.grading import FINAL, SniperStatus
from services.signals.track_record import (
    MIN_CALLS,
    ROLLING,
    SOURCE,
    UNGRADED,
    HorizonRecord,
    Point,
    Ratio,
    Replay,
    ReplayLine,
    TargetCheck,
    TrackRecord,
)

MAX_REPLAY_LINES = 30
CONFIDENCE = 0.95  # the level of Ratio.interval (Wilson)
OUTCOME_ORDER = ("tp2", "breakeven", "stopped", "expired", "no_fill")
_DETAIL_COMMANDS = " · ".join(f"/performance {k}" for k in (Kind.BIAS, Kind.SNIPER, Kind.WHALE))


def kind_name(kind: str) -> str:
    names = {
        Kind.BIAS: _("Institutional bias"),
        Kind.SNIPER: _("Sniper entries"),
        Kind.WHALE: _("Whale flow"),
    }
    return names.get(kind, esc(kind))


def _kind_word(kind: str) -> str:
    words = {Kind.BIAS: _("bias"), Kind.SNIPER: _("sniper"), Kind.WHALE: _("whale")}
    return words.get(kind, esc(kind))


def _baseline_name(kind: str) -> str:
    if kind == Kind.SNIPER:
        return _("buying at market when pushed")
    return _("always long at the same times")


def _horizon(horizon: str) -> str:
    # Sniper calls are graded once, by how the trade ended, not after a fixed time.
    return _("trades") if horizon == "outcome" else esc(horizon)


def _count(n: int, view: View) -> str:
    return str(format_decimal(n, format="#,##0", locale=view.locale))


def _r(value: Decimal | float, view: View) -> str:
    """+1.25R / -1R, with the locale's decimal mark."""
    pattern = "+#,##0.##;-#,##0.##" if value else "0"  # a signed zero reads as a result
    text = str(format_decimal(value, format=pattern, locale=view.locale))
    return f"{text}R"


def source_name(source: str) -> str:
    return _("OKX 1m candles") if source == SOURCE else esc(source)


def period_text(days: int | None) -> str:
    return _("all time") if days is None else _("last {n} days").format(n=days)


def _not_enough(ratio: Ratio) -> str:
    return _("not enough calls yet (n={n})").format(n=ratio.n)


def _baseline(kind: str, ratio: Ratio, view: View) -> str:
    if not ratio.enough:
        value = _not_enough(ratio)
    else:
        value = _("{share} (n={n})").format(share=view.share(ratio.ratio or 0), n=ratio.n)
    return _("{baseline}: {value}").format(baseline=_baseline_name(kind), value=value)


def horizon_line(kind: str, horizon: HorizonRecord, view: View) -> str:
    """One horizon: the ratio with n, its interval and the baseline; with too few calls only
    n, and no baseline either (there is nothing to compare it with yet)."""
    label = b(_horizon(horizon.horizon))
    calls = horizon.calls
    if not calls.enough:
        return f"{label}: {_not_enough(calls)}"
    share = view.share(calls.ratio or 0)
    result = (
        _("{share} hit").format(share=share)
        if kind == Kind.SNIPER
        else _("{share} right").format(share=share)
    )
    low, high = calls.interval
    own = _("{result} (n={n}, {level} interval {low}–{high})").format(
        result=result,
        n=calls.n,
        level=view.share(CONFIDENCE),
        low=view.share(low),
        high=view.share(high),
    )
    return f"{label}: {own} · {_baseline(kind, horizon.baseline, view)}"


def _average(kind: str, horizon: HorizonRecord, view: View) -> str | None:
    # An average over fewer than MIN_CALLS calls is as much noise as a ratio would be.
    if not horizon.calls.enough:
        return None
    if kind == Kind.SNIPER and horizon.avg_r is not None:
        return _("average R: {r}").format(r=_r(horizon.avg_r, view))
    if kind != Kind.SNIPER and horizon.avg_move_pct is not None:
        return _("average move in the call's direction: {pct}").format(
            pct=view.pct(horizon.avg_move_pct)
        )
    return None


def target_line(target: TargetCheck, view: View) -> str:
    threshold = view.share(target.threshold)
    if target.met is None:
        state = _("not enough calls yet")
    else:
        state = _("met") if target.met else _("not met")
    line = _("Target > {threshold}: {state}").format(threshold=threshold, state=state)
    if target.proven:
        line += " " + _("(proven: the whole interval is above {threshold})").format(
            threshold=threshold
        )
    return esc(line)  # plain words and numbers; Telegram wants the ">" as an entity


def outcomes_line(outcomes: dict[str, int], view: View) -> str:
    names = {
        "tp2": "TP2",
        "breakeven": _("break-even"),
        "stopped": _("stopped"),
        "expired": _("expired"),
        "no_fill": _("no fill"),
    }
    # Every outcome, zeros included, then any the grader adds later.
    keys = [*OUTCOME_ORDER, *sorted(k for k in outcomes if k not in OUTCOME_ORDER)]
    parts = [f"{names.get(k, esc(k))}: {_count(outcomes.get(k, 0), view)}" for k in keys]
    return _("Outcomes: {outcomes}").format(outcomes=" · ".join(parts))


def calls_line(record: TrackRecord, view: View) -> str:
    return _("Calls: {made} made · {pushed} pushed · {pending} still being graded").format(
        made=_count(record.made, view),
        pushed=_count(record.pushed, view),
        pending=_count(record.pending, view),
    )


def _scope(record: TrackRecord) -> str:
    scope = _("Period: {period}").format(period=period_text(record.days))
    if record.symbol:
        scope += " · " + _("symbol: {symbol}").format(symbol=b(esc(record.symbol)))
    return scope


def _main(record: TrackRecord) -> HorizonRecord | None:
    return next((h for h in record.horizons if h.horizon == record.main), None)


def render_performance(record: TrackRecord, view: View) -> str:
    """One kind in full: every horizon, and what that kind is judged by."""
    lines = [
        b(_("{kind} · track record").format(kind=kind_name(record.kind))),
        _scope(record),
        calls_line(record, view),
        "",
    ]
    for horizon in record.horizons:
        lines.append(horizon_line(record.kind, horizon, view))
        average = _average(record.kind, horizon, view)
        if average:
            lines.append("    " + average)
    lines.append("")
    if record.kind == Kind.SNIPER:
        lines.append(outcomes_line(record.outcomes, view))
        lines.append(_("hit = TP1 before the stop"))
    else:
        lines.append(_("right = price moved the call's way by the end of the horizon"))
    if record.target is not None:
        lines.append(b(target_line(record.target, view)))
    lines += ["", footer(view, source_name(record.source), record.as_of)]
    return "\n".join(lines)


def performance_caption(record: TrackRecord, view: View) -> str:
    """The photo's caption when the full text is too long for one: title and main horizon."""
    lines = [b(_("{kind} · track record").format(kind=kind_name(record.kind))), _scope(record)]
    main = _main(record)
    if main is not None:
        lines.append(horizon_line(record.kind, main, view))
    if record.target is not None:
        lines.append(target_line(record.target, view))
    return "\n".join(lines)


def render_overview(records: Sequence[TrackRecord], view: View) -> str:
    """Every kind in one short block, at its main horizon only."""
    first = records[0] if records else None
    title = _("Track record · {period}").format(period=period_text(first.days if first else None))
    if first is not None and first.symbol:
        title += f" · {esc(first.symbol)}"
    lines = [b(title)]
    for record in records:
        main = _main(record)
        lines.append("")
        head = b(kind_name(record.kind))
        lines.append(f"{head} · {horizon_line(record.kind, main, view)}" if main else head)
        if record.target is not None:
            lines.append(target_line(record.target, view))
        lines.append(calls_line(record, view))
    lines += ["", _("Details and a chart: {commands}").format(commands=_DETAIL_COMMANDS)]
    if first is not None:
        lines.append(footer(view, source_name(first.source), first.as_of))
    return "\n".join(lines)


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, translated here, on the event loop, where the chat's locale is set."""

    title: str
    context: str  # what the grades were measured against, and when
    series: str
    y_axis: str
    x_axis: str
    baseline: str | None  # None: no baseline line (sniper, or too few baseline calls)
    target: str | None


def chart_title(record: TrackRecord) -> str:
    """Plain text: matplotlib shows it as it is."""
    parts = [kind_name(record.kind), period_text(record.days)]
    if record.symbol:
        parts.append(record.symbol)
    return " · ".join(parts)


def chart_labels(record: TrackRecord, view: View) -> ChartLabels:
    zone = view.now.astimezone(view.tz).tzname() or str(view.tz)
    x_axis = _("time ({zone})").format(zone=zone)
    title = chart_title(record)
    context = _("Graded against OKX prices · as of {time}").format(time=view.time(view.now))
    if record.kind == Kind.SNIPER:
        main = _main(record)
        return ChartLabels(
            title=title,
            context=context,
            series=_("cumulative R of the finished trades (n={n})").format(
                n=main.calls.n if main else 0
            ),
            y_axis=_("cumulative R"),
            x_axis=x_axis,
            baseline=None,
            target=None,
        )
    baseline = None
    main = _main(record)
    if main is not None and main.baseline.enough:
        baseline = _baseline(record.kind, main.baseline, view)
    target = None
    if record.target is not None:
        target = _("target > {threshold}").format(threshold=view.share(record.target.threshold))
    return ChartLabels(
        title=title,
        context=context,
        series=_("hit ratio at {horizon}, over the last {k} calls").format(
            horizon=record.main, k=ROLLING
        ),
        y_axis=_("hit ratio"),
        x_axis=x_axis,
        baseline=baseline,
        target=target,
    )


def _sniper_outcome(line: ReplayLine, view: View) -> str:
    words: dict[str, str] = {
        SniperStatus.WAITING: _("waiting for entry"),
        SniperStatus.ENTERED: _("entered"),
        SniperStatus.TP1: _("TP1 hit"),
        SniperStatus.TP2: _("TP2 hit"),
        SniperStatus.STOPPED: _("stopped"),
        SniperStatus.BREAKEVEN: _("break-even"),
        SniperStatus.EXPIRED: _("expired"),
    }
    text = words.get(line.status, esc(line.status))
    # R only once the trade is over: an open trade's R would change under the reader.
    if line.status in FINAL and line.value is not None:
        text += f", {_r(line.value, view)}"
    return text


def _direction(direction: str) -> str:
    words = {"LONG": _("LONG"), "SHORT": _("SHORT")}
    return words.get(direction.upper(), esc(direction))


def replay_outcome(line: ReplayLine, view: View) -> str:
    if line.status == UNGRADED:
        return _("could not be graded (no candles for it)")
    if line.kind == Kind.SNIPER:
        return _sniper_outcome(line, view)
    if line.status == "pending":
        return _("pending")
    move = view.pct(line.value) if line.value is not None else ""
    if line.status == "hit":
        text = _("right {move} after {horizon}")
    elif line.status == "miss":
        text = _("wrong {move} after {horizon}")
    else:
        return esc(line.status)
    return " ".join(text.format(move=move, horizon=esc(line.horizon)).split())


def replay_line(line: ReplayLine, view: View) -> str:
    at = view.time(line.made_at)
    if line.price is not None:
        at = _("{time} at {price}").format(time=at, price=view.price(line.price))
    if line.kind == Kind.WHALE:  # an input the calls read, not a call: never "pushed"
        return _("{time} · {symbol} whale {direction} · {outcome}").format(
            time=at,
            symbol=b(esc(line.symbol)),
            direction=_("buying") if line.direction.upper() == "LONG" else _("selling"),
            outcome=replay_outcome(line, view),
        )
    return _("{time} · {kind} · {symbol} {direction} · {pushed} · {outcome}").format(
        time=at,
        kind=_kind_word(line.kind),
        symbol=b(esc(line.symbol)),
        direction=_direction(line.direction),
        pushed=_("pushed") if line.pushed else _("not pushed"),
        outcome=replay_outcome(line, view),
    )


def replay_period(hours: int) -> str:
    if hours > 24 and hours % 24 == 0:
        return _("{n} days").format(n=hours // 24)
    return _("{n} hours").format(n=hours)


def render_replay(replay: Replay, view: View) -> str:
    hours = round((replay.until - replay.since).total_seconds() / 3600)
    period = replay_period(hours)
    if not replay.lines:
        return _("No calls in the last {period}.").format(period=period)
    newest = sorted(replay.lines, key=lambda line: line.made_at, reverse=True)
    calls = [line for line in newest if line.kind != Kind.WHALE]
    whales = [line for line in newest if line.kind == Kind.WHALE]
    lines = [b(_("Calls in the last {period}: {n}").format(period=period, n=len(calls)))]
    lines += _section(calls, view) if calls else [_("none")]
    if whales:
        lines += [
            "",
            b(
                _("Whale events read in the last {period}: {n}").format(
                    period=period, n=len(whales)
                )
            ),
            i(_("Inputs the calls read, graded by the move in the whale's direction.")),
            *_section(whales, view),
        ]
    lines += ["", footer(view, source_name(replay.source), replay.until)]
    return "\n".join(lines)


def _section(newest: list[ReplayLine], view: View) -> list[str]:
    shown = newest[:MAX_REPLAY_LINES]
    lines = [replay_line(line, view) for line in shown]
    if len(newest) > len(shown):
        lines.append(_("…and {n} more").format(n=len(newest) - len(shown)))
    return lines


def plotted(record: TrackRecord) -> list[Point]:
    """The points worth drawing. A hit ratio over fewer than MIN_CALLS calls is noise (the text
    shows no percentage there either), so the rolling ratio starts at the MIN_CALLS-th call."""
    if record.kind == Kind.SNIPER:
        return list(record.series)
    return list(record.series[MIN_CALLS - 1 :])
