"""`python -m bot backtest [--days N] [--set NAME=VALUE ...] [--fetch]`: the bias and sniper rules
replayed over the input journal, graded on the stored OKX candles, printed side by side for
the current settings and the changed ones."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from services.container import Services, build_services
from services.kernel.models import Candle
from services.kernel.settings import Settings
from services.market.whale.analysis import WhaleRule
from services.signals.backtest import Replayed, Rules, replay
from services.signals.bias.rule import Thresholds
from services.signals.sniper.rule import SniperLimits
from services.signals.track_record import TrackRecord

FETCH_ROUNDS = 60  # x 20 h of candles a round: enough for a month and a half


def rules(settings: Settings) -> Rules:
    whale = WhaleRule(
        window_minutes=settings.whale_window_minutes,
        net_share=settings.whale_net_share,
    )
    return Rules(
        bias=Thresholds(
            long_sentiment=settings.bias_long_sentiment,
            short_sentiment=settings.bias_short_sentiment,
            whale=whale,
            derivs_vote=settings.bias_derivs_vote == "on",
        ),
        sniper=SniperLimits(
            wall_multiple=settings.sniper_wall_multiple,
            cluster_pct=settings.sniper_cluster_pct,
            stop_buffer_pct=settings.sniper_stop_buffer_pct,
            same_setup_pct=settings.sniper_same_setup_pct,
            whale=whale,
        ),
        lifetime=timedelta(minutes=settings.sniper_setup_lifetime_minutes),
    )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot backtest", description=__doc__)
    parser.add_argument("--days", type=int, default=30, help="journal days to replay (30)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting to change for the replay, e.g. BIAS_LONG_SENTIMENT=65 (repeatable)",
    )
    parser.add_argument(
        "--fetch",
        action="store_true",
        help="fetch missing 1-minute candles from OKX's free candle history first",
    )
    return parser.parse_args(argv)


def changed_settings(base: Settings, pairs: list[str]) -> Settings:
    """The settings with NAME=VALUE applied, validated as at start-up."""
    values: dict[str, Any] = {}
    fields = type(base).model_fields
    for pair in pairs:
        name, sep, value = pair.partition("=")
        key = name.strip().lower()
        if not sep or key not in fields:
            raise ValueError(f"--set {pair!r}: not NAME=VALUE with a known setting name")
        values[key] = value.strip()
    merged = base.model_dump()
    merged.update(values)
    return Settings.model_validate(merged)


def _ratio(record: TrackRecord, horizon: str) -> str:
    found = next(h for h in record.horizons if h.horizon == horizon)
    ratio = found.calls
    if not ratio.n:
        return "no calls"
    if not ratio.enough:
        return f"not enough calls (n={ratio.n})"
    low, high = ratio.interval
    text = f"{ratio.ratio:.0%} of {ratio.n} ({low:.0%}-{high:.0%})"
    if found.avg_r is not None:
        text += f", avg {found.avg_r} R"
    return text


def table(runs: list[Replayed], days: int, changes: list[str]) -> str:
    head = f"Replay of the last {days} days of the journal, graded on stored OKX 1m candles"
    lines = [head, "changed: " + (", ".join(changes) if changes else "nothing (--set NAME=VALUE)")]
    width = 34
    lines.append("rule / horizon".ljust(18) + "".join(r.label.ljust(width) for r in runs))
    for kind in ("bias", "sniper"):
        first: TrackRecord = getattr(runs[0], kind)
        made = "".join(f"{getattr(r, kind).made} calls".ljust(width) for r in runs)
        lines.append(f"{kind} calls".ljust(18) + made)
        for horizon in first.horizons:
            cells = "".join(_ratio(getattr(r, kind), horizon.horizon).ljust(width) for r in runs)
            lines.append(f"  {horizon.horizon}".ljust(18) + cells)
            base = horizon.baseline
            if base.n:
                lines.append(
                    "  baseline".ljust(18) + f"{base.hits / base.n:.0%} of {base.n}".ljust(width)
                )
    lines.append(
        "not graded (no candles yet, or still open): "
        + ", ".join(f"{r.label} {r.ungraded}" for r in runs)
    )
    return "\n".join(lines)


async def _candles(
    services: Services, symbols: set[str], since: datetime, now: datetime, fetch: bool
) -> dict[str, list[Candle]]:
    found = {}
    for symbol in sorted(symbols):
        # Each sync fetches at most MAX_SPAN of the gap; repeat until the period is covered
        # (or OKX has nothing older).
        for _ in range(FETCH_ROUNDS if fetch else 0):
            added = await services.grading_job.sync(symbol, since, now)
            held = await services.candles.bounds(symbol)
            if added == 0 or (held is not None and held[0] <= since + timedelta(minutes=2)):
                break
        found[symbol] = await services.candles.load(symbol, since, now)
    return found


async def run(argv: list[str], settings: Settings) -> int:
    args = parse(argv)
    try:
        changed = changed_settings(settings, args.set)
    except ValueError as exc:
        print(f"backtest: {exc}")
        return 2
    services = build_services(settings)
    await services.start()
    try:
        now = datetime.now(UTC)
        since = now - timedelta(days=args.days)
        entries = await services.journal.read(since)
        if not entries:
            print(
                f"No journal yet for the last {args.days} days: the bias and sniper jobs record "
                "what they read on every run; replay once they have run for a while."
            )
            return 0
        candles = await _candles(
            services, {e.symbol for e in entries} | {"BTC"}, since, now, args.fetch
        )
        runs = [
            replay("current", entries, candles, rules(settings), days=args.days, now=now),
            replay("changed", entries, candles, rules(changed), days=args.days, now=now),
        ]
        print(f"{len(entries)} journal entries from {entries[0].at:%Y-%m-%d %H:%M} UTC")
        print(table(runs, args.days, args.set))
        if args.fetch:
            print("(missing candles were fetched from OKX's free candle history for this run)")
        return 0
    finally:
        await services.aclose()


def main(argv: list[str], settings: Settings) -> int:
    return asyncio.run(run(argv, settings))
