"""Every vendor's timestamps through one bounded reader (services/kernel/bounds.py): a moment
outside 2009-2100, NaN or no number at all is unusable data at the adapter, never a platform
error (OSError, OverflowError) deeper in, whichever vendor sent it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.kernel.bounds import moment
from services.kernel.errors import BadResponseError, DataUnavailableError
from services.vendors.coinglass import CoinGlassClient
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")
KEY = "cg-test-key-123456"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1795157640000, "auto", datetime(2026, 11, 20, 6, 54, tzinfo=UTC)),  # ms
        (1795157640, "auto", datetime(2026, 11, 20, 6, 54, tzinfo=UTC)),  # seconds
        ("1795157640", "s", datetime(2026, 11, 20, 6, 54, tzinfo=UTC)),
        ("1795157640000", "ms", datetime(2026, 11, 20, 6, 54, tzinfo=UTC)),
    ],
)
def test_an_epoch_in_seconds_or_milliseconds_is_read_as_the_same_moment(
    value: Any, unit: str, expected: datetime
) -> None:
    assert moment(value, unit) == expected


@pytest.mark.parametrize("value", [1e20, 10**20, "NaN", "inf", -5, 0, "x", None, True, [1]])
def test_a_moment_out_of_bounds_or_not_a_number_is_a_value_error(value: Any) -> None:
    with pytest.raises(ValueError):
        moment(value)


def _times(field: str, value: Any) -> Any:
    def change(body: Any) -> Any:
        for row in body["data"]:
            row[field] = value
        return body

    return change


async def test_a_whale_alert_from_the_year_3_billion_is_unusable_data_not_a_crash(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(coinglass_api_key=KEY)
    vendors.fail("/api/hyperliquid/whale-alert", Fault(transform=_times("create_time", 10**20)))
    with pytest.raises(BadResponseError):
        await services.vendors.get(CoinGlassClient).whale_alerts()
    report = await services.whale.recent()  # the free source stands in
    assert report.source == "OKX" and report.fallback_reason == "CoinGlass bad_data"


async def test_an_etf_day_in_the_year_5000_fails_the_module_plainly(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build(coinglass_api_key=KEY)
    vendors.fail("/api/etf/bitcoin/flow-history", Fault(transform=_times("timestamp", 10**17)))
    with pytest.raises(DataUnavailableError) as failed:
        await services.etf.bitcoin()
    assert failed.value.failures == [("CoinGlass", failed.value.failures[0][1])]
    assert failed.value.failures[0][1].value == "bad_data"
