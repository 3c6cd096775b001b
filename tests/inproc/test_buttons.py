"""Inline buttons edit their own message in place; an edit that changes nothing is fine.
(Was tests/e2e/test_buttons_e2e.py.)"""

from __future__ import annotations

import asyncio

from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import Dispatch


async def test_ticker_refresh_edits_in_place_and_ignores_not_modified(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/ticker SOL", chat_id=1501)
    [sent] = telegram.calls_to("sendMessage", ok=True)
    message_id = sent.result["message_id"]

    await asyncio.sleep(0.4)  # past the ticker TTL: a real refetch, same fixture price
    await dispatch.press_button("🔄 Refresh", sent, user_id=1501)
    assert len(dispatch.answers()) == 1
    [same] = telegram.calls_to("editMessageText")
    assert same.error_code == 400  # Telegram: "message is not modified"
    assert dispatch.answers()[0].params.get("text") == "Updated"

    vendors.set_last("SOL-USDT", "150.01")
    await asyncio.sleep(0.4)
    await dispatch.press_button("🔄 Refresh", sent, user_id=1501)
    assert len(dispatch.answers()) == 2
    edited = telegram.calls_to("editMessageText", ok=True)
    assert len(edited) == 1 and "150.01" in edited[0].params["text"]
    assert str(edited[0].params["message_id"]) == str(message_id)
    assert len(telegram.calls_to("sendMessage")) == 1  # no new message was sent
    assert not dispatch.logs.errors


async def test_heatmap_range_button_swaps_the_image_and_marks_the_range(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/heatmap SOL", chat_id=1502)
    [caption] = telegram.sent_texts(1502)
    assert "· 4h" in caption
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    keys = dispatch.buttons(photo)
    # The estimate reads days of open interest: every range has a map of its own.
    assert set(keys) == {"1h", "• 4h", "12h", "24h"}
    await dispatch.press_button("1h", photo, user_id=1502)
    [edit] = telegram.calls_to("editMessageMedia", ok=True)
    assert "liquidation map · 1h" in edit.params["caption"]
    assert "• 1h" in dispatch.buttons(edit)
    assert not dispatch.logs.errors
