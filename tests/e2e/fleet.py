"""Two `python -m bot` replicas in webhook mode on one Redis and one PostgreSQL, as the fleet
profile runs them, against the fake Bot API and vendors (tests/e2e/test_fleet_e2e.py and
bench/replicas.py)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as redis

from tests.e2e.harness import BotProcess
from tests.fakes.telegram import FakeTelegram, fixture
from tests.fakes.vendors import FakeVendors
from tests.postgres import drop_database, temporary_database

SECRET = "fleet-webhook-secret-3e5a"
FLEET_REDIS_DB = 9  # the fleet's own database in the shared Redis, emptied first
_update_ids = itertools.count(700_000)


def fleet_redis(redis_url: str) -> str:
    base, _, _db = redis_url.rpartition("/")
    return f"{base}/{FLEET_REDIS_DB}"


class Fleet:
    def __init__(
        self,
        telegram: FakeTelegram,
        vendors: FakeVendors,
        workdir: Path,
        redis_url: str,
        database_url: str,
        **env: str,
    ) -> None:
        self.telegram = telegram
        self.vendors = vendors
        self.workdir = workdir
        self.redis_url = fleet_redis(redis_url)
        self.base_database = database_url
        self.env = env
        self.replicas: list[BotProcess] = []
        self._database: str | None = None

    async def start(self, count: int = 2) -> Fleet:
        client = redis.Redis.from_url(self.redis_url)
        await client.flushdb()
        await client.aclose()
        url, self._database = await temporary_database(self.base_database)
        for n in range(count):
            bot = BotProcess(self.telegram, self.vendors, self.workdir)
            bot.env.update(
                REDIS_URL=self.redis_url,
                DATABASE_URL=url,
                INSTANCE_ID=f"replica-{n}",
                WEBHOOK_URL=f"http://127.0.0.1:{bot.http_port}/webhook",
                WEBHOOK_SECRET=SECRET,
                LOG_LEVEL="INFO",
                **self.env,
            )
            await bot.start(ready_method="setWebhook")
            self.replicas.append(bot)
        return self

    async def stop(self) -> None:
        for bot in self.replicas:
            await bot.stop()
        if self._database is not None:
            await drop_database(self.base_database, self._database)

    async def post(self, client: httpx.AsyncClient, replica: int, update: dict[str, Any]) -> int:
        bot = self.replicas[replica]
        answer = await client.post(
            f"http://127.0.0.1:{bot.http_port}/webhook",
            json={"update_id": next(_update_ids), **update},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        return answer.status_code

    async def burst(self, text: str, chats: list[int]) -> list[int]:
        """`text` from each chat, posted to the replicas in turn, all at once."""

        def update(chat: int) -> dict[str, Any]:
            body = fixture("update_command_private.json")
            body.pop("update_id", None)
            message = body["message"]
            message["chat"]["id"] = message["from"]["id"] = chat
            message["text"] = text
            message["entities"][0]["length"] = len(text.split()[0])
            return body

        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            return await asyncio.gather(
                *(self.post(client, n % len(self.replicas), update(c)) for n, c in enumerate(chats))
            )
