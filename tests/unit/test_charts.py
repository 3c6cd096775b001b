"""Charts: real PNGs of the agreed size, drawn without blocking, failures turned into None."""

from __future__ import annotations

import asyncio
import struct

from bot.charts.depth import DPI, SIZE, depth_chart
from bot.photo import render_chart
from tests.fakes.reports import book_report


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_depth_chart_is_a_png_of_the_agreed_size() -> None:
    png = depth_chart(book_report(), "SOL/USDT · OKX")
    assert png_size(png) == (SIZE[0] * DPI, int(SIZE[1] * DPI))
    assert 5_000 < len(png) < 500_000


async def test_charts_render_concurrently_in_threads_without_mixing_figures() -> None:
    report = book_report()
    pngs = await asyncio.gather(*(render_chart(lambda: depth_chart(report, "t")) for _ in range(4)))
    assert all(p is not None and png_size(p) == (800, 450) for p in pngs)


async def test_a_failing_chart_gives_none_instead_of_an_error() -> None:
    def broken() -> bytes:
        raise ValueError("no data to draw")

    assert await render_chart(broken) is None
