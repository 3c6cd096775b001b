"""Two `python -m bot` replicas in webhook mode on one Redis and one PostgreSQL, as the fleet
profile runs them, against the fake Bot API and vendors (tests/e2e/test_fleet_e2e.py and
bench/replicas.py)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as redis

from services.delivery.models import Alert, HealthNotice, HealthPush
from services.delivery.outbox import Cooldown, Outbox
from services.storage.db import Database
from tests.e2e.harness import BotProcess
from tests.fakes.telegram import FakeTelegram, fixture
from tests.fakes.vendors import FakeVendors
from tests.postgres import drop_database, temporary_database

SECRET = "fleet-webhook-secret-3e5a"
CONNECTIONS = 50  # posts at once in a burst, as a proxy in front of the replicas would keep
FLEET_REDIS_DB = 9  # the fleet's own database in the shared Redis, emptied first
_update_ids = itertools.count(700_000)


def fleet_redis(redis_url: str) -> str:
    base, _, _db = redis_url.rpartition("/")
    return f"{base}/{FLEET_REDIS_DB}"


async def push(db: Database, chats: list[int]) -> int:
    """One alert queued for `chats` in the fleet's outbox, as a job would: how many queued."""
    outbox = Outbox(db, Cooldown(seconds=3600, repeat_gain=Decimal("0.2")))
    at = datetime.now(UTC)
    notice = HealthNotice(job="sniper", healthy=True, failing=[], at=at)
    alert = Alert(started_at=at, payload=HealthPush(notice=notice))
    return await outbox.publish(alert, [], chats)


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

    async def start(
        self, count: int = 2, prepare: Callable[[str], Awaitable[None]] | None = None
    ) -> Fleet:
        """`prepare` gets the fleet's database URL before any replica starts (subscribers that
        the first job run must already find)."""
        client = redis.Redis.from_url(self.redis_url)
        await client.flushdb()
        await client.aclose()
        url, self._database = await temporary_database(self.base_database)
        if prepare is not None:
            await prepare(url)
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

        # At most as many posts at once as connections: httpx's pool walks its whole queue for
        # each connection freed, so 1,000 queued posts stalled this loop (and the fakes on it)
        # for seconds, and the fake Bot API then counted a backlog of sends as one burst.
        room = asyncio.Semaphore(CONNECTIONS)
        limits = httpx.Limits(max_connections=CONNECTIONS)

        async def one(client: httpx.AsyncClient, n: int, chat: int) -> int:
            async with room:
                return await self.post(client, n % len(self.replicas), update(chat))

        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            return await asyncio.gather(*(one(client, n, c) for n, c in enumerate(chats)))
