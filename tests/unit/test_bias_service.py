"""The bias service names each missing input with its reason and still makes the call."""

from __future__ import annotations

import pytest

from services.kernel.errors import Reason
from services.kernel.symbols import parse_symbol
from services.signals.bias.rule import Direction
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")


async def test_disabled_and_plan_walled_inputs_are_missing_with_their_reasons(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/etf/solana/flow-history", Fault(fixture=("coinglass", "error_plan_required.json"))
    )
    services = await build(coinglass_api_key="k", feature_sentiment="off")
    call = await services.bias.call(parse_symbol("SOL"))
    assert {(m.name, m.reason) for m in call.missing} == {
        ("etf", Reason.PLAN),
        ("sentiment", Reason.DISABLED),
    }
    assert [e.name for e in call.evidence] == ["whale"]
    assert call.direction is Direction.NEUTRAL  # one input alone is never a call


async def test_every_input_failing_is_still_an_answer(build: Build, vendors: FakeVendors) -> None:
    for path in ("/api/v5/market/trades", "/fng/"):
        vendors.fail(path, Fault(status=500))
    call = await (await build()).bias.call(parse_symbol("SOL"))
    assert call.direction is Direction.NEUTRAL and call.evidence == []
    assert {m.name for m in call.missing} == {"whale", "etf", "sentiment"}
