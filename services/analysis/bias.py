"""The institutional-bias rule: whale flow + spot-ETF flow + sentiment -> LONG / SHORT / NEUTRAL.

Pure: the module models in, one call with its evidence card out. A missing input lowers the
confidence; it never makes the answer an error.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.analysis.whale import WhaleEvent, WhaleSide
from services.errors import Reason
from services.models import EtfFlows, Sentiment

INPUTS = ("whale", "etf", "sentiment")


class Direction(StrEnum):
    LONG = "LONG"
    SHORT = "SHORT"
    NEUTRAL = "NEUTRAL"


class Evidence(BaseModel):
    name: str  # whale, etf, sentiment
    value: str  # what was seen, in neutral words ("buy 1053834 USD", "net +122000000 USD")
    amount: Decimal  # the number behind it
    source: str
    as_of: datetime
    push: Direction  # LONG, SHORT, or NEUTRAL when it pushes neither way
    either_way: bool = False  # whale buys and sells both seen: satisfies LONG and SHORT alike
    stands_in_for: str | None = None  # "SOL" when BTC's ETF flow is used for SOL


class Missing(BaseModel):
    name: str
    reason: Reason


class BiasCall(BaseModel):
    symbol: str
    direction: Direction
    confidence: Decimal  # 0..1: the share of the three inputs that agree with the direction
    at: datetime
    evidence: list[Evidence]
    missing: list[Missing]


class Thresholds(BaseModel):
    long_sentiment: int = 60
    short_sentiment: int = 40


def whale_push(events: list[WhaleEvent], at: datetime, source: str) -> Evidence:
    """The rule asks whether a whale buy (for LONG) or sell (for SHORT) was seen at all."""
    buys = sum((e.usd for e in events if e.side in (WhaleSide.BUY, WhaleSide.LONG)), Decimal(0))
    sells = sum((e.usd for e in events if e.side in (WhaleSide.SELL, WhaleSide.SHORT)), Decimal(0))
    if buys and sells:
        return Evidence(
            name="whale",
            value="both",
            amount=buys - sells,
            source=source,
            as_of=at,
            push=Direction.NEUTRAL,
            either_way=True,
        )
    if buys:
        return Evidence(
            name="whale", value="buy", amount=buys, source=source, as_of=at, push=Direction.LONG
        )
    if sells:
        return Evidence(
            name="whale", value="sell", amount=sells, source=source, as_of=at, push=Direction.SHORT
        )
    return Evidence(
        name="whale",
        value="none",
        amount=Decimal(0),
        source=source,
        as_of=at,
        push=Direction.NEUTRAL,
    )


def etf_push(flows: EtfFlows, symbol: str) -> Evidence | None:
    if not flows.days:
        return None
    latest = flows.days[-1]
    net = latest.net_flow_usd
    push = Direction.LONG if net > 0 else Direction.SHORT if net < 0 else Direction.NEUTRAL
    return Evidence(
        name="etf",
        value="net",
        amount=net,
        source=flows.source,
        as_of=latest.day,
        push=push,
        stands_in_for=symbol if symbol != flows.asset else None,
    )


def sentiment_push(sentiment: Sentiment, limits: Thresholds) -> Evidence:
    score = sentiment.score
    push = (
        Direction.LONG
        if score >= limits.long_sentiment
        else Direction.SHORT
        if score <= limits.short_sentiment
        else Direction.NEUTRAL
    )
    return Evidence(
        name="sentiment",
        value=sentiment.label or "",
        amount=Decimal(score),
        source=sentiment.source,
        as_of=sentiment.as_of,
        push=push,
    )


def decide(symbol: str, evidence: list[Evidence], missing: list[Missing], at: datetime) -> BiasCall:
    """LONG when every input present pushes long and at least two are present (all three for
    full confidence); SHORT is the mirror; anything else is NEUTRAL."""
    direction = Direction.NEUTRAL
    if len(evidence) >= 2:
        for side in (Direction.LONG, Direction.SHORT):
            if all(e.push is side or e.either_way for e in evidence) and any(
                e.push is side for e in evidence
            ):
                direction = side
    # LONG/SHORT: the share of the three inputs that agree (all present ones do). NEUTRAL: the
    # share that was seen. Either way a missing module lowers it.
    confidence = Decimal(len(evidence)) / len(INPUTS)
    return BiasCall(
        symbol=symbol,
        direction=direction,
        confidence=round(confidence, 2),
        at=at,
        evidence=evidence,
        missing=missing,
    )
