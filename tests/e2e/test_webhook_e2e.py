"""Webhook mode: WEBHOOK_URL + WEBHOOK_SECRET replace polling; updates arrive over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.harness import BotProcess
from tests.fakes.telegram import FakeTelegram, fixture
from tests.fakes.vendors import FakeVendors

SECRET = "webhook-secret-9d8c7b6a"


async def test_webhook_mode_registers_and_answers_updates_posted_to_it(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    bot = BotProcess(telegram, vendors, tmp_path)
    # Operators often put the token in the webhook path; the bot logs the URL with it masked.
    url = f"http://127.0.0.1:{bot.http_port}/tg/{telegram.token}"
    bot.env.update(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET)
    await bot.start(ready_method="setWebhook")
    try:
        [registered] = telegram.calls_to("setWebhook")
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == SECRET
        # Telegram sends chat_member only when asked (a demoted admin loses rights on it).
        assert "chat_member" in registered.params["allowed_updates"]
        assert not telegram.calls_to("getUpdates")

        update = fixture("update_command_private.json")
        update["message"]["chat"]["id"] = 77
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
        assert refused.status_code == 401
        assert accepted.status_code == 200
        [text] = await telegram.wait_for_messages(1, chat_id=77)
        assert "142,35" in text  # the fixture user writes Indonesian
        log = bot.log()
        assert f"webhook mode: http://127.0.0.1:{bot.http_port}/tg/***" in log
        assert SECRET not in log and telegram.token not in log
    finally:
        exit_code = await bot.stop()
    assert exit_code == 0  # SIGTERM stops webhook mode cleanly
