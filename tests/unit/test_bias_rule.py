"""The institutional-bias rule, table-driven: inputs and missing modules -> direction and
confidence; plus the evidence each input gives."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.analysis.bias import (
    BiasCall,
    Direction,
    Evidence,
    Missing,
    Thresholds,
    decide,
    etf_push,
    sentiment_push,
    whale_push,
)
from services.analysis.whale import WhaleEvent, WhaleSide
from services.errors import Reason
from services.models import EtfDay, EtfFlows, Sentiment

AT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
L, S, N = Direction.LONG, Direction.SHORT, Direction.NEUTRAL


def ev(name: str, push: Direction, either_way: bool = False) -> Evidence:
    return Evidence(
        name=name,
        value="x",
        amount=Decimal(1),
        source="t",
        as_of=AT,
        push=push,
        either_way=either_way,
    )


BOTH = "both"  # whale buys and sells both seen


def inputs(
    whale: Direction | str | None, etf: Direction | None, sentiment: Direction | None
) -> tuple[list[Evidence], list[Missing]]:
    evidence, missing = [], []
    if whale is None:
        missing.append(Missing(name="whale", reason=Reason.PLAN))
    elif whale == BOTH:
        evidence.append(ev("whale", N, either_way=True))
    else:
        assert isinstance(whale, Direction)
        evidence.append(ev("whale", whale))
    for name, push in (("etf", etf), ("sentiment", sentiment)):
        if push is None:
            missing.append(Missing(name=name, reason=Reason.NO_KEY))
        else:
            evidence.append(ev(name, push))
    return evidence, missing


@pytest.mark.parametrize(
    ("whale", "etf", "sentiment", "direction", "confidence"),
    [
        (L, L, L, L, "1.00"),  # all three agree
        (S, S, S, S, "1.00"),
        (L, None, L, L, "0.67"),  # ETF missing: still LONG, lower confidence
        (None, S, S, S, "0.67"),
        (L, L, None, L, "0.67"),
        (L, None, None, N, "0.33"),  # one input alone is never a call
        (None, None, None, N, "0.00"),
        (L, S, L, N, "1.00"),  # disagreement: NEUTRAL, everything was seen
        (L, L, N, N, "1.00"),  # sentiment between 40 and 60
        (N, L, L, N, "1.00"),  # no whale activity at all
        (BOTH, L, L, L, "1.00"),  # buys and sells both seen satisfy either side
        (BOTH, S, S, S, "1.00"),
        (BOTH, L, S, N, "1.00"),
        (BOTH, None, L, L, "0.67"),
    ],
)
def test_rule_table(
    whale: Direction | str | None,
    etf: Direction | None,
    sentiment: Direction | None,
    direction: Direction,
    confidence: str,
) -> None:
    evidence, missing = inputs(whale, etf, sentiment)
    call = decide("SOL", evidence, missing, AT)
    assert call.direction is direction
    assert call.confidence == Decimal(confidence)
    assert {m.name for m in call.missing} == {m.name for m in missing}


def test_the_call_serialises_to_json_and_back() -> None:
    evidence, missing = inputs(L, None, L)
    call = decide("SOL", evidence, missing, AT)
    again = BiasCall.model_validate_json(call.model_dump_json())
    assert again == call
    assert '"direction":"LONG"' in call.model_dump_json()


def whale(side: WhaleSide, usd: str) -> WhaleEvent:
    return WhaleEvent(
        coin="SOL", side=side, usd=Decimal(usd), price=Decimal(142), venue="OKX", at=AT
    )


def test_whale_evidence() -> None:
    assert whale_push([whale(WhaleSide.BUY, "1053834")], AT, "OKX").push is L
    assert whale_push([whale(WhaleSide.SHORT, "1400000")], AT, "CoinGlass").push is S
    both = whale_push([whale(WhaleSide.BUY, "1"), whale(WhaleSide.SELL, "2")], AT, "OKX")
    assert both.either_way and both.value == "both"
    assert whale_push([], AT, "OKX").push is N


def flows(net: str) -> EtfFlows:
    day = EtfDay(day=AT, net_flow_usd=Decimal(net), reported=2, total=7)
    return EtfFlows(asset="BTC", days=[day], source="CoinGlass", as_of=AT)


def test_etf_evidence_and_btc_standing_in() -> None:
    inflow = etf_push(flows("122000000"), "SOL")
    assert inflow is not None and inflow.push is L and inflow.stands_in_for == "SOL"
    outflow = etf_push(flows("-100700000"), "BTC")
    assert outflow is not None and outflow.push is S and outflow.stands_in_for is None
    assert etf_push(EtfFlows(asset="BTC", days=[], source="CoinGlass", as_of=AT), "BTC") is None


@pytest.mark.parametrize(("score", "push"), [(60, L), (73, L), (59, N), (41, N), (40, S), (5, S)])
def test_sentiment_thresholds(score: int, push: Direction) -> None:
    sentiment = Sentiment(score=score, label=None, source="alternative.me", as_of=AT)
    assert sentiment_push(sentiment, Thresholds()).push is push
