"""The SOL sniper entry map: when whale buying, a liquidation cluster near price and a spot
support wall line up, where to enter, where the idea is wrong, and where to take profit.

Pure: the module analyses in, one map out. Long setups only: every condition is a buy-side one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from pydantic import BaseModel

from services.kernel.models import EtfFlows
from services.market.heatmap.analysis import HeatmapAnalysis
from services.market.orderbook.analysis import BookAnalysis
from services.market.whale.analysis import Flow, WhaleFlow, WhaleRule
from services.signals.bias.rule import (
    Direction,
    Evidence,
    Missing,
    WhaleInput,
    etf_push,
    latest_day,
    whale_push,
)
from services.signals.confidence import Agreement
from services.signals.derivs_context import DerivContext

FRAME = "5m"
CHECKS = ("whale_buy", "etf_inflow", "liquidation_cluster", "support_wall")
REQUIRED = ("whale_buy", "liquidation_cluster", "support_wall")


class SniperLimits(BaseModel):
    wall_multiple: Decimal = Decimal(5)  # a support wall is this many times the median bid
    cluster_pct: Decimal = Decimal("0.5")  # a liquidation cluster this close to price counts
    stop_buffer_pct: Decimal = Decimal("0.3")  # invalidation sits this far under its level
    fallback_r: tuple[Decimal, Decimal] = (Decimal("1.5"), Decimal(3))  # targets without levels
    same_setup_pct: Decimal = Decimal("0.3")  # levels this close to the last map: same setup
    whale: WhaleRule = WhaleRule()


class Check(BaseModel):
    name: str  # whale_buy, etf_inflow, liquidation_cluster, support_wall
    met: bool | None  # None: could not be checked (module missing)
    stale: bool = False  # checked on an old copy of its module's data
    # What was seen, for the evidence card; which fields are set depends on the check.
    coin: str | None = None
    usd: Decimal | None = None
    price: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    multiple: Decimal | None = None
    distance_pct: Decimal | None = None
    flow: WhaleFlow | None = None  # whale_buy: the window behind it


class Target(BaseModel):
    price: Decimal
    rr: Decimal  # reward / risk from the entry
    basis: str  # "ask_wall", "cluster" or "r_multiple"


class AlertLine(BaseModel):
    name: str  # entry, invalidation, tp1, tp2, cluster
    price: Decimal


class EntryMap(BaseModel):
    symbol: str
    frame: str = FRAME
    price: Decimal
    setup: bool  # every required condition held
    entry: Decimal | None = None
    invalidation: Decimal | None = None
    targets: list[Target] = []
    lines: list[AlertLine] = []
    checks: list[Check]
    confidence: Decimal  # agreement.value
    agreement: Agreement | None = None  # None only in alerts stored before it existed
    evidence: list[Evidence]
    missing: list[Missing]
    at: datetime
    tick: Decimal | None = None  # the instrument's price tick: every price shown sits on it
    context: DerivContext | None = None  # funding and open interest beside it (no vote)

    def fingerprint(self) -> str:
        return ",".join(str(line.price) for line in self.lines if line.name != "cluster")


def same_setup(previous: str, current: str, tolerance_pct: Decimal) -> bool:
    """Two fingerprints are one setup when every level moved less than the tolerance."""
    old = [Decimal(p) for p in previous.split(",") if p]
    new = [Decimal(p) for p in current.split(",") if p]
    if not old or len(old) != len(new):
        return False
    return all(abs(n - o) / o * 100 <= tolerance_pct for o, n in zip(old, new, strict=True) if o)


def _whale_check(flow: WhaleFlow | None, coin: str | None = None) -> Check:
    """Met when the window's net whale flow is buying (a closed long is a sale, not a buy)."""
    if flow is None:
        return Check(name="whale_buy", met=None)
    coin = coin or flow.largest_buy_coin
    if flow.lean is not Flow.BUY:
        return Check(name="whale_buy", met=False, coin=coin, flow=flow)
    return Check(name="whale_buy", met=True, coin=coin, usd=flow.largest_buy, flow=flow)


def _etf_check(etf: Evidence | None, symbol: str) -> Check:
    """`coin`: whose ETFs were read (the coin's own, or Bitcoin's standing in)."""
    if etf is None:
        return Check(name="etf_inflow", met=None)
    coin = "BTC" if etf.stands_in_for else symbol
    return Check(name="etf_inflow", met=etf.amount > 0, usd=etf.amount, coin=coin)


