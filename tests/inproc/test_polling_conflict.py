"""A second poller on the same token (409 Conflict): one clear line, the admins told once,
/healthz says so, polls retried with a growing pause, and answers resume when it is gone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
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
    monkeypatch.setattr(telegram_conflict, "QUIET", 0.5)


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
        telegram.push_command("/status", chat_id=61)  # a poll that got through meanwhile
        [status] = await telegram.wait_for_messages(1, chat_id=61)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as c:
            for _ in range(100):  # until QUIET has passed without a 409
                after = (await c.get("/healthz")).json()
                if not after["polling"]["conflict"]:
                    break
                await asyncio.sleep(0.05)
        telegram.push_command("/status", chat_id=62)
        [status_after] = await telegram.wait_for_messages(1, chat_id=62)
    assert "Another copy of this bot has been fetching its messages since" in status
    assert "Another copy" not in status_after
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


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


async def test_two_pollers_taking_turns_are_one_conflict_told_once() -> None:
    """Telegram ends the older long poll when the newer one comes, so each copy gets a poll
    through now and then: those turns are one conflict, not one per turn."""
    pauses: list[float] = []
    told: list[datetime] = []
    clock = Clock()

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock.at += timedelta(seconds=seconds)

    async def tell() -> None:
        told.append(clock.at)

    turns = iter([True, False] * 4)  # 409, a poll through, 409, a poll through ...

    async def make_request(bot: Any, method: Any) -> str:
        clock.at += timedelta(seconds=10)  # a long poll
        if next(turns):
            raise TelegramConflictError(method, "Conflict: terminated by other getUpdates")
        return "updates"

    polling = PollingConflict(
        first_pause=5, max_pause=60, quiet=180, now=clock, sleep=sleep, on_conflict=tell
    )
    started = clock.at
    for turn in range(4):
        assert await polling(make_request, cast(Any, None), GetUpdates()) == "updates"
        # From the second 409 on, one conflict that began with the first.
        assert polling.conflicted == (turn > 0)
    assert polling.since == started + timedelta(seconds=10)
    await asyncio.sleep(0)  # the notice task runs
    assert len(told) == 1
    assert pauses == [5, 10, 20, 40]  # still growing: not back to 5 s at every turn
    clock.at += timedelta(seconds=181)  # no 409 for longer than `quiet`

    async def through(bot: Any, method: Any) -> str:
        return "updates"

    await polling(through, cast(Any, None), GetUpdates())
    assert not polling.conflicted


async def test_a_lone_409_as_at_a_restart_is_no_conflict(log: FullLog) -> None:
    """A copy that has just stopped leaves its long poll for Telegram to end with 409: one such
    answer is said quietly, nobody is told, and the pause is back to its start after QUIET."""
    told: list[str] = []
    clock = Clock()

    async def sleep(seconds: float) -> None:
        clock.at += timedelta(seconds=seconds)

    async def tell() -> None:
        told.append("told")

    answers = iter([True, False, False])

    async def make_request(bot: Any, method: Any) -> str:
        if next(answers):
            raise TelegramConflictError(method, "Conflict: terminated by other getUpdates")
        return "updates"

    polling = PollingConflict(
        first_pause=5, max_pause=60, quiet=180, now=clock, sleep=sleep, on_conflict=tell
    )
    await polling(make_request, cast(Any, None), GetUpdates())
    assert not polling.conflicted
    clock.at += timedelta(seconds=181)
    await polling(make_request, cast(Any, None), GetUpdates())
    await asyncio.sleep(0)
    assert told == [] and not polling.conflicted and polling.retries == 0
    assert not [line for line in log.lines if "Another process is fetching" in line]
    assert sum("answered a poll with 409" in line for line in log.lines) == 1
