"""OKX's perpetuals read for what they mean (VENDORS.md, "Derivatives"): the funding interval
is nextFundingTime − fundingTime, a paid rate is realizedRate (not the predicted fundingRate),
rates are fractions per interval, open interest `oi` is contracts and `oiCcy` coins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.kernel.errors import BadResponseError, UnknownInstrumentError
from services.kernel.symbols import parse_symbol
from services.vendors.okx_derivs import OkxDerivs
from services.vendors.okx_stats import OkxStats
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")
FUNDING = "/api/v5/public/funding-rate"
PAID = "/api/v5/public/funding-rate-history"
OI = "/api/v5/public/open-interest"
ACCOUNTS = "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract"
TAKER = "/api/v5/rubik/stat/taker-volume-contract"
BTC, SOL = parse_symbol("BTC"), parse_symbol("SOL")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def funding_row(rate: str, hours: float, inst_id: str = "SOL-USDT-SWAP") -> dict[str, str]:
    settles = 1_795_161_600_000
    return {
        "instId": inst_id,
        "fundingRate": rate,
        "fundingTime": str(settles),
        "nextFundingTime": str(settles + int(hours * 3_600_000)),
    }


async def test_the_docs_funding_row_is_an_8h_rate_settling_at_funding_time(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(FUNDING, Fault(fixture=("okx", "funding_rate_BTC-USDT-SWAP_docs.json")))
    now = await (await build()).vendors.get(OkxDerivs).funding(BTC)
    assert now.rate == Decimal("0.0000182221218054")
    assert now.interval == timedelta(hours=8)
    assert now.settles_at == datetime.fromtimestamp(1_743_609_600, UTC)  # fundingTime
    assert now.rate_8h == now.rate
    assert now.annualised == now.rate * 3 * 365
    [call] = [c for c in vendors.calls if c.path == FUNDING]
    assert call.query == {"instId": "BTC-USDT-SWAP"}  # the perpetual, whatever was typed


@pytest.mark.parametrize("hours", [1, 2, 4])
async def test_a_shorter_interval_is_normalised_before_it_is_compared_or_annualised(
    build: Build, vendors: FakeVendors, hours: int
) -> None:
    vendors.fail(
        FUNDING, Fault(body={"code": "0", "msg": "", "data": [funding_row("0.0001", hours)]})
    )
    now = await (await build()).vendors.get(OkxDerivs).funding(SOL)
    assert now.interval_hours == hours
    assert now.rate_8h == Decimal("0.0001") * 8 / hours  # an 8 h contract paying the same
    assert now.annualised == Decimal("0.0001") * 24 * 365 / hours


@pytest.mark.parametrize("hours", [0, 0.25, 48])
async def test_an_interval_okx_does_not_set_is_unusable_data(
    build: Build, vendors: FakeVendors, hours: float
) -> None:
    vendors.fail(
        FUNDING, Fault(body={"code": "0", "msg": "", "data": [funding_row("0.0001", hours)]})
    )
    with pytest.raises(BadResponseError):
        await (await build()).vendors.get(OkxDerivs).funding(SOL)


async def test_a_paid_rate_is_the_realized_rate_not_the_predicted_one(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(PAID, Fault(fixture=("okx", "funding_rate_history_BTC-USD-SWAP_docs.json")))
    paid = await (await build()).vendors.get(OkxDerivs).funding_paid(BTC, LONG_AGO)
    assert [p.rate for p in paid] == [Decimal("0.0002279755647389"), Decimal("0.0000746572360545")]
    assert paid[0].at < paid[1].at  # oldest first
    [call] = [c for c in vendors.calls if c.path == PAID]
    assert call.query["limit"] == "400"


async def test_the_fakes_history_tells_paid_from_predicted(build: Build) -> None:
    """The fake's rows put the predicted rate ten times off: reading it would show here."""
    derivs = (await build()).vendors.get(OkxDerivs)
    week = datetime.now(UTC) - timedelta(days=7)
    paid = await derivs.funding_paid(SOL, week)
    assert len(paid) in (21, 22)  # every 8 h over a week
    assert {p.rate for p in paid} == {Decimal("0.0000612253781406")}


async def test_open_interest_is_contracts_coins_and_dollars(
    build: Build, vendors: FakeVendors
) -> None:
    row = {
        "instId": "BTC-USDT-SWAP",
        "oi": "250",
        "oiCcy": "2.5",
        "oiUsd": "240000",
        "ts": "1795157998000",
    }
    vendors.fail(OI, Fault(body={"code": "0", "msg": "", "data": [row]}))
    oi = await (await build()).vendors.get(OkxDerivs).open_interest(BTC)
    assert (oi.contracts, oi.coins, oi.usd) == (250, Decimal("2.5"), 240000)  # ctVal 0.01
    [call] = [c for c in vendors.calls if c.path == OI]
    assert call.query == {"instType": "SWAP", "instId": "BTC-USDT-SWAP"}


async def test_every_perpetuals_rate_in_one_call_leaves_out_a_row_it_cannot_read(
    build: Build, vendors: FakeVendors
) -> None:
    rows = [funding_row("0.0001", 8), funding_row("NaN", 8, "ETH-USDT-SWAP"), {"instId": "X"}]
    vendors.fail(FUNDING, Fault(body={"code": "0", "msg": "", "data": rows}))
    every = await (await build()).vendors.get(OkxDerivs).funding_all()
    assert [r.inst_id for r in every] == ["SOL-USDT-SWAP"]
    [call] = [c for c in vendors.calls if c.path == FUNDING]
    assert call.query == {"instId": "ANY"}


async def test_long_short_rows_are_time_and_ratio(build: Build, vendors: FakeVendors) -> None:
    vendors.fail(
        ACCOUNTS, Fault(fixture=("okx", "rubik_long_short_account_ratio_contract_docs.json"))
    )
    points = await (await build()).vendors.get(OkxStats).long_short_accounts(SOL, "5m")
    assert sorted(p.ratio for p in points) == [Decimal("0.1236"), Decimal("1.1739")]


async def test_taker_flow_in_dollars_asks_for_them(build: Build, vendors: FakeVendors) -> None:
    vendors.fail(TAKER, Fault(fixture=("okx", "rubik_taker_volume_contract_docs.json")))
    points = await (await build()).vendors.get(OkxStats).taker_volume(SOL, "5m", usd=True)
    assert {(p.sell, p.buy) for p in points} == {(200, 380), (100, 300)}  # still sell first
    [call] = [c for c in vendors.calls if c.path == TAKER]
    assert call.query["unit"] == "2"  # USD; OKX's default, 1, is contracts


async def test_a_coin_without_a_perpetual_is_unknown(build: Build) -> None:
    with pytest.raises(UnknownInstrumentError):
        await (await build()).vendors.get(OkxDerivs).funding(parse_symbol("PEPE"))
