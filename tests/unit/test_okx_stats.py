"""OKX trading statistics read for what they mean: taker rows are [ts, sellVol, buyVol] (sell
first), open interest rows [ts, oi in contracts, oiCcy in coin, oiUsd]; both newest first on
the wire and oldest first once read; bad rows are the vendor's unusable data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.kernel.errors import BadResponseError, UnknownInstrumentError
from services.kernel.symbols import parse_symbol
from services.vendors.okx_stats import OkxStats
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")
TAKER = "/api/v5/rubik/stat/taker-volume-contract"
OI = "/api/v5/rubik/stat/contracts/open-interest-history"
SOL = parse_symbol("SOL")


async def test_taker_rows_are_sell_first_so_the_buy_share_is_the_third_field(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(TAKER, Fault(fixture=("okx", "rubik_taker_volume_contract_docs.json")))
    stats = (await build()).vendors.get(OkxStats)
    points = await stats.taker_volume(SOL, "5m")
    assert {(p.sell, p.buy) for p in points} == {(Decimal(200), Decimal(380)), (100, 300)}
    first = next(p for p in points if p.sell == 200)
    assert first.buy_share == Decimal(380) / Decimal(580)  # buyers, not sellers
    [call] = [c for c in vendors.calls if c.path == TAKER]
    assert call.query == {"instId": "SOL-USDT-SWAP", "period": "5m", "limit": "100"}


async def test_open_interest_is_read_in_coins_and_usd_oldest_first(
    build: Build, vendors: FakeVendors
) -> None:
    stats = (await build()).vendors.get(OkxStats)
    points = await stats.open_interest_history(SOL, "5m")
    assert len(points) == 48 and points[0].at < points[-1].at
    assert points[0].coins == Decimal(2_400_000) and points[-1].coins == Decimal(2_707_500)
    assert points[-1].usd == Decimal("385412625.00")
    vendors.fail(OI, Fault(fixture=("okx", "rubik_contracts_open_interest_history_docs.json")))
    docs = await stats.open_interest_history(SOL, "1H")
    assert {p.coins for p in docs} == {Decimal(111)}  # oiCcy, the coin column, not contracts


@pytest.mark.parametrize(
    "row",
    [["1701417600000", "200"], ["1701417600000", "NaN", "1"], ["1e20", "1", "1"], "x"],
)
async def test_a_row_it_cannot_use_is_the_vendors_unusable_data(
    build: Build, vendors: FakeVendors, row: object
) -> None:
    vendors.fail(TAKER, Fault(body={"code": "0", "msg": "", "data": [row]}))
    with pytest.raises(BadResponseError):
        await (await build()).vendors.get(OkxStats).taker_volume(SOL, "5m")


async def test_a_coin_without_a_perpetual_is_an_unknown_instrument(build: Build) -> None:
    with pytest.raises(UnknownInstrumentError):
        await (
            (await build()).vendors.get(OkxStats).open_interest_history(parse_symbol("PEPE"), "5m")
        )
