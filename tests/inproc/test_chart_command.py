"""/chart: OKX candles with volume as an image that says what it shows, timeframes as buttons,
and a chart button under /ticker."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

from PIL import Image

from services.storage.calls import CallStore
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import Dispatch
from tests.unit.test_sniper_rule import make

CANDLES = "/api/v5/market/candles"


def bars(vendors: FakeVendors) -> list[str]:
    """The `bar` of every candles request OKX got, in order."""
    return [c.query["bar"] for c in vendors.calls if c.path == CANDLES]


def photo_meta(png: bytes) -> dict[str, str]:
    image = Image.open(io.BytesIO(png))
    assert image.size == (1280, 720)
    return dict(image.info)


async def test_chart_draws_okx_candles_for_the_asked_timeframe(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/chart SOL 5m", chat_id=1501)
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    caption = photo.params["caption"]
    assert "SOL/USDT · 5m candles" in caption and "Last price 142.35 · 48 bars" in caption
    assert "Source: OKX" in caption
    [png] = photo.files.values()  # aiogram attaches it under a random name
    meta = photo_meta(png)
    assert meta["Title"] == "SOL/USDT · 5m candles" and meta["Description"].startswith(
        "Source: OKX"
    )
    buttons = [b["text"] for row in photo.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["• 5m", "15m", "1h", "4h", "1d"]
    assert bars(vendors)[-1] == "5m"
    await dispatch.command("/chart SOL 5m", chat_id=1502)
    assert len(bars(vendors)) == 1  # the second asker got the cached candles


async def test_okx_bar_names_are_okxs_and_a_wrong_timeframe_is_told(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    now = int(time.time() // 60 * 60_000)
    vendors.set_candles("SOL-USDT", [(now - i * 60_000, 142, 143, 141, 142.5) for i in range(50)])
    await dispatch.command("/chart sol 4h", chat_id=1511)
    assert bars(vendors)[-1] == "4H"  # OKX writes hours in capitals
    await dispatch.command("/chart SOL 1d", chat_id=1511)
    assert bars(vendors)[-1] == "1Dutc"  # days from 00:00 UTC
    await dispatch.command("/chart SOL 2w", chat_id=1512)
    [wrong] = telegram.sent_texts(1512)
    assert "2w" in wrong and "<code>5m</code>" in wrong and "<code>1d</code>" in wrong


async def test_the_ticker_has_a_chart_button_that_sends_the_chart(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    now = int(time.time() // 60 * 60_000)
    vendors.set_candles("SOL-USDT", [(now - i * 60_000, 142, 143, 141, 142.5) for i in range(300)])
    await dispatch.command("/ticker SOL", chat_id=1521)
    assert "📈 Chart" in dispatch.buttons()
    await dispatch.press_button("📈 Chart")
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    assert "1h candles" in photo.params["caption"] and bars(vendors) == ["1H"]
    assert len(telegram.sent_texts(1521)) == 2  # the price stays; the chart comes under it


async def test_a_live_sniper_map_is_marked_on_the_chart(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    entry = make(at=datetime.now(UTC))  # entry 99.5, stop 99.20, TP1 100.8, TP2 101.6
    call_id = await dispatch.services.calls.sniper(entry.model_copy(update={"symbol": "SOL"}))
    await dispatch.command("/chart SOL 5m", chat_id=1531)
    [unmarked] = telegram.calls_to("sendPhoto", ok=True)
    assert "Marked" not in unmarked.params["caption"]  # recorded, but never pushed: not live
    async with dispatch.services.db.sessions() as session, session.begin():
        await CallStore.mark_pushed(session, call_id)
    await dispatch.command("/chart SOL 5m", chat_id=1532)
    [_, marked] = telegram.calls_to("sendPhoto", ok=True)
    assert "live sniper map" in marked.params["caption"]
