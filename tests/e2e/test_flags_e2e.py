"""/flags end to end: admins only, a tap switches a module at once, and it survives a restart."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

ADMIN = 1  # the harness sets ADMIN_IDS=1
USER = 555


def button(call_result: dict[str, Any], params: dict[str, Any], text: str) -> str:
    for row in params["reply_markup"]["inline_keyboard"]:
        for item in row:
            if item["text"] == text:
                return str(item["callback_data"])
    raise AssertionError(f"no button {text!r}")


async def test_admin_toggles_a_module_and_it_survives_a_restart(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    bot = await start_bot()
    telegram.push_command("/flags", chat_id=USER)
    [refusal] = await telegram.wait_for_messages(1, chat_id=USER)
    assert "Only the bot's admins" in refusal

    telegram.push_command("/flags", chat_id=ADMIN)
    [panel] = await telegram.wait_for_messages(1, chat_id=ADMIN)
    assert "Order book data</b>: on" in panel and "spot_ob" not in panel
    sent = next(c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == str(ADMIN))
    data = button(sent.result, sent.params, "Turn Order book data off")

    # Someone else pressing the admin's button is refused and changes nothing.
    telegram.push_callback(data, chat_id=ADMIN, user_id=USER, message_id=sent.result["message_id"])
    await telegram.wait_for(lambda: len(telegram.calls_to("answerCallbackQuery")) == 1)
    assert telegram.calls_to("answerCallbackQuery")[0].params.get("show_alert") in (True, "true")
    assert not telegram.calls_to("editMessageText")

    telegram.push_callback(data, chat_id=ADMIN, user_id=ADMIN, message_id=sent.result["message_id"])
    await telegram.wait_for(lambda: len(telegram.calls_to("editMessageText")) == 1)
    edited = telegram.calls_to("editMessageText")[0].params
    assert str(edited["message_id"]) == str(sent.result["message_id"])
    assert "⚪ <b>Order book data</b>: off" in edited["text"]
    button(edited, edited, "Turn Order book data on")  # the keyboard now offers the way back
    await telegram.wait_for(lambda: len(telegram.calls_to("answerCallbackQuery")) == 2)

    telegram.push_command("/ob SOL", chat_id=USER)
    [_, off] = await telegram.wait_for_messages(2, chat_id=USER)
    assert "switched off" in off
    assert vendors.count("/api/v5/market/books") == 0  # a disabled module calls no vendor
    telegram.push_command("/status", chat_id=USER)
    [*_, status] = await telegram.wait_for_messages(3, chat_id=USER)
    assert "⚪ <b>Order book data</b>: switched off by the bot's admins" in status

    await bot.stop()
    await start_bot()  # same database
    telegram.push_command("/ob SOL", chat_id=USER)
    [*_, still_off] = await telegram.wait_for_messages(4, chat_id=USER)
    assert "switched off" in still_off
    assert vendors.count("/api/v5/market/books") == 0
