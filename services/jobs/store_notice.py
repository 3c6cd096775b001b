"""The backing stores (database, Redis) in /status and /healthz, and in the admins' private
chats when one stops answering for longer than a blip and when it is back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from loguru import logger

from services.delivery.models import Alert, HealthNotice, HealthPush
from services.delivery.outbox import Outbox
from services.kernel.errors import Reason
from services.kernel.fallback_backend import RedisLink
from services.kernel.outage import Outage
from services.kernel.status import Health, StatusRegistry
from services.storage.db import Database

# A dropped connection is usually back at the first probe: that is logged, not sent to admins.
GRACE_SECONDS = 5.0


class StoreWatch:
    def __init__(
        self,
        status: StatusRegistry,
        outbox: Outbox,
        admins: list[int],
        grace: float = GRACE_SECONDS,
    ) -> None:
        self._status = status
        self._outbox = outbox
        self._admins = admins
        self.grace = grace
        self._told: set[str] = set()  # stores whose outage outlasted the grace
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, db: Database, redis: RedisLink | None) -> None:
        """Status lines from the start (not "not used yet"), and Redis asked once: down at
        start-up means the fallback from the first command on."""
        dialect = db.engine.dialect.name
        self._status.store("database", dialect)
        db.outage.listen(lambda up, why: self._database(db.outage, dialect, up, why))
        if redis is not None:
            self._status.store("redis", "redis")
            redis.outage.listen(lambda up, why: self._redis(redis.outage, up, why))
            await redis.outage.check()

    def _database(self, outage: Outage, dialect: str, up: bool, why: str) -> None:
        if up:
            self._status.store("database", dialect)
            if "database" in self._told:
                self._told.discard("database")
                self._spawn(self._publish("database", healthy=True))
            return
        self._status.store("database", dialect, Health.UNAVAILABLE, Reason.ERROR, why)
        # The outbox lives in the database: the admins hear once it is back.
        self._spawn(self._after_grace(outage, "database", tell=False))

    def _redis(self, outage: Outage, up: bool, why: str) -> None:
        if up:
            self._status.store("redis", "redis")
            if "redis" in self._told:
                self._told.discard("redis")
                self._spawn(self._publish("redis", healthy=True))
            return
        self._status.store("redis", "in-process", Health.DEGRADED, None, why)
        self._spawn(self._after_grace(outage, "redis", tell=True))

    async def _after_grace(self, outage: Outage, store: str, *, tell: bool) -> None:
        await asyncio.sleep(self.grace)
        if outage.down and store not in self._told:
            self._told.add(store)
            if tell:
                await self._publish(store, healthy=False)

    async def _publish(self, store: str, *, healthy: bool) -> None:
        if not self._admins:
            return
        now = datetime.now(UTC)
        notice = HealthNotice(job=store, healthy=healthy, failing=[], at=now, store=store)
        alert = Alert(started_at=now, payload=HealthPush(notice=notice))
        try:
            await self._outbox.publish(alert, [], self._admins)
        except Exception as exc:  # the admins miss one notice; the log has the outage
            logger.warning("could not queue the {} notice for admins: {}", store, exc)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no loop (a synchronous caller): nothing to tell anyone
            work.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
