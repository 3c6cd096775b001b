"""Inline buttons edit their own message in place; an edit that changes nothing is fine."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors, Fault, load


def buttons(params: dict[str, Any]) -> dict[str, str]:
    markup = params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_ticker_refresh_edits_in_place_and_ignores_not_modified(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    telegram.push_command("/ticker SOL", chat_id=1501)
    await telegram.wait_for_messages(1, chat_id=1501)
    [sent] = telegram.calls_to("sendMessage", ok=True)
    data = buttons(sent.params)["🔄 Refresh"]
    message_id = sent.result["message_id"]

    await asyncio.sleep(0.4)  # past the ticker TTL: a real refetch, same fixture price
    telegram.push_callback(data, chat_id=1501, user_id=1501, message_id=message_id)
    await telegram.wait_for(lambda: len(telegram.calls_to("answerCallbackQuery")) == 1)
    [same] = telegram.calls_to("editMessageText")
    assert same.error_code == 400  # Telegram: "message is not modified"
    assert telegram.calls_to("answerCallbackQuery")[0].params.get("text") == "Updated"

    moved = load("okx", "ticker_SOL-USDT.json")
    moved["data"][0]["last"] = "150.01"
    vendors.fail("/api/v5/market/ticker", Fault(body=moved))
    await asyncio.sleep(0.4)
    telegram.push_callback(data, chat_id=1501, user_id=1501, message_id=message_id)
    await telegram.wait_for(lambda: len(telegram.calls_to("answerCallbackQuery")) == 2)
    edited = telegram.calls_to("editMessageText", ok=True)
    assert len(edited) == 1 and "150.01" in edited[0].params["text"]
    assert str(edited[0].params["message_id"]) == str(message_id)
    assert len(telegram.calls_to("sendMessage")) == 1  # no new message was sent


async def test_heatmap_range_button_swaps_the_image_and_marks_the_range(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/heatmap SOL", chat_id=1502)
    [caption] = await telegram.wait_for_messages(1, chat_id=1502)
    assert "· 4h" in caption
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    keys = buttons(photo.params)
    assert "• 4h" in keys and set(keys) == {"1h", "• 4h", "12h", "24h"}
    telegram.push_callback(
        keys["1h"],
        chat_id=1502,
        user_id=1502,
        message_id=photo.result["message_id"],
        message=photo.result,
    )
    await telegram.wait_for(lambda: bool(telegram.calls_to("editMessageMedia", ok=True)))
    [edit] = telegram.calls_to("editMessageMedia", ok=True)
    assert "liquidation map · 1h" in edit.params["caption"]
    assert "• 1h" in buttons(edit.params)
