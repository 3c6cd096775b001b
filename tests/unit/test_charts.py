"""Charts: real PNGs of the agreed size, drawn without blocking, failures turned into None."""

from __future__ import annotations

import asyncio
import struct
from datetime import UTC, datetime

from bot.charts.depth import DPI, SIZE, depth_chart
from bot.photo import render_chart
from services.analysis.orderbook import analyse
from services.models import OrderBook
from services.orderbook import OrderBookReport
from services.providers.levels import parse_levels
from services.symbols import parse_symbol
from tests.fakes.vendors import load


def fixture_report() -> OrderBookReport:
    data = load("okx", "books_SOL-USDT.json")["data"][0]
    book = OrderBook(
        instrument=parse_symbol("SOL"),
        bids=parse_levels("okx", "b", data["bids"]),
        asks=parse_levels("okx", "b", data["asks"]),
        source="OKX",
        as_of=datetime.now(UTC),
    )
    analysis = analyse(book)
    assert analysis is not None
    return OrderBookReport(book=book, analysis=analysis)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_depth_chart_is_a_png_of_the_agreed_size() -> None:
    png = depth_chart(fixture_report(), "SOL/USDT · OKX")
    assert png_size(png) == (SIZE[0] * DPI, int(SIZE[1] * DPI))
    assert 5_000 < len(png) < 500_000


async def test_charts_render_concurrently_in_threads_without_mixing_figures() -> None:
    report = fixture_report()
    pngs = await asyncio.gather(*(render_chart(lambda: depth_chart(report, "t")) for _ in range(4)))
    assert all(p is not None and png_size(p) == (800, 450) for p in pngs)


async def test_a_failing_chart_gives_none_instead_of_an_error() -> None:
    def broken() -> bytes:
        raise ValueError("no data to draw")

    assert await render_chart(broken) is None
