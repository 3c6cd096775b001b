"""Charts: real PNGs sized for a phone, carrying their own context (title, source, time in the
chat's zone, stale) in the chat's language, drawn without blocking, failures turned into None."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from PIL import Image

from bot.charts.depth import depth_chart
from bot.charts.frame import DPI, SIZE
from bot.charts.heatmap import heatmap_chart
from bot.photo import render_chart
from bot.render.heatmap import heatmap_labels
from bot.render.orderbook import depth_labels
from bot.render.view import View
from services.market.heatmap.service import HeatmapMethod
from tests.fakes.reports import book_report, heatmap_report

JAKARTA = ZoneInfo("Asia/Jakarta")


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def view(locale: str = "en") -> View:
    return View(locale=locale, tz=JAKARTA, now=datetime.now(UTC))


def depth_png(i18n: I18n, locale: str = "en", stale: bool = False) -> bytes:
    chart = book_report(stale=stale)
    with i18n.context(), i18n.use_locale(locale):
        labels = depth_labels(chart, view(locale))
    return depth_chart(chart, labels, view(locale))


def metadata(png: bytes) -> dict[str, str]:
    return dict(Image.open(io.BytesIO(png)).info)  # the PNG's text chunks


def test_charts_are_1280_by_720_for_a_phone(i18n: I18n) -> None:
    png = depth_png(i18n)
    assert png_size(png) == (int(SIZE[0] * DPI), int(SIZE[1] * DPI)) == (1280, 720)
    assert 5_000 < len(png) < 800_000


@pytest.mark.parametrize(
    ("locale", "source", "as_of"), [("en", "Source: OKX", "as of"), ("id", "Sumber: OKX", "per")]
)
def test_a_chart_says_what_it_shows_in_the_chats_language(
    i18n: I18n, locale: str, source: str, as_of: str
) -> None:
    meta = metadata(depth_png(i18n, locale))
    assert "SOL/USDT" in meta["Title"] and "OKX" in meta["Title"]
    assert meta["Description"].startswith(f"{source} · {as_of} ")
    assert "WIB" in meta["Description"]  # the time in TIMEZONE's zone
    assert meta["Language"] == locale
    assert "last good copy" not in meta["Description"]


def test_a_stale_chart_is_marked_stale(i18n: I18n) -> None:
    assert "last good copy" in metadata(depth_png(i18n, stale=True))["Description"]
    assert "salinan terakhir" in metadata(depth_png(i18n, "id", stale=True))["Description"]


def test_a_heatmap_image_says_what_its_levels_are_made_from(i18n: I18n) -> None:
    estimate = heatmap_report().model_copy(
        update={"method": HeatmapMethod.ESTIMATE, "source": "OKX"}
    )
    with i18n.context(), i18n.use_locale("en"):
        labels = heatmap_labels(estimate, view())
        modelled = heatmap_labels(heatmap_report(), view())
    meta = metadata(heatmap_chart(estimate, labels, view()))
    assert meta["Title"] == "SOL liquidation map · 12h · estimate from OKX open interest"
    assert meta["Description"].startswith("Source: OKX")
    assert modelled.frame.title == "SOL liquidation map · 12h · CoinGlass leverage model"


async def test_charts_render_concurrently_in_threads_without_mixing_figures(i18n: I18n) -> None:
    report = book_report()
    with i18n.context(), i18n.use_locale("en"):
        labels = depth_labels(report, view())
    pngs = await asyncio.gather(
        *(render_chart(lambda: depth_chart(report, labels, view())) for _ in range(4))
    )
    assert all(p is not None and png_size(p) == (1280, 720) for p in pngs)


async def test_a_failing_chart_gives_none_instead_of_an_error() -> None:
    def broken() -> bytes:
        raise ValueError("no data to draw")

    assert await render_chart(broken) is None


def test_a_live_maps_levels_are_drawn_across_the_price(i18n: I18n) -> None:
    from bot.charts.candles import candle_chart
    from bot.render.chart import candle_labels
    from services.kernel.symbols import parse_symbol
    from services.market.ticker.candles import Bar, CandleBar, CandleReport
    from tests.unit.test_sniper_rule import make

    start = datetime(2026, 12, 1, tzinfo=UTC)
    bars = [
        CandleBar(
            ts=start + timedelta(minutes=5 * i), open=100, high=101, low=99, close=100, volume=10
        )
        for i in range(20)
    ]
    report = CandleReport(
        instrument=parse_symbol("SOL"), bar=Bar.M5, candles=bars, source="OKX", as_of=start
    )
    with i18n.context(), i18n.use_locale("en"):
        labels = candle_labels(report, view(), make(at=start))
    assert [(name.split()[0], price) for name, price, _ in labels.levels] == [
        ("Entry", 99.5),
        ("Invalidation", 99.2),
        ("TP1", 100.8),
        ("TP2", 101.6),
    ]
    assert png_size(candle_chart(report, labels, view())) == (1280, 720)
