from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.e2e.harness import BotProcess
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def start_bot(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> AsyncIterator[StartBot]:
    started: list[BotProcess] = []

    async def start(**env: str) -> BotProcess:
        bot = BotProcess(telegram, vendors, tmp_path, **env)
        started.append(bot)
        return await bot.start()

    yield start
    for bot in started:
        await bot.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
