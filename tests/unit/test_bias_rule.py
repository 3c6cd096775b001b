"""The institutional-bias rule, table-driven: inputs and missing modules -> direction and
confidence; plus the evidence each input gives."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.kernel.errors import Reason
from services.kernel.models import EtfDay, EtfFlows, Sentiment
from services.signals.bias.rule import (
    BiasCall,
    Direction,
    Evidence,
    Missing,
    Thresholds,
    decide,
    etf_push,
    sentiment_push,
)

AT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
L, S, N = Direction.LONG, Direction.SHORT, Direction.NEUTRAL


def ev(name: str, push: Direction, stale: bool = False) -> Evidence:
    return Evidence(
        name=name, value="x", amount=Decimal(1), source="t", as_of=AT, push=push, stale=stale
    )


STALE_L = "stale LONG"  # a LONG input served from an old copy


def inputs(
    whale: Direction | str | None, etf: Direction | str | None, sentiment: Direction | str | None
) -> tuple[list[Evidence], list[Missing]]:
    evidence, missing = [], []
    for name, push in (("whale", whale), ("etf", etf), ("sentiment", sentiment)):
        if push is None:
            missing.append(Missing(name=name, reason=Reason.NO_KEY))
        elif push == STALE_L:
            evidence.append(ev(name, L, stale=True))
        else:
            assert isinstance(push, Direction)
            evidence.append(ev(name, push))
    return evidence, missing


@pytest.mark.parametrize(
    ("whale", "etf", "sentiment", "direction", "agree", "stale", "missing"),
    [
        (L, L, L, L, 3, 0, 0),  # all three agree
        (S, S, S, S, 3, 0, 0),
        (L, None, L, L, 2, 0, 1),  # ETF missing: still LONG, lower confidence
        (None, S, S, S, 2, 0, 1),
        (L, L, None, L, 2, 0, 1),
        (L, None, None, N, 0, 0, 2),  # one input alone is never a call
        (None, None, None, N, 0, 0, 3),
        (L, S, L, N, 0, 0, 0),  # disagreement: NEUTRAL, no input is neutral
        (L, L, N, N, 1, 0, 0),  # sentiment between 40 and 60
        (N, L, L, N, 1, 0, 0),  # whale flow even or absent: pushes neither way
        (STALE_L, L, L, L, 2, 1, 0),  # stale still decides, but lowers like a missing one
        (L, STALE_L, None, L, 1, 1, 1),
    ],
)
def test_rule_table(
    whale: Direction | str | None,
    etf: Direction | str | None,
    sentiment: Direction | str | None,
    direction: Direction,
    agree: int,
    stale: int,
    missing: int,
) -> None:
    evidence, missed = inputs(whale, etf, sentiment)
    call = decide("SOL", evidence, missed, AT)
    assert call.direction is direction
    assert call.agreement is not None
    assert (call.agreement.agree, call.agreement.stale, call.agreement.missing) == (
        agree,
        stale,
        missing,
    )
    assert call.agreement.of == 3
    assert call.confidence == round(Decimal(agree) / 3, 2)
    assert {m.name for m in call.missing} == {m.name for m in missed}


def test_a_stale_input_lowers_confidence_exactly_as_a_missing_one() -> None:
    stale = decide("SOL", *inputs(L, STALE_L, L), AT)
    missing = decide("SOL", *inputs(L, None, L), AT)
    assert stale.direction is missing.direction is L
    assert stale.confidence == missing.confidence == Decimal("0.67")


def test_the_call_serialises_to_json_and_back() -> None:
    evidence, missing = inputs(L, None, L)
    call = decide("SOL", evidence, missing, AT)
    again = BiasCall.model_validate_json(call.model_dump_json())
    assert again == call
    assert '"direction":"LONG"' in call.model_dump_json()


def flows(net: str) -> EtfFlows:
    day = EtfDay(day=AT, net_flow_usd=Decimal(net), reported=2, total=7)
    return EtfFlows(asset="BTC", days=[day], source="CoinGlass", as_of=AT)


def test_etf_evidence_and_btc_standing_in() -> None:
    inflow = etf_push(flows("122000000"), "SOL")
    assert inflow is not None and inflow.push is L and inflow.stands_in_for == "SOL"
    outflow = etf_push(flows("-100700000"), "BTC")
    assert outflow is not None and outflow.push is S and outflow.stands_in_for is None
    # No days at all is a broken answer, refused at the adapter.
    with pytest.raises(ValidationError):
        EtfFlows(asset="BTC", days=[], source="CoinGlass", as_of=AT)


@pytest.mark.parametrize(("score", "push"), [(60, L), (73, L), (59, N), (41, N), (40, S), (5, S)])
def test_sentiment_thresholds(score: int, push: Direction) -> None:
    sentiment = Sentiment(score=score, label=None, source="alternative.me", as_of=AT)
    assert sentiment_push(sentiment, Thresholds()).push is push
