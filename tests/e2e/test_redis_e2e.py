"""With REDIS_URL the bot keeps its cache and budgets in Redis (the several-replica set-up)."""

from __future__ import annotations

import pytest
import redis.asyncio as redis

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.redis


async def test_ticker_is_cached_in_redis(
    start_bot: StartBot, telegram: FakeTelegram, redis_url: str
) -> None:
    client = redis.from_url(redis_url)
    await client.delete("cryptobot:ticker:SOL-USDT")
    await start_bot(REDIS_URL=redis_url, TICKER_CACHE_TTL_MS="60000")
    telegram.push_command("/ticker SOL", chat_id=51)
    [text] = await telegram.wait_for_messages(1, chat_id=51)
    assert "142.35" in text
    stored = await client.get("cryptobot:ticker:SOL-USDT")
    await client.aclose()
    assert stored is not None and b"142.35" in stored


@pytest.mark.parametrize("redis_url", ["redis://:redis-secret-password@127.0.0.1:1/0"])
async def test_a_bot_started_while_redis_is_down_runs_on_its_own_cache(
    start_bot: StartBot, telegram: FakeTelegram, redis_url: str
) -> None:
    """Redis keeps nothing the bot cannot rebuild: down at start-up, it is one warning (with
    the password masked), not an exit; the bot answers from its in-process cache meanwhile."""
    bot = await start_bot(REDIS_URL=redis_url)
    telegram.push_command("/ticker SOL", chat_id=52)
    [text] = await telegram.wait_for_messages(1, chat_id=52)
    assert "142.35" in text
    log = bot.log()
    assert "Cannot use Redis at" in log and "connection refused" in log
    assert "Starting with in-process cache and limits meanwhile." in log
    assert "redis-secret-password" not in log
