"""Funding and open interest beside a call, read for what they mean: a side is crowded when it
pays a high yearly rate while open interest keeps growing; the crowding is context unless the
operator lets it vote, and then it votes against the crowd."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.kernel.models import Sentiment
from services.signals.bias.rule import BiasInputs, Direction, Thresholds, evaluate
from services.signals.derivs_context import Crowding, DerivContext, crowding

AT = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("yearly", "oi_pct", "expected"),
    [
        ("0.35", "8", Crowding.LONGS),  # longs pay 35 %/yr and keep coming
        ("0.35", "-8", Crowding.NONE),  # they pay, but are leaving: longs closing, not crowding
        ("0.35", "2.9", Crowding.NONE),  # open interest barely grew
        ("0.20", "3", Crowding.LONGS),  # both at their thresholds
        ("0.1095", "10", Crowding.NONE),  # OKX's floor rate (0.01 % per 8 h) is not crowding
        ("-0.15", "5", Crowding.SHORTS),  # shorts pay to stay short while more open
        ("-0.05", "5", Crowding.NONE),
        (None, "8", Crowding.NONE),  # half the context missing: no reading
        ("0.35", None, Crowding.NONE),
    ],
)
def test_crowding_table(yearly: str | None, oi_pct: str | None, expected: Crowding) -> None:
    assert (
        crowding(
            Decimal(yearly) if yearly is not None else None,
            Decimal(oi_pct) if oi_pct is not None else None,
        )
        is expected
    )


def call_inputs(context: DerivContext | None) -> BiasInputs:
    greed = Sentiment(score=80, label="Greed", source="alternative.me", as_of=AT)
    return BiasInputs(symbol="SOL", at=AT, sentiment=greed, context=context)


def crowded(side: Crowding) -> DerivContext:
    return DerivContext(
        symbol="SOL",
        source="OKX",
        funding_yearly=Decimal("0.4"),
        oi_24h_pct=Decimal(9),
        crowding=side,
    )


def test_context_rides_along_without_a_vote_by_default() -> None:
    call = evaluate(call_inputs(crowded(Crowding.LONGS)), Thresholds())
    assert call.context is not None and call.context.crowding is Crowding.LONGS
    assert [e.name for e in call.evidence] == ["sentiment"]
    assert call.agreement is not None and call.agreement.of == 3


@pytest.mark.parametrize(
    ("side", "push"),
    [
        (Crowding.LONGS, Direction.SHORT),
        (Crowding.SHORTS, Direction.LONG),
        (Crowding.NONE, Direction.NEUTRAL),
    ],
)
def test_when_it_votes_it_votes_against_the_crowd(side: Crowding, push: Direction) -> None:
    call = evaluate(call_inputs(crowded(side)), Thresholds(derivs_vote=True))
    [vote] = [e for e in call.evidence if e.name == "derivs"]
    assert vote.push is push
    assert call.agreement is not None and call.agreement.of == 4  # a fourth input counted


def test_a_crowd_on_the_callers_side_blocks_the_call_when_voting() -> None:
    """Greed says LONG; crowded longs say SHORT: with the vote on there is no call."""
    assert evaluate(call_inputs(crowded(Crowding.LONGS)), Thresholds()).direction is not (
        Direction.SHORT
    )
    voting = evaluate(call_inputs(crowded(Crowding.LONGS)), Thresholds(derivs_vote=True))
    assert voting.direction is Direction.NEUTRAL


def test_the_journal_keeps_the_context() -> None:
    kept = BiasInputs.model_validate_json(
        call_inputs(crowded(Crowding.SHORTS)).compact().model_dump_json()
    )
    assert kept.context is not None and kept.context.crowding is Crowding.SHORTS