def _cluster(heatmap: HeatmapAnalysis | None, limits: SniperLimits) -> Check:
    if heatmap is None:
        return Check(name="liquidation_cluster", met=None)
    near = heatmap.nearest
    if near is None or abs(near.distance_pct) > limits.cluster_pct:
        return Check(name="liquidation_cluster", met=False)
    return Check(
        name="liquidation_cluster",
        met=True,
        low=near.low,
        high=near.high,
        usd=near.usd,
        distance_pct=near.distance_pct,
    )


def _support(book: BookAnalysis | None, limits: SniperLimits) -> Check:
    if book is None:
        return Check(name="support_wall", met=None)
    walls = [w for w in book.bid_walls if w.multiple > limits.wall_multiple]
    if not walls:
        return Check(name="support_wall", met=False)
    nearest = max(walls, key=lambda w: w.price)  # the closest support under price
    return Check(
        name="support_wall",
        met=True,
        price=nearest.price,
        usd=nearest.notional,
        multiple=nearest.multiple,
        distance_pct=nearest.distance_pct,
    )


def _targets(
    entry: Decimal,
    risk: Decimal,
    book: BookAnalysis,
    heatmap: HeatmapAnalysis,
    limits: SniperLimits,
) -> list[Target]:
    """Resistance the price must chew through: ask walls and liquidation clusters above the
    entry, nearest first; a level under 1R is too close to be worth the trade."""
    levels = [(w.price, "ask_wall") for w in book.ask_walls if w.price > entry]
    levels += [((b.low + b.high) / 2, "cluster") for b in heatmap.above if b.low > entry]
    targets: list[Target] = []
    for price, basis in sorted(levels):
        rr = (price - entry) / risk
        if rr >= 1 and (not targets or price > targets[-1].price):
            targets.append(Target(price=price, rr=round(rr, 2), basis=basis))
        if len(targets) == 2:
            return targets
    for multiple in limits.fallback_r[len(targets) :]:
        price = entry + risk * multiple
        if targets and price <= targets[-1].price:
            price = targets[-1].price + risk
            multiple = (price - entry) / risk
        targets.append(Target(price=price, rr=round(multiple, 2), basis="r_multiple"))
    return targets


def entry_map(
    symbol: str,
    price: Decimal,
    *,
    book: BookAnalysis | None,
    heatmap: HeatmapAnalysis | None,
    whales: WhaleFlow | None,
    etf: Evidence | None,
    evidence: list[Evidence],
    missing: list[Missing],
    at: datetime,
    limits: SniperLimits | None = None,
    stale: frozenset[str] = frozenset(),
    whale_coin: str | None = None,
    tick: Decimal | None = None,
) -> EntryMap:
    """`stale` names the checks whose module answered from an old copy: they still decide the
    setup, but lower the confidence as a missing module does (one definition with /alpha)."""
    limits = limits or SniperLimits()
    checks = [
        _whale_check(whales, whale_coin),
        _etf_check(etf, symbol),
        _cluster(heatmap, limits),
        _support(book, limits),
    ]
    checks = [
        c.model_copy(update={"stale": True}) if c.name in stale and c.met is not None else c
        for c in checks
    ]
    agreeing = [c for c in checks if c.met and not c.stale]
    agreement = Agreement(
        agree=len(agreeing),
        of=len(CHECKS),
        stale=sum(1 for c in checks if c.stale),
        missing=sum(1 for c in checks if c.met is None),
        # Another coin's ETF flow standing in agrees about the market, not this coin.
        market_wide=sum(
            1 for c in agreeing if c.name == "etf_inflow" and etf is not None and etf.market_wide
        ),
    )
    result = EntryMap(
        symbol=symbol,
        price=price,
        tick=tick,
        setup=False,
        checks=checks,
        confidence=agreement.value,
        agreement=agreement,
        evidence=evidence,
        missing=missing,
        at=at,
    )
    if not all(c.met for c in checks if c.name in REQUIRED) or book is None or heatmap is None:
        return result
    wall = max(
        (w for w in book.bid_walls if w.multiple > limits.wall_multiple), key=lambda w: w.price
    )
    entry = wall.price
    floor = entry
    cluster = heatmap.nearest
    if cluster is not None and cluster.low < entry:
        floor = min(floor, cluster.low)  # stops get swept through a cluster under the entry
    # Every level is a price one can place an order at: on the instrument's tick (without
    # one, the entry's own decimals, at least cents). Stop and targets round down: a long's
    # stop a hair further, its targets a hair easier to reach.
    if tick is None:
        tick = Decimal(1).scaleb(min(entry.as_tuple().exponent, -2))  # type: ignore[arg-type]
    entry = on_tick(entry, tick)
    invalidation = on_tick(floor * (1 - limits.stop_buffer_pct / 100), tick)
    targets = [
        t.model_copy(update={"price": on_tick(t.price, tick)})
        for t in _targets(entry, entry - invalidation, book, heatmap, limits)
    ]
    lines = [
        AlertLine(name="entry", price=entry),
        AlertLine(name="invalidation", price=invalidation),
        *(AlertLine(name=f"tp{i}", price=t.price) for i, t in enumerate(targets, 1)),
    ]
    if cluster is not None:
        lines.append(
            AlertLine(name="cluster", price=on_tick((cluster.low + cluster.high) / 2, tick))
        )
    return result.model_copy(
        update={
            "setup": True,
            "entry": entry,
            "invalidation": invalidation,
            "targets": targets,
            "lines": lines,
            "tick": tick,
        }
    )


