"""What a chat reads about its alerts: the list, nearest to firing first, what the price did
after each past firing, and how often a new one would have fired (the dry-run)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from loguru import logger

from services.kernel.errors import UpstreamError
from services.kernel.rule_model import Metric, Rule, RuleFire, RuleKind, RuleSpec, Side
from services.kernel.symbols import parse_symbol
from services.market.ticker.candles import Bar, CandleBar, PriceCharts
from services.market.ticker.service import lasts
from services.signals.rules.dryrun import DAYS, PAGES, DryRun, bar_for, dry_run, value_bars
from services.signals.rules.readings import funding_points
from services.signals.rules.service import RuleService

HISTORY_SHOWN = 10
AFTER = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))
# 5-minute bars for the hour after a firing, as far as `candles` reaches in 5 calls (5 days);
# hourly bars beyond, the dry-run's own (so one read serves both).
_FINE = (Bar.M5, 5, 5)
_COARSE = (Bar.H1, DAYS, PAGES)


@dataclass(frozen=True)
class Listed:
    rule: Rule
    distance: Decimal | None  # how far (%) the price must go to reach a level; None: a move


@dataclass(frozen=True)
class Group:
    symbol: str
    price: Decimal | None  # None when the price could not be had
    alerts: list[Listed]


@dataclass(frozen=True)
class Overview:
    groups: list[Group]  # the instrument nearest to firing first
    count: int
    limit: int


@dataclass(frozen=True)
class PastFire:
    fire: RuleFire
    after: dict[timedelta, Decimal | None]  # the move 1 h, 4 h, 24 h later; None: not yet


class RuleReview:
    def __init__(self, rules: RuleService, charts: PriceCharts) -> None:
        self._rules = rules
        self._charts = charts

    async def overview(self, chat_id: int, group: bool) -> Overview:
        rules = await self._rules.store.live(chat_id)
        symbols = {r.spec.symbol for r in rules}
        try:
            prices = await lasts(self._rules.tickers, symbols) if symbols else {}
        except UpstreamError as exc:  # the list without distances beats no list
            logger.info("alerts list without prices: {}", exc)
            prices = {}
        by_symbol: dict[str, list[Listed]] = {}
        for rule in rules:
            distance = _distance(rule.spec, prices.get(rule.spec.symbol))
            by_symbol.setdefault(rule.spec.symbol, []).append(Listed(rule, distance))
        groups = [
            Group(symbol, prices.get(symbol), sorted(listed, key=_nearest))
            for symbol, listed in by_symbol.items()
        ]
        groups.sort(key=lambda g: (_nearest(g.alerts[0]), g.symbol))
        return Overview(groups=groups, count=len(rules), limit=self._rules.limit(group))

    async def history(self, chat_id: int) -> list[PastFire]:
        """The last firings, newest first, each with what the price did after it."""
        rows = await self._rules.store.history(chat_id, HISTORY_SHOWN)
        fires = [RuleFire.model_validate_json(detail) for _at, detail in rows]
        fires = [f for f in fires if not (f.reminder or f.expired)]
        bars: dict[str, list[tuple[Bar, list[CandleBar]]]] = {}
        for symbol in {f.symbol for f in fires if f.metric == Metric.PRICE.value}:
            bars[symbol] = [await self._bars(symbol, *span) for span in (_FINE, _COARSE)]
        now = datetime.now(UTC)
        return [
            PastFire(fire, {h: _after(fire, h, bars.get(fire.symbol, []), now) for h in AFTER})
            for fire in fires
        ]

    async def _bars(
        self, symbol: str, bar: Bar, days: int, pages: int
    ) -> tuple[Bar, list[CandleBar]]:
        try:
            report = await self._charts.span(parse_symbol(symbol), bar, days, pages)
        except UpstreamError as exc:  # the history without "after" beats no history
            logger.info("alert history of {} without prices after: {}", symbol, exc)
            return bar, []
        return bar, report.candles

    async def dry_run(self, rule: Rule, tz: ZoneInfo, price: Decimal) -> DryRun:
        """How often it would have fired over the last DAYS (as far as the bars reach). Raises
        the price module's unavailable error when OKX serves no bars (funding's or open
        interest's module error for an alert on them)."""
        spec = rule.spec
        if spec.metric is Metric.FUNDING:
            inst = parse_symbol(spec.symbol)
            rate = await self._rules.funding.rate(inst)
            paid = await self._rules.funding.paid_over(inst, timedelta(days=DAYS))
            points = funding_points(paid, rate.interval_hours)
            seconds = int(rate.interval_hours * 3600)
            return dry_run(spec, value_bars(points), seconds, tz, price)
        if spec.metric is Metric.OI:
            hours = await self._rules.oi.hours(parse_symbol(spec.symbol))
            points = [(p.at, p.coins) for p in hours]
            return dry_run(spec, value_bars(points), 3600, tz, price)
        bar = bar_for(rule.spec)
        report = await self._charts.span(parse_symbol(rule.spec.symbol), bar, DAYS, PAGES)
        return dry_run(rule.spec, report.candles, bar.seconds, tz, price)


def _distance(spec: RuleSpec, price: Decimal | None) -> Decimal | None:
    if spec.kind is not RuleKind.LEVEL or spec.metric is not Metric.PRICE:
        return None  # a move, or what is not the price: no distance from the price
    if spec.level is None or not price:
        return None
    away = (spec.level - price) / price * 100
    return away if spec.side is Side.ABOVE else -away


def _nearest(listed: Listed) -> tuple[int, Decimal]:
    """Levels by how far the price must still go (one already past comes first), then moves."""
    if listed.distance is None:
        return (1, listed.rule.spec.move_pct or Decimal(0))
    return (0, listed.distance)


def _after(
    fire: RuleFire, later: timedelta, spans: list[tuple[Bar, list[CandleBar]]], now: datetime
) -> Decimal | None:
    """The move from the firing's price to the price `later`: the close of the bar that ends
    nearest after that moment, from the finest bars that reach it."""
    moment = fire.at + later
    if moment > now or not fire.price:
        return None
    for bar, candles in spans:
        length = timedelta(seconds=bar.seconds)
        if not candles or candles[0].ts > fire.at or moment - length > candles[-1].ts:
            continue
        ends = [c.ts + length for c in candles]
        at = min(bisect.bisect_left(ends, moment), len(candles) - 1)
        return (candles[at].close - fire.price) / fire.price * 100
    return None
