"""A Bot API that cannot be reached yet is waited for with backoff, one line each try; one
that answers "no" is not."""

from __future__ import annotations

import pytest

from bot.startup import StartupError, wait_for_bot_api
from tests.fakes.telegram import FakeTelegram
from tests.ports import free_port

TOKEN = "123456:ABC-secret-token-value"


async def test_an_unreachable_bot_api_is_tried_again_until_it_answers() -> None:
    telegram = FakeTelegram(token=TOKEN, port=free_port())
    lines: list[str] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:  # the network comes up during the third wait
            await telegram.start()

    try:
        await wait_for_bot_api(telegram.base_url, TOKEN, 60, lines.append, sleep)
    finally:
        await telegram.stop()
    assert sleeps == [1.0, 2.0, 4.0]  # backing off
    assert len(lines) == 3 and all("connection refused" in line for line in lines)
    assert lines[1].endswith("Trying again in 2 s.")
    assert all(TOKEN not in line for line in lines)
    assert telegram.calls_to("getMe")


async def test_it_gives_up_after_its_patience_with_the_plain_line() -> None:
    lines: list[str] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    with pytest.raises(StartupError) as raised:
        await wait_for_bot_api(f"http://127.0.0.1:{free_port()}", TOKEN, 10, lines.append, sleep)
    assert sum(sleeps) <= 10 and len(lines) == len(sleeps) == 3  # 1 + 2 + 4; 8 more is too long
    assert "Cannot reach the Telegram Bot API" in raised.value.line


async def test_a_refused_token_is_not_waited_for() -> None:
    telegram = FakeTelegram(token="654321:another-bots-token")
    await telegram.start()
    lines: list[str] = []
    try:
        with pytest.raises(StartupError) as raised:
            await wait_for_bot_api(telegram.base_url, TOKEN, 60, lines.append)
    finally:
        await telegram.stop()
    assert raised.value.exit_code == 2 and "rejected BOT_TOKEN" in raised.value.line
    assert lines == []
