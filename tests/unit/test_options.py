"""Options open interest: instId parsing, put/call and skew by expiry, coins without options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.kernel.errors import DataUnavailableError
from services.kernel.models import OptionOI
from services.kernel.symbols import parse_symbol
from services.market.flags import ModuleDisabledError
from services.market.options.analysis import summarise
from services.market.options.service import NoOptionsError
from services.vendors.okx_rows import parse_inst_id
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")


@pytest.mark.parametrize(
    ("inst_id", "expected"),
    [
        ("BTC-USD-261127-96000-C", (date(2026, 11, 27), Decimal(96000), True)),
        ("ETH-USD-270326-3500.5-P", (date(2027, 3, 26), Decimal("3500.5"), False)),
        ("BTC-USD-SWAP", None),
        ("BTC-USD-261127-96000-X", None),
        ("BTC-USD-261399-1-C", None),
    ],
)
def test_inst_id_parsing(inst_id: str, expected: tuple[date, Decimal, bool] | None) -> None:
    assert parse_inst_id(inst_id) == expected


def test_put_call_ratio_and_out_of_the_money_skew() -> None:
    expiry = date(2026, 12, 25)
    rows = [
        OptionOI(expiry=expiry, strike=Decimal(k), is_call=c, oi_coin=Decimal(oi))
        for k, c, oi in [(90, False, 30), (110, False, 10), (90, True, 5), (110, True, 15)]
    ]
    result = summarise(rows, spot=Decimal(100))
    [e] = result.expiries
    assert (e.put_oi, e.call_oi, e.put_call_ratio) == (Decimal(40), Decimal(20), Decimal(2))
    assert (e.otm_put_oi, e.otm_call_oi, e.skew) == (Decimal(30), Decimal(15), Decimal(2))


def test_no_calls_means_no_ratio_rather_than_a_division_error() -> None:
    rows = [
        OptionOI(expiry=date(2026, 12, 25), strike=Decimal(90), is_call=False, oi_coin=Decimal(1))
    ]
    assert summarise(rows, Decimal(100)).expiries[0].put_call_ratio is None


async def test_fixture_gives_puts_heavier_below_spot_in_both_expiries(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.set_last("BTC-USDT", "96850")  # the fixtures' story
    report = await (await build()).options.summary(parse_symbol("BTC"))
    first, second = report.summary.expiries
    assert (first.expiry, second.expiry) == (date(2026, 11, 27), date(2026, 12, 25))
    assert round(first.put_call_ratio or 0, 4) == Decimal("1.1288")
    assert round(first.skew or 0, 4) == Decimal("1.3073")
    assert round(second.skew or 0, 4) == Decimal("1.4186")
    call = next(c for c in vendors.calls if c.path == "/api/v5/public/open-interest")
    assert call.query == {"instType": "OPTION", "instFamily": "BTC-USD"}


async def test_a_coin_without_options_says_so(build: Build) -> None:
    with pytest.raises(NoOptionsError):
        await (await build()).options.summary(parse_symbol("SOL"))  # 51001 from the fake


async def test_disabled_options_make_no_call(build: Build, vendors: FakeVendors) -> None:
    with pytest.raises(ModuleDisabledError):
        await (await build(feature_options="off")).options.summary(parse_symbol("BTC"))
    assert vendors.calls == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=500),  # OKX failing is not "no options listed"
        Fault(body={"code": "0", "msg": "", "data": [{"instId": "garbage", "oiCcy": "1"}]}),
    ],
    ids=["okx 500", "rows we cannot read"],
)
async def test_a_failing_source_is_not_news_that_the_coin_has_no_options(
    build: Build, vendors: FakeVendors, fault: Fault
) -> None:
    vendors.fail("/api/v5/public/open-interest", fault)
    with pytest.raises(DataUnavailableError):
        await (await build()).options.summary(parse_symbol("BTC"))
