"""Order book: parsing, analysis on hand-checkable books, and the source chain."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.kernel.errors import ArgumentError, DataUnavailableError, Reason, SymbolError
from services.kernel.models import BookLevel, OrderBook
from services.kernel.status import Health
from services.kernel.symbols import parse_symbol
from services.market.orderbook.analysis import Side, analyse
from services.market.orderbook.service import Exchange, parse_exchange
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

BOOKS = "/api/v5/market/books"
DEPTH = "/api/v3/depth"
SOL = parse_symbol("SOL")


def book(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> OrderBook:
    return OrderBook(
        instrument=SOL,
        bids=[BookLevel(price=Decimal(p), size=Decimal(s)) for p, s in bids],
        asks=[BookLevel(price=Decimal(p), size=Decimal(s)) for p, s in asks],
        source="test",
        as_of=datetime(2026, 11, 20, tzinfo=UTC),
    )


def test_one_six_times_median_wall_is_found_with_its_numbers() -> None:
    # Bid sizes 10,10,10,60,10: median 10, the 60 at 99.00 is a 6x wall.
    result = analyse(
        book(
            bids=[("99.9", "10"), ("99.8", "10"), ("99.5", "10"), ("99.0", "60"), ("98.0", "10")],
            asks=[("100.1", "10"), ("100.2", "10"), ("100.3", "20")],
        )
    )
    assert result is not None
    assert result.mid == Decimal("100.0")
    wall = result.biggest_bid
    assert wall is not None and wall.side is Side.BID
    assert (wall.price, wall.size, wall.multiple) == (Decimal("99.0"), Decimal("60"), Decimal(6))
    assert wall.notional == Decimal("5940.0") and wall.distance_pct == Decimal("-1")
    assert [w.price for w in result.bid_walls] == [Decimal("99.0")]
    assert result.ask_walls == []  # 20 is 2x the ask median: the biggest ask, not a wall


def test_exactly_five_times_median_is_not_a_wall() -> None:
    result = analyse(book(bids=[("99", "1"), ("98", "1"), ("97", "5")], asks=[("101", "1")]))
    assert result is not None and result.bid_walls == []


def test_depth_share_within_bands_and_coverage() -> None:
    # Mid 100. Within ±1%: bids 99.5 (x10) = 995 ; asks 100.5 (x10) = 1005 and 100.8 (x5) = 504.
    result = analyse(
        book(
            bids=[("99.5", "10"), ("97", "100")],
            asks=[("100.5", "10"), ("100.8", "5"), ("106", "1")],
        )
    )
    assert result is not None
    one = result.imbalance[0]
    assert one.band_pct == 1 and one.bid_notional == Decimal("995.0")
    assert one.ask_notional == Decimal("1509.0")
    assert one.bid_share == Decimal("995.0") / Decimal("2504.0")
    assert one.covered  # both sides reach past ±1%
    five = result.imbalance[2]
    assert not five.covered  # the bids stop at 97, short of 95


def test_a_book_with_an_empty_side_has_no_analysis() -> None:
    assert analyse(book(bids=[], asks=[("100", "1")])) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, None), ("", None), ("OKX", Exchange.OKX), (" binance ", Exchange.BINANCE)],
)
def test_exchange_argument(text: str | None, expected: Exchange | None) -> None:
    assert parse_exchange(text) == expected


def test_unknown_exchange_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError) as info:
        parse_exchange("kraken")
    assert info.value.allowed == ["okx", "binance"]


async def test_okx_book_fixture_gives_the_documented_walls(
    build: Build, vendors: FakeVendors
) -> None:
    report = await (await build()).orderbook.report(SOL)
    a = report.analysis
    assert report.book.source == "OKX" and len(report.book.bids) == 50
    assert a.biggest_ask is not None and a.biggest_ask.price == Decimal("142.7")
    assert round(a.biggest_ask.multiple, 1) == Decimal("11.7")
    assert [w.price for w in a.ask_walls] == [Decimal("142.7")]  # 142.50 at 3.9x is not
    assert a.biggest_bid is not None and a.biggest_bid.price == Decimal("141.88")
    assert round(a.biggest_bid.multiple, 1) == Decimal("7.9")
    call = next(c for c in vendors.calls if c.path == BOOKS)
    assert call.query == {"instId": "SOL-USDT", "sz": "400"}


async def test_binance_by_name_gives_its_walls(build: Build, vendors: FakeVendors) -> None:
    report = await (await build()).orderbook.report(SOL, Exchange.BINANCE)
    a = report.analysis
    assert report.book.source == "Binance"
    assert [w.price for w in a.bid_walls] == [Decimal("142.00"), Decimal("142.27")]
    assert round(a.bid_walls[0].multiple, 1) == Decimal("14.9")
    assert [w.price for w in a.ask_walls] == [Decimal("142.64")]
    assert vendors.count(BOOKS) == 0
    call = next(c for c in vendors.calls if c.path == DEPTH)
    assert call.query == {"symbol": "SOLUSDT", "limit": "1000"}


async def test_okx_failure_falls_back_to_binance_and_says_so(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    vendors.fail(BOOKS, Fault(status=500))
    report = await services.orderbook.report(SOL)
    assert report.book.source == "Binance" and report.book.fallback_reason == "OKX error"
    status = services.status.get("spot_ob")
    assert status is not None and status.health is Health.DEGRADED


async def test_both_failing_names_both(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    vendors.fail(BOOKS, Fault(status=500))
    vendors.fail(
        DEPTH,
        Fault(
            status=429,
            fixture=("binance", "error_rate_limited.json"),
            headers={"Retry-After": "60"},
        ),
    )
    with pytest.raises(DataUnavailableError) as info:
        await services.orderbook.report(SOL)
    assert info.value.failures == [("OKX", Reason.ERROR), ("Binance", Reason.RATE_LIMITED)]


async def test_fallback_not_listing_the_pair_is_unavailable_not_unknown(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(BOOKS, Fault(status=500))
    with pytest.raises(DataUnavailableError):
        await (await build()).orderbook.report(parse_symbol("BTC"))  # no Binance fixture: -1121


async def test_unknown_pair_at_okx_is_a_symbol_error(build: Build) -> None:
    with pytest.raises(SymbolError):
        await (await build()).orderbook.report(parse_symbol("NOPE"))


async def test_binance_error_bodies_are_read(build: Build, vendors: FakeVendors) -> None:
    services = await build()
    with pytest.raises(SymbolError):  # 400 {"code": -1121}
        await services.orderbook.report(parse_symbol("NOPE"), Exchange.BINANCE)
    vendors.fail(
        DEPTH,
        Fault(
            status=418,
            fixture=("binance", "error_ip_banned_418.json"),
            headers={"Retry-After": "120"},
        ),
    )
    with pytest.raises(DataUnavailableError) as info:
        await services.orderbook.report(SOL, Exchange.BINANCE)
    assert info.value.failures == [("Binance", Reason.RATE_LIMITED)]


async def test_perpetual_input_reads_the_spot_book(build: Build, vendors: FakeVendors) -> None:
    report = await (await build()).orderbook.report(parse_symbol("SOL-USDT-SWAP"))
    assert report.book.instrument.market.value == "spot"
    assert next(c for c in vendors.calls if c.path == BOOKS).query["instId"] == "SOL-USDT"


async def test_book_is_cached_for_its_ttl(build: Build, vendors: FakeVendors) -> None:
    services = await build(orderbook_cache_ttl_ms=60_000)
    for _ in range(5):
        await services.orderbook.report(SOL)
    assert vendors.count(BOOKS) == 1
