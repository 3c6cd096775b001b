"""Sentiment (CoinGlass or alternative.me) and ETF flows (CoinGlass only)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.kernel.errors import DataUnavailableError, Reason
from services.kernel.status import Health
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

FNG = "/fng/"
CG_FNG = "/api/index/fear-greed-history"
CG_ETF = "/api/etf/bitcoin/flow-history"


async def test_sentiment_without_a_key_is_alternative_me_with_its_own_label(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    s = await services.sentiment.current()
    assert (s.score, s.label, s.previous, s.source) == (73, "Greed", 74, "alternative.me")
    assert s.as_of == datetime.fromtimestamp(1790640000, UTC)
    assert vendors.count(CG_FNG) == 0
    status = services.status.get("sentiment")
    assert status is not None and status.reason is Reason.NO_KEY


async def test_sentiment_with_a_key_is_coinglass_without_invented_words(build: Build) -> None:
    s = await (await build(coinglass_api_key="k")).sentiment.current()
    assert (s.score, s.previous, s.source, s.label) == (30, 33, "CoinGlass", None)
    assert s.as_of == datetime.fromtimestamp(1795132800, UTC)  # seconds, read as seconds


async def test_plan_wall_on_sentiment_falls_back_to_the_free_index(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(CG_FNG, Fault(fixture=("coinglass", "error_plan_required.json")))
    services = await build(coinglass_api_key="k")
    s = await services.sentiment.current()
    assert s.source == "alternative.me" and s.fallback_reason == "CoinGlass plan"


async def test_fng_error_in_metadata_is_a_failure(build: Build, vendors: FakeVendors) -> None:
    vendors.fail(
        FNG,
        Fault(
            body={
                "name": "Fear and Greed Index",
                "data": [],
                "metadata": {"error": "Service unavailable"},
            }
        ),
    )
    with pytest.raises(DataUnavailableError) as info:
        await (await build()).sentiment.current()
    assert info.value.failures == [("CoinGlass", Reason.NO_KEY), ("alternative.me", Reason.ERROR)]


async def test_etf_without_a_key_is_unavailable_and_says_why(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    with pytest.raises(DataUnavailableError) as info:
        await services.etf.bitcoin()
    assert info.value.failures == [("CoinGlass", Reason.NO_KEY)]
    assert vendors.calls == []
    status = services.status.get("etf")
    assert status is not None and status.health is Health.UNAVAILABLE
    assert status.reason is Reason.NO_KEY


async def test_etf_flows_by_day_with_partial_reporting(build: Build) -> None:
    flows = await (await build(coinglass_api_key="k")).etf.bitcoin()
    assert [d.net_flow_usd for d in flows.days][-3:] == [
        Decimal("489500000"),
        Decimal("168800000"),
        Decimal("122000000"),
    ]
    latest = flows.days[-1]
    assert latest.day == datetime(2026, 11, 19, tzinfo=UTC)  # ms timestamps read as ms
    assert (latest.reported, latest.total) == (2, 7)
    assert len(flows.days) == 7 and flows.days == sorted(flows.days, key=lambda d: d.day)


async def test_etf_plan_wall_is_unavailable_plan(build: Build, vendors: FakeVendors) -> None:
    vendors.fail(CG_ETF, Fault(fixture=("coinglass", "error_plan_required.json")))
    services = await build(coinglass_api_key="k")
    with pytest.raises(DataUnavailableError) as info:
        await services.etf.bitcoin()
    assert info.value.failures == [("CoinGlass", Reason.PLAN)]
    status = services.status.get("etf")
    assert status is not None and status.reason is Reason.PLAN


async def test_etf_spring_boot_500_is_an_error_not_a_crash(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(CG_ETF, Fault(status=500, fixture=("coinglass", "error_500_internal.json")))
    with pytest.raises(DataUnavailableError) as info:
        await (await build(coinglass_api_key="k")).etf.bitcoin()
    assert info.value.failures == [("CoinGlass", Reason.ERROR)]
