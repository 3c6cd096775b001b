"""CoinGlass's across-exchange series read from its docs' own bodies over real HTTP: the funding
figure kept as CoinGlass's percent (not OKX's fraction), the last 4-hour close taken, and the
docs' open interest sample (stamped in 2053) refused as unusable rather than believed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.container import Services, build_services
from services.kernel.errors import BadResponseError, NoKeyError
from services.vendors.coinglass_derivs import CoinGlassDerivs
from tests.conftest import make_settings
from tests.fakes.vendors import FakeVendors, Fault

OI_WEIGHT = "/api/futures/funding-rate/oi-weight-history"
OI_SUM = "/api/futures/open-interest/aggregated-history"


@pytest.fixture
async def services(vendors: FakeVendors) -> AsyncIterator[Services]:
    built = build_services(
        make_settings(coinglass_base_url=vendors.base_url, coinglass_api_key="cg-test-key-1")
    )
    yield built
    await built.aclose()


def glass(services: Services) -> CoinGlassDerivs:
    return services.vendors.get(CoinGlassDerivs)


async def test_the_oi_weighted_rate_is_the_last_close_in_coinglass_percent(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(OI_WEIGHT, Fault(fixture=("coinglass", "funding_oi_weight_history_docs.json")))
    at, rate = await glass(services).funding_oi_weighted("BTC")
    assert rate == Decimal("0.01")  # the later bar's close, as CoinGlass's percent: 0.01 %
    assert at == datetime(2022, 7, 28, tzinfo=UTC)


async def test_the_docs_open_interest_sample_dated_2053_is_unusable_not_believed(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(OI_SUM, Fault(fixture=("coinglass", "open_interest_aggregated_history_docs.json")))
    with pytest.raises(BadResponseError):
        await glass(services).oi_aggregated("BTC")


async def test_summed_open_interest_is_dollars_oldest_first(
    services: Services, vendors: FakeVendors
) -> None:
    bars = await glass(services).oi_aggregated("SOL")
    assert bars[0][1] == Decimal("5400000000")
    assert bars[-1][1] == Decimal("5616000000") and bars[0][0] < bars[-1][0]


@pytest.mark.parametrize(
    "transform",
    [
        lambda body: {**body, "data": []},
        lambda body: {**body, "data": [{"time": 1, "close": "NaN"}]},
        lambda body: {**body, "data": [{"time": 1765000800000, "close": "1e300"}]},
    ],
    ids=["empty", "nan", "1e300"],
)
async def test_odd_bodies_are_unusable_data(
    services: Services, vendors: FakeVendors, transform: object
) -> None:
    vendors.fail(OI_WEIGHT, Fault(transform=transform))  # type: ignore[arg-type]
    with pytest.raises(BadResponseError):
        await glass(services).funding_oi_weighted("SOL")


async def test_without_a_key_nothing_is_asked(vendors: FakeVendors) -> None:
    built = build_services(make_settings(coinglass_base_url=vendors.base_url))
    try:
        assert not built.vendors.get(CoinGlassDerivs).has_key
        with pytest.raises(NoKeyError):
            await built.vendors.get(CoinGlassDerivs).funding_oi_weighted("SOL")
    finally:
        await built.aclose()
    assert not [c for c in vendors.calls if c.path == OI_WEIGHT]
