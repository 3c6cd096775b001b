"""An input served only from an old copy still informs a call, but its module is not healthy:
the job's health (and the admins' warning) learns that a vendor is down when it goes down,
not when its last copy expires minutes later."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from services.jobs.bias_job import _outcome
from services.kernel.errors import Reason
from services.kernel.symbols import parse_symbol
from services.signals.bias.rule import BiasCall, Direction, Evidence, Missing
from services.signals.health import JobHealth
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

AT = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def evidence(name: str, stale: bool) -> Evidence:
    return Evidence(
        name=name,
        value="x",
        amount=Decimal(1),
        source="CoinGlass",
        as_of=AT,
        push=Direction.LONG,
        stale=stale,
    )


def call(*inputs: Evidence, missing: list[Missing] | None = None) -> BiasCall:
    return BiasCall(
        symbol="SOL",
        direction=Direction.LONG,
        confidence=Decimal("0.5"),
        at=AT,
        evidence=list(inputs),
        missing=missing or [],
    )


def test_a_stale_input_is_a_failure_of_its_module_for_the_job() -> None:
    outcome = _outcome([call(evidence("whale", stale=True), evidence("etf", stale=False))])
    assert outcome.ok == {"etf"}
    assert outcome.failed == {"whale": Reason.STALE}


def test_one_fresh_reading_of_a_module_anywhere_in_the_run_keeps_it_ok() -> None:
    outcome = _outcome([call(evidence("whale", stale=True)), call(evidence("whale", stale=False))])
    assert outcome.ok == {"whale"} and not outcome.failed


def test_every_main_input_stale_makes_the_job_unhealthy_at_once() -> None:
    changes: list[bool] = []
    health = JobHealth(
        "bias",
        ("whale", "etf", "sentiment"),
        300,
        1800,
        on_soft=lambda m: None,
        on_change=changes.append,
        jitter=lambda: 1.0,
    )
    stale_run = _outcome(
        [call(evidence("whale", True), evidence("etf", True), evidence("sentiment", True))]
    )
    assert health.record(stale_run, AT) is False
    assert changes == [False]  # the admins' notice goes out on this run, not 10 minutes later


async def test_the_sniper_counts_a_stale_book_as_a_failing_module(
    build: Build, vendors: FakeVendors, fast_backoff: None
) -> None:
    services = await build(orderbook_cache_ttl_ms=1)
    sol = parse_symbol("SOL")
    fresh = await services.sniper.read(sol)
    assert "spot_ob" in fresh.outcome.ok
    await asyncio.sleep(0.01)  # the cached book is past its TTL
    vendors.fail("/api/v5/market/books", Fault(status=500))
    vendors.fail("/api/v3/depth", Fault(status=500))  # its fallback too
    read = await services.sniper.read(sol)
    assert "support_wall" in read.inputs.stale  # the old book still informs the map
    assert "spot_ob" not in read.outcome.ok
    assert read.outcome.failed["spot_ob"] is Reason.STALE
