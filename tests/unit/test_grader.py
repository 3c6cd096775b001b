"""The grading job's edges: a call whose horizon candle never comes is closed, candles fetched
back in time stay one unbroken span, and an OKX outage does not expire maps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from services.kernel.models import Candle
from services.signals.calls import Kind
from services.storage.calls import NewCall
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build
from tests.unit.test_sniper_rule import make

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def flat(start: datetime, minutes: int, skip: set[int] | None = None) -> list[Candle]:
    return [
        Candle(
            ts=start + timedelta(minutes=i),
            open=Decimal(100),
            high=Decimal("100.1"),
            low=Decimal("99.9"),
            close=Decimal(100) + Decimal(i) / 1000,
        )
        for i in range(minutes)
        if i not in (skip or set())
    ]


def bar(c: Candle) -> tuple[int, float, float, float, float]:
    return (
        int(c.ts.timestamp() * 1000),
        float(c.open),
        float(c.high),
        float(c.low),
        float(c.close),
    )


async def test_a_call_whose_horizon_candle_never_comes_is_closed_with_what_it_has(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(okx_requests_per_2s=1000)
    made = NOW - timedelta(days=5)
    call_id, _ = await services.calls.store.record(
        NewCall(kind=Kind.BIAS, symbol="SOL", direction="LONG", made_at=made, key="a", detail="{}")
    )
    # OKX has candles around the call, +1h and +24h, but not the +4h minute (a gap).
    held = flat(made - timedelta(minutes=5), 26 * 60, skip={5 + 4 * 60 - 1})
    vendors.set_candles("SOL-USDT", [bar(c) for c in held])
    await services.candles.save("SOL", held)
    await services.grading_job.run(NOW)
    stored = await services.calls.store.get(call_id)
    assert stored is not None and not stored.open and stored.status == "graded"
    horizons = {g.horizon for g in (await services.calls.store.grades_for([call_id]))[call_id]}
    assert horizons == {"1h", "24h"}  # 4h could not be graded; the call no longer waits for it


async def test_candles_fetched_back_in_time_stay_one_unbroken_span(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(okx_requests_per_2s=1000)
    start = NOW - timedelta(days=3)
    rows = [
        (int((start + timedelta(minutes=i)).timestamp() * 1000), 100.0, 100.1, 99.9, 100.0)
        for i in range(3 * 24 * 60)
    ]
    vendors.set_candles("SOL-USDT", rows)
    await services.candles.save("SOL", flat(NOW - timedelta(hours=2), 100))
    await services.grading_job.sync("SOL", start, NOW)
    held = await services.candles.bounds("SOL")
    assert held is not None
    span = await services.candles.load("SOL", held[0], held[1] + timedelta(minutes=1))
    gaps = [b.ts - a.ts for a, b in pairwise(span) if b.ts - a.ts > timedelta(minutes=1)]
    assert gaps == []  # the newest part of the gap came first: nothing left behind
    assert held[0] < NOW - timedelta(hours=2)


async def test_an_okx_outage_does_not_expire_a_map_that_may_have_filled(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(sniper_setup_lifetime_minutes=60)
    entry = make(at=NOW - timedelta(hours=5))
    call_id = await services.calls.sniper(entry)
    # Candles for the first 10 minutes only, all above the entry; then OKX fails.
    await services.candles.save("SOL", flat(entry.at, 10))
    vendors.fail("/api/v5/market/candles", Fault(status=503, body={"code": "50001"}))
    vendors.fail("/api/v5/market/history-candles", Fault(status=503, body={"code": "50001"}))
    await services.grading_job.run(NOW)
    stored = await services.calls.store.get(call_id)
    assert stored is not None and stored.status == "waiting" and stored.open
