"""Binance USDⓈ-M futures read for what they mean, on the bodies of Binance's own docs: the rate
of `premiumIndex` settles at `nextFundingTime` over an interval read from the history, a history
row is a settled rate, open interest is in coins (USD at the mark price), and a refusal of this
server's country is a set-up, not a fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.kernel.errors import (
    PlanRequiredError,
    Reason,
    RegionRefusedError,
    UnknownInstrumentError,
)
from services.kernel.symbols import parse_symbol
from services.vendors.binance_futures import BinanceFutures
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")
PREMIUM = "/fapi/v1/premiumIndex"
PAID = "/fapi/v1/fundingRate"
BTC = parse_symbol("BTC")
LONG_AGO = datetime(2019, 1, 1, tzinfo=UTC)
RESTRICTED = "error_451_restricted_location.json"
RESTRICTED_MSG = "Service unavailable from a restricted location"


def docs(vendors: FakeVendors) -> None:
    vendors.fail(PREMIUM, Fault(fixture=("binance_futures", "premium_index_BTCUSDT_docs.json")))
    vendors.fail(PAID, Fault(fixture=("binance_futures", "funding_rate_BTCUSDT_docs.json")))


async def test_the_rate_settles_at_next_funding_time_over_the_historys_interval(
    build: Build, vendors: FakeVendors
) -> None:
    docs(vendors)
    now = await (await build()).vendors.get(BinanceFutures).funding(BTC)
    assert now.rate == Decimal("0.00038246")
    assert now.settles_at == datetime.fromtimestamp(1_597_392_000, UTC)
    assert now.interval == timedelta(hours=8)  # the docs' two settlements, 8 h apart
    asked = next(c for c in vendors.calls if c.path == PREMIUM)
    assert asked.query == {"symbol": "BTCUSDT"}


async def test_a_4h_contract_is_read_as_one(build: Build, vendors: FakeVendors) -> None:
    docs(vendors)
    rows = [
        {"symbol": "BTCUSDT", "fundingRate": "0.0001", "fundingTime": t}
        for t in (1_570_608_000_000, 1_570_622_400_000)
    ]
    vendors.fail(PAID, Fault(body=rows))
    now = await (await build()).vendors.get(BinanceFutures).funding(BTC)
    assert now.interval_hours == 4 and now.rate_8h == now.rate * 2


async def test_a_history_row_is_the_rate_settled(build: Build, vendors: FakeVendors) -> None:
    docs(vendors)
    paid = await (await build()).vendors.get(BinanceFutures).funding_paid(BTC, LONG_AGO)
    assert [p.rate for p in paid] == [Decimal("-0.0375"), Decimal("0.0001")]


async def test_open_interest_is_coins_and_dollars_at_the_mark_price(
    build: Build, vendors: FakeVendors
) -> None:
    docs(vendors)
    vendors.fail(
        "/fapi/v1/openInterest",
        Fault(fixture=("binance_futures", "open_interest_BTCUSDT_docs.json")),
    )
    oi = await (await build()).vendors.get(BinanceFutures).open_interest(BTC)
    assert oi.coins == Decimal("10659.509")
    assert oi.usd == Decimal("10659.509") * Decimal("11793.63104562")


async def test_statistics_rows_are_read_in_coins_usd_and_ratios(
    build: Build, vendors: FakeVendors
) -> None:
    docs(vendors)
    for path, name in (
        ("/futures/data/openInterestHist", "open_interest_hist_BTCUSDT_doc_example.json"),
        ("/futures/data/takerlongshortRatio", "taker_long_short_ratio_BTCUSDT_doc_example.json"),
        (
            "/futures/data/globalLongShortAccountRatio",
            "global_long_short_account_ratio_BTCUSDT_docs.json",
        ),
    ):
        vendors.fail(path, Fault(fixture=("binance_futures", name)))
    futures = (await build()).vendors.get(BinanceFutures)
    [point] = await futures.open_interest_history(BTC, "5m", 1)
    assert (point.coins, point.usd) == (Decimal(34085), Decimal("1927265695.27131325"))
    [taker] = await futures.taker_volume(BTC, "5m", 1, usd=True)
    mark = Decimal("11793.63104562")
    assert (taker.buy, taker.sell) == (Decimal("298.28") * mark, Decimal("257.066") * mark)
    ratios = await futures.long_short_accounts(BTC, "1H", 2)
    assert [r.ratio for r in ratios] == [Decimal("0.196"), Decimal("1.9559")]
    periods = {c.query.get("period") for c in vendors.calls if c.path.startswith("/futures/")}
    assert periods == {"5m", "1h"}  # Binance's names, not OKX's 1H


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(status=451, fixture=("binance_futures", RESTRICTED)), RegionRefusedError),
        (Fault(status=403, body={"code": 0, "msg": RESTRICTED_MSG}), RegionRefusedError),
        (Fault(status=403, body={"code": -2015, "msg": "Invalid API-key"}), PlanRequiredError),
        (Fault(status=400, body={"code": -1121, "msg": "Invalid symbol."}), UnknownInstrumentError),
    ],
)  # fmt: skip
async def test_refusals_are_told_apart(
    build: Build, vendors: FakeVendors, fault: Fault, error: type[Exception]
) -> None:
    vendors.fail(PREMIUM, fault)
    with pytest.raises(error) as raised:
        await (await build()).vendors.get(BinanceFutures).funding(BTC)
    if error is RegionRefusedError:
        assert raised.value.reason is Reason.REGION  # type: ignore[attr-defined]
