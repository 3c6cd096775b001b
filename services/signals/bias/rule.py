"""The institutional-bias rule: whale flow + spot-ETF flow + sentiment -> LONG / SHORT / NEUTRAL.

Pure: the module models in, one call with its evidence card out. A missing input lowers the
confidence; it never makes the answer an error.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.errors import Reason
from services.kernel.models import EtfFlows, Sentiment
from services.market.whale.analysis import Flow, WhaleEvent, WhaleFlow, WhaleRule, whale_flow
from services.signals.confidence import Agreement
from services.signals.derivs_context import Crowding, DerivContext

INPUTS = ("whale", "etf", "sentiment")


class Direction(StrEnum):
    LONG = "LONG"
    SHORT = "SHORT"
    NEUTRAL = "NEUTRAL"


class Evidence(BaseModel):
    name: str  # whale, etf, sentiment
    value: str  # what was seen, in neutral words: whale buy/sell/mixed/none, etf net
    amount: Decimal  # the number behind it (whale: net flow in USD)
    source: str
    as_of: datetime
    push: Direction  # LONG, SHORT, or NEUTRAL when it pushes neither way
    stale: bool = False  # served from an old copy: shown, but never counted as agreeing
    stands_in_for: str | None = None  # "DOGE" when BTC's ETF flow is used for DOGE
    whale: WhaleFlow | None = None  # the whale window behind a whale input

    @property
    def market_wide(self) -> bool:
        """The same for every coin: sentiment (one index for the market), and another
        coin's ETF flow standing in where the coin has no spot ETF of its own."""
        return self.name == "sentiment" or self.stands_in_for is not None


class Missing(BaseModel):
    name: str
    reason: Reason
    by: str | None = None  # the source the reason is about, when one is known


class BiasCall(BaseModel):
    symbol: str
    direction: Direction
    confidence: Decimal  # 0..1: agreement.value
    agreement: Agreement | None = None  # None only in alerts stored before it existed
    previous: Direction | None = None  # a pushed flip: the call it reverses
    at: datetime
    # OKX's price when the call was made (None in calls stored before it was kept, or when no
    # price could be had): what the call is graded from.
    price: Decimal | None = None
    evidence: list[Evidence]
    missing: list[Missing]
    # Funding and open interest beside the call (not a vote unless Thresholds.derivs_vote).
    context: DerivContext | None = None


class Thresholds(BaseModel):
    long_sentiment: int = 60
    short_sentiment: int = 40
    whale: WhaleRule = WhaleRule()
    derivs_vote: bool = False  # crowding votes against the crowd (for the backtest to measure)


def whale_push(
    events: list[WhaleEvent],
    *,
    now: datetime,
    as_of: datetime,
    source: str,
    rule: WhaleRule,
    stale: bool = False,
) -> Evidence:
    """Only the window counts, and by its net flow: buys must outweigh sells by the rule's
    share to push LONG (sells the mirror); an even window pushes neither way."""
    flow = whale_flow(events, now, rule)
    if flow.lean is Flow.BUY:
        value, push = "buy", Direction.LONG
    elif flow.lean is Flow.SELL:
        value, push = "sell", Direction.SHORT
    else:
        value, push = ("mixed" if flow.buys or flow.sells else "none"), Direction.NEUTRAL
    return Evidence(
        name="whale",
        value=value,
        amount=flow.net_usd,
        source=source,
        as_of=as_of,
        push=push,
        stale=stale,
        whale=flow,
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
        stale=flows.stale,
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
        stale=sentiment.stale,
    )


def decide(
    symbol: str,
    evidence: list[Evidence],
    missing: list[Missing],
    at: datetime,
    price: Decimal | None = None,
) -> BiasCall:
    """LONG when at least two inputs are present and every one pushes long; SHORT is the
    mirror; anything else is NEUTRAL. A stale input still takes part in the direction (it is
    the best copy there is) but does not count as agreeing, so it lowers the confidence as a
    missing one does."""
    direction = Direction.NEUTRAL
    if len(evidence) >= 2:
        for side in (Direction.LONG, Direction.SHORT):
            if all(e.push is side for e in evidence):
                direction = side
    agreeing = [e for e in evidence if e.push is direction and not e.stale]
    # An input beyond the three (the derivatives' crowding, when it votes) counts in the total.
    total = len(INPUTS) + sum(1 for e in evidence if e.name not in INPUTS)
    agreement = Agreement(
        agree=len(agreeing),
        of=total,
        stale=sum(1 for e in evidence if e.stale),
        missing=total - len(evidence),
        market_wide=sum(1 for e in agreeing if e.market_wide),
    )
    return BiasCall(
        symbol=symbol,
        direction=direction,
        confidence=agreement.value,
        agreement=agreement,
        at=at,
        price=price,
        evidence=evidence,
        missing=missing,
    )


def latest_day(etf: EtfFlows | None) -> EtfFlows | None:
    """For the journal: the rules read only the latest ETF day, so only it is kept."""
    if etf is None or len(etf.days) <= 1:
        return etf
    return etf.model_copy(update={"days": etf.days[-1:]})


class WhaleInput(BaseModel):
    events: list[WhaleEvent]
    as_of: datetime
    source: str
    stale: bool = False
    stale_coins: list[str] = []  # when several coins' reports: which of them were stale

    def stale_for(self, coin: str) -> bool:
        return coin in self.stale_coins if self.stale_coins else self.stale


class BiasInputs(BaseModel):
    """Everything the rule reads for one symbol at one moment: journaled by the job, so the
    rule can be replayed later with other thresholds."""

    symbol: str
    at: datetime
    price: Decimal | None = None  # OKX's last price then: what the call is graded from
    whale: WhaleInput | None = None
    etf: EtfFlows | None = None
    sentiment: Sentiment | None = None
    missing: list[Missing] = []
    context: DerivContext | None = None  # journaled from 2026-12: older entries have none

    def compact(self) -> BiasInputs:
        return self.model_copy(update={"etf": latest_day(self.etf)})


def evaluate(inputs: BiasInputs, limits: Thresholds) -> BiasCall:
    evidence: list[Evidence] = []
    missing = list(inputs.missing)
    if inputs.whale is not None:
        evidence.append(
            whale_push(
                inputs.whale.events,
                now=inputs.at,
                as_of=inputs.whale.as_of,
                source=inputs.whale.source,
                rule=limits.whale,
                stale=inputs.whale.stale,
            )
        )
    etf = etf_push(inputs.etf, inputs.symbol) if inputs.etf is not None else None
    if etf is not None:
        evidence.append(etf)
    elif inputs.etf is not None:  # answered, but with no day to read
        missing.append(Missing(name="etf", reason=Reason.ERROR))
    if inputs.sentiment is not None:
        evidence.append(sentiment_push(inputs.sentiment, limits))
    if limits.derivs_vote and inputs.context is not None:
        evidence.append(crowding_push(inputs.context, inputs.at))
    call = decide(inputs.symbol, evidence, missing, inputs.at, inputs.price)
    return call.model_copy(update={"context": inputs.context})


def crowding_push(context: DerivContext, at: datetime) -> Evidence:
    """Crowded longs push SHORT, crowded shorts LONG, no crowding neither way."""
    push = {Crowding.LONGS: Direction.SHORT, Crowding.SHORTS: Direction.LONG}.get(
        context.crowding, Direction.NEUTRAL
    )
    return Evidence(
        name="derivs",
        value=f"crowded {context.crowding.value}",
        amount=context.funding_yearly or Decimal(0),
        source=context.source,
        as_of=at,
        push=push,
    )
