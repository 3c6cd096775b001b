"""A second poller on the same token (409 Conflict): one clear line, the admins told once,
/healthz says so, polls retried with a growing pause, and answers resume when it is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates

from bot import telegram_conflict
from bot.telegram_conflict import PollingConflict
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import FullLog, bot_settings, run_bot

ADMIN = 1  # bot_settings' ADMIN_IDS


@pytest.fixture
def quick_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_conflict, "FIRST_PAUSE", 0.1)
    monkeypatch.setattr(telegram_conflict, "MAX_PAUSE", 0.4)


@pytest.mark.usefixtures("quick_pauses")
async def test_a_second_poller_is_said_once_waited_out_and_then_answered(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    log: FullLog,
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path)
    async with run_bot(settings, telegram, monkeypatch):
        telegram.fail("getUpdates", "error_409_conflict_polling.json", times=5)
        await telegram.wait_for(lambda: len(telegram.calls_to("getUpdates", ok=False)) >= 3)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as c:
            during = (await c.get("/healthz")).json()
        await telegram.wait_for(lambda: len(telegram.calls_to("getUpdates", ok=False)) == 5)
        telegram.push_command("/help", chat_id=61)
        await telegram.wait_for_messages(1, chat_id=61)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as c:
            after = (await c.get("/healthz")).json()
    assert during["status"] == "unhealthy" and during["polling"]["conflict"] is True
    assert after["polling"]["conflict"] is False
    said = [line for line in log.lines if "Another process is fetching updates" in line]
    assert len(said) == 1 and "WEBHOOK_URL" in said[0]
    assert not [line for line in log.lines if "Failed to fetch updates" in line]  # aiogram's
    assert sum("other poller is gone" in line for line in log.lines) == 1
    [notice] = telegram.sent_texts(ADMIN)
    assert "409" in notice and "webhook" in notice


async def test_the_pause_between_conflicted_polls_grows_to_its_ceiling() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    conflicts = 6

    async def make_request(bot: Any, method: Any) -> str:
        nonlocal conflicts
        if conflicts:
            conflicts -= 1
            raise TelegramConflictError(method, "Conflict: terminated by other getUpdates")
        return "updates"

    polling = PollingConflict(first_pause=5, max_pause=60, sleep=sleep)
    assert await polling(make_request, cast(Any, None), GetUpdates()) == "updates"
    assert pauses == [5, 10, 20, 40, 60, 60]
    assert not polling.conflicted  # the poll that answered ended it
