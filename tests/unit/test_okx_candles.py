"""OKX candles over real HTTP against the fake vendor server: the fixture replay, a scripted
1m price path paged like OKX pages it, the recent/history split, and boundary validation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from services.container import Services, build_services
from services.kernel.errors import BadResponseError, RateLimitedError, UnknownInstrumentError
from services.kernel.retry import RetryPolicy
from services.kernel.symbols import Instrument, parse_symbol
from services.vendors.okx import RANGE_MAX_PAGES, OkxClient
from tests.conftest import make_settings
from tests.fakes.vendors import FakeVendors, Fault

pytestmark = pytest.mark.usefixtures("fast_backoff")

CANDLES = "/api/v5/market/candles"
HISTORY = "/api/v5/market/history-candles"
SOL = parse_symbol("SOL")
MINUTE = timedelta(minutes=1)
# The fake's wall clock, pinned 30 s into a minute: the bar opened at NOW_BAR is still open.
NOW_BAR = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOW = NOW_BAR + timedelta(seconds=30)


def ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


def bar(i: int) -> datetime:
    """Open time of the bar `i` minutes before the open one (0 = still open)."""
    return NOW_BAR - i * MINUTE


def price(i: int) -> Decimal:
    # Distinct per bar, so a wrong row or a swapped field shows in the values.
    return Decimal(100_000 - i) / 100


def scripted(vendors: FakeVendors, minutes: int, inst_id: str = "SOL-USDT") -> None:
    """`minutes` 1m bars ending with the open one; high = close + 1, low = open - 1."""
    rows: list[tuple[int, Any, Any, Any, Any]] = [
        (ms(bar(i)), price(i + 1), price(i) + 1, price(i + 1) - 1, price(i)) for i in range(minutes)
    ]
    vendors.set_candles(inst_id, rows)


@pytest.fixture
async def services(vendors: FakeVendors, fast_backoff: RetryPolicy) -> AsyncIterator[Services]:
    vendors.clock = NOW.timestamp
    # A roomy budget: these tests count pages, they do not test our own rate budget.
    built = build_services(
        make_settings(
            okx_base_url=vendors.base_url,
            coinapi_base_url=vendors.base_url,
            okx_requests_per_2s=1000,
        ),
        cache_enabled=False,
        retry=fast_backoff,
    )
    yield built
    await built.aclose()


@pytest.fixture
def okx(services: Services) -> OkxClient:
    return OkxClient(services.clients[0])


def envelope(*rows: Any) -> dict[str, Any]:
    return {"code": "0", "msg": "", "data": list(rows)}


GOOD_ROW = ["1795157700000", "141.71", "142.61", "141.65", "142.28", "1", "1", "1", "1"]


# --- the captured shape -----------------------------------------------------------------------


async def test_fixture_is_read_oldest_first_without_the_open_bar(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    candles = await okx.candles(SOL, "5m", limit=48)
    assert vendors.calls[-1].query == {"instId": "SOL-USDT", "bar": "5m", "limit": "48"}
    assert len(candles) == 47  # 48 rows, the newest (confirm "0") still open
    # The fake replays the fixture as if its newest bar (07:00 on 20 Nov) had just opened.
    assert candles[-1].ts - candles[0].ts == timedelta(minutes=5 * 46)
    assert candles[-1].ts.minute % 5 == 0 and candles[-1].ts > datetime.now(UTC) - timedelta(
        minutes=15
    )
    assert all(a.ts + timedelta(minutes=5) == b.ts for a, b in pairwise(candles))
    last = candles[-1]
    assert (last.open, last.high, last.low, last.close) == (
        Decimal("141.71"),
        Decimal("142.61"),
        Decimal("141.65"),
        Decimal("142.28"),
    )
    assert last.ts.utcoffset() == timedelta(0)


async def test_swap_asks_for_the_spot_pair_and_limits_are_capped(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 10)
    await okx.candles(SOL.swap(), limit=1000)
    await okx.candles(SOL, limit=1000, history=True)
    assert [(c.path, c.query["instId"], c.query["limit"]) for c in vendors.calls] == [
        (CANDLES, "SOL-USDT", "300"),
        (HISTORY, "SOL-USDT", "100"),
    ]


# --- a scripted path ----------------------------------------------------------------------------


async def test_scripted_path_honours_limit_after_and_before(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 400)

    newest = await okx.candles(SOL, limit=5)  # 5 rows asked, the open one dropped
    assert [c.ts for c in newest] == [bar(4), bar(3), bar(2), bar(1)]
    one = newest[-1]
    assert (one.open, one.high, one.low, one.close) == (
        price(2),
        price(1) + 1,
        price(2) - 1,
        price(1),
    )

    before_ten = await okx.candles(SOL, after_ms=ms(bar(10)), limit=3)
    assert [c.ts for c in before_ten] == [bar(13), bar(12), bar(11)]

    newer = await okx.candles(SOL, before_ms=ms(bar(6)), limit=300)
    assert [c.ts for c in newer] == [bar(5), bar(4), bar(3), bar(2), bar(1)]

    between = await okx.candles(SOL, after_ms=ms(bar(20)), before_ms=ms(bar(25)))
    assert [c.ts for c in between] == [bar(i) for i in range(24, 20, -1)]


async def test_bar_closes_when_its_minute_is_over(okx: OkxClient, vendors: FakeVendors) -> None:
    scripted(vendors, 3)
    assert [c.ts for c in await okx.candles(SOL)] == [bar(2), bar(1)]
    vendors.clock = (NOW_BAR + MINUTE).timestamp
    assert [c.ts for c in await okx.candles(SOL)] == [bar(2), bar(1), bar(0)]


async def test_range_pages_across_more_than_one_page_and_returns_exactly_the_range(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 1000)
    start = bar(700) + timedelta(seconds=20)  # bar(700) opened before start: excluded
    end = bar(20) + timedelta(seconds=20)  # bar(20) opened before end: included
    candles = await okx.candles_range(SOL, start, end)
    assert [c.ts for c in candles] == [bar(i) for i in range(699, 19, -1)]  # 680 bars
    assert candles[0].close == price(699) and candles[-1].close == price(20)
    assert vendors.count(CANDLES) == 3 and vendors.count(HISTORY) == 0
    assert [c.query["after"] for c in vendors.calls] == [
        str(ms(end)),
        str(ms(bar(319))),
        str(ms(bar(619))),
    ]


async def test_range_ending_now_leaves_out_the_open_bar(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 100)
    candles = await okx.candles_range(SOL, bar(50), NOW)
    assert [c.ts for c in candles] == [bar(i) for i in range(50, 0, -1)]


async def test_range_older_than_the_recent_window_comes_from_history(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 3000)
    candles = await okx.candles_range(SOL, bar(2000), bar(1800))
    assert [c.ts for c in candles] == [bar(i) for i in range(2000, 1800, -1)]
    assert vendors.count(CANDLES) == 1  # came back empty: past the latest 1,440 bars
    assert vendors.count(HISTORY) == 2  # 100 bars a page


async def test_range_across_the_recent_window_edge_has_no_gap(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 3000)
    candles = await okx.candles_range(SOL, bar(1600), bar(1300))
    assert [c.ts for c in candles] == [bar(i) for i in range(1600, 1300, -1)]
    assert vendors.count(CANDLES) == 2 and vendors.count(HISTORY) == 2


async def test_range_stops_where_the_pair_has_no_older_bars(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    scripted(vendors, 30)
    candles = await okx.candles_range(SOL, bar(3000), bar(10))
    assert [c.ts for c in candles] == [bar(i) for i in range(29, 10, -1)]
    assert vendors.count(HISTORY) == 1


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_range_is_bounded_in_pages(okx: OkxClient, vendors: FakeVendors) -> None:
    scripted(vendors, 10_000)
    candles = await okx.candles_range(SOL, bar(9000), NOW)
    assert vendors.count(CANDLES) + vendors.count(HISTORY) == RANGE_MAX_PAGES
    assert candles[0].ts > bar(9000)  # partial: callers see it from the first bar
    assert candles[-1].ts == bar(1)
    assert all(a.ts + MINUTE == b.ts for a, b in pairwise(candles))


# --- errors at the boundary ---------------------------------------------------------------------


def with_field(index: int, value: Any) -> list[Any]:
    row = list(GOOD_ROW)
    row[index] = value
    return row


async def test_a_good_row_passes_and_empty_data_is_an_answer(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    vendors.fail(CANDLES, Fault(body=envelope(GOOD_ROW, GOOD_ROW[:5])))
    assert [c.close for c in await okx.candles(SOL)] == [Decimal("142.28")] * 2
    vendors.fail(CANDLES, Fault(body=envelope()))
    assert await okx.candles(SOL) == []


@pytest.mark.parametrize(
    "row",
    [
        with_field(4, "NaN"),
        with_field(2, "nan"),
        with_field(1, "Infinity"),
        with_field(3, "-inf"),
        with_field(4, "-142.28"),
        with_field(3, "0"),
        with_field(1, ""),
        with_field(2, None),
        with_field(1, True),
        with_field(0, "100000000000000000000"),  # 1e20 ms
        with_field(0, 1e20),
        with_field(0, "1230767999999"),  # 2008-12-31
        with_field(0, "1795157700.5"),
        with_field(8, "2"),
        GOOD_ROW[:4],
        {"ts": "1795157700000"},
    ],
    ids=[
        "nan",
        "nan-lower",
        "inf",
        "neg-inf",
        "negative",
        "zero",
        "empty",
        "null",
        "bool",
        "ts-1e20-str",
        "ts-1e20-float",
        "ts-2008",
        "ts-fraction",
        "confirm-2",
        "four-fields",
        "object",
    ],
)
async def test_bad_row_is_refused_not_skipped(
    okx: OkxClient, vendors: FakeVendors, row: Any
) -> None:
    vendors.fail(CANDLES, Fault(body=envelope(GOOD_ROW, row)))
    with pytest.raises(BadResponseError):
        await okx.candles(SOL)


async def test_bad_history_row_is_refused(okx: OkxClient, vendors: FakeVendors) -> None:
    vendors.fail(HISTORY, Fault(body=envelope(with_field(4, "NaN"))))
    with pytest.raises(BadResponseError):
        await okx.candles(SOL, history=True)


async def test_unknown_instrument_is_51001(okx: OkxClient, vendors: FakeVendors) -> None:
    with pytest.raises(UnknownInstrumentError):
        await okx.candles(Instrument(base="FOO"))
    vendors.fail(HISTORY, Fault(fixture=("okx", "error_instrument_not_found.json")))
    with pytest.raises(UnknownInstrumentError):
        await okx.candles_range(SOL, bar(3000), bar(2000))


async def test_faults_still_apply_to_scripted_candles(okx: OkxClient, vendors: FakeVendors) -> None:
    scripted(vendors, 10)
    vendors.fail(CANDLES, Fault(status=429, fixture=("okx", "error_rate_limited.json")))
    with pytest.raises(RateLimitedError):
        await okx.candles(SOL)
    assert vendors.count(CANDLES) == 3  # retried, then given up


# --- the ticker follows the path ----------------------------------------------------------------


async def test_ticker_follows_the_scripted_path(
    okx: OkxClient, services: Services, vendors: FakeVendors
) -> None:
    assert (await okx.ticker(SOL)).last == Decimal("142.35")  # the fixture
    vendors.set_candles("SOL-USDT", [(ms(bar(1)), 150, 151, 149, "150.5")])
    ticker = await services.ticker.ticker(SOL)
    assert ticker.last == Decimal("150.5")
    assert ticker.high_24h == Decimal("144.2")  # the fixture's other fields stay
    vendors.set_candles(
        "SOL-USDT", [(ms(bar(1)), 150, 151, 149, "150.5"), (ms(bar(0)), 1, 2, 1, 2)]
    )
    assert (await okx.ticker(SOL)).last == Decimal("2")  # the newest row, open or not
    assert (await okx.ticker(SOL.swap())).last != Decimal("2")  # another instId
    vendors.clear_candles("SOL-USDT")
    assert (await okx.ticker(SOL)).last == Decimal("142.35")


async def test_scripted_pair_without_a_ticker_fixture_exists(
    okx: OkxClient, vendors: FakeVendors
) -> None:
    doge = Instrument(base="DOGE")
    with pytest.raises(UnknownInstrumentError):
        await okx.ticker(doge)
    vendors.set_candles("DOGE-USDT", [(ms(bar(2)), "0.1", "0.2", "0.1", "0.15")])
    ticker = await okx.ticker(doge)
    assert ticker.last == Decimal("0.15") and ticker.instrument == doge
    assert [c.close for c in await okx.candles(doge)] == [Decimal("0.15")]


async def test_range_survives_a_vendor_ignoring_after(okx: OkxClient, vendors: FakeVendors) -> None:
    rows = [with_field(0, str(ms(bar(i)))) for i in (1, 2, 3)]
    vendors.fail(CANDLES, Fault(body=envelope(*rows)))  # the same page whatever `after` says
    candles = await okx.candles_range(SOL, bar(100), NOW)
    assert [c.ts for c in candles] == [bar(3), bar(2), bar(1)]  # no duplicates
    assert vendors.count(CANDLES) == 2  # stopped once paging made no progress


def test_a_bars_volume_is_the_base_coin_column_and_a_bad_one_leaves_the_price_bar() -> None:
    from services.vendors.okx_rows import candle_row

    # [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]: for spot, `vol` is in the base coin
    # (SOL) and `volCcy` in the quote (USDT); the chart's volume axis is "volume (SOL)".
    row = [
        "1795157700000",
        "141.71",
        "142.61",
        "141.65",
        "142.28",
        "7827.635626",
        "1111495.866991",
        "1111495.866991",
        "1",
    ]
    candle, closed = candle_row("candles", row)
    assert candle.volume == Decimal("7827.635626") and closed
    candle, _ = candle_row("candles", [*row[:5], "NaN", *row[6:]])
    assert candle.volume is None and candle.close == Decimal("142.28")