def on_tick(price: Decimal, tick: Decimal) -> Decimal:
    """`price` down to a whole number of ticks, written with the tick's decimals."""
    return ((price / tick).to_integral_value(ROUND_FLOOR) * tick).quantize(tick)


class SniperInputs(BaseModel):
    """What the map is drawn from at one moment: journaled by the job for replays."""

    symbol: str
    at: datetime
    price: Decimal
    book: BookAnalysis | None = None
    heatmap: HeatmapAnalysis | None = None
    whale: WhaleInput | None = None  # BTC's and the coin's whales together
    etf: EtfFlows | None = None
    stale: list[str] = []  # checks whose module answered from an old copy
    missing: list[Missing] = []
    tick: Decimal | None = None  # the instrument's price tick; None in older journals
    context: DerivContext | None = None  # funding and open interest; None in older journals

    def compact(self) -> SniperInputs:
        return self.model_copy(update={"etf": latest_day(self.etf)})


def _whale_evidence(inputs: SniperInputs, limits: SniperLimits) -> tuple[str, Evidence] | None:
    """Whale buying on BTC *or* the coin: each coin's window is read on its own (BTC whales
    buying is not cancelled by SOL whales selling), the coin first when both buy."""
    if inputs.whale is None:
        return None
    coins = [inputs.symbol, *sorted({e.coin for e in inputs.whale.events} - {inputs.symbol})]
    read = [
        (
            coin,
            whale_push(
                [e for e in inputs.whale.events if e.coin == coin],
                now=inputs.at,
                as_of=inputs.whale.as_of,
                source=inputs.whale.source,
                rule=limits.whale,
                stale=inputs.whale.stale_for(coin),
            ),
        )
        for coin in coins
    ]
    return next(((c, e) for c, e in read if e.push is Direction.LONG), read[0])


def evaluate(inputs: SniperInputs, limits: SniperLimits) -> EntryMap:
    evidence: list[Evidence] = []
    found = _whale_evidence(inputs, limits)
    whale = found[1] if found else None
    if whale is not None:
        evidence.append(whale)
    etf = etf_push(inputs.etf, inputs.symbol) if inputs.etf is not None else None
    if etf is not None:
        evidence.append(etf)
    return entry_map(
        inputs.symbol,
        inputs.price,
        book=inputs.book,
        heatmap=inputs.heatmap,
        whales=whale.whale if whale else None,
        whale_coin=found[0] if found else None,
        etf=etf,
        evidence=evidence,
        missing=inputs.missing,
        at=inputs.at,
        limits=limits,
        tick=inputs.tick,
        # The whale check is as stale as the coin it read, not any coin fetched with it.
        stale=frozenset(
            {*inputs.stale} - {"whale_buy"} | ({"whale_buy"} if whale and whale.stale else set())
        ),
    )
