"""The replica holding the jobs' leases is killed with SIGKILL while its own alert goes out: the
other replica takes the leases once they lapse and runs the jobs, the deliveries the dead one had
claimed are sent by the survivor, and every chat ends with exactly one copy (the survivor's runs
see the same call in the shared database and queue no second alert)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import pytest
from sqlalchemy import text

from services.kernel.alerts import AlertType
from services.storage.db import Database
from tests.e2e.alerts import metric, subscribe, wait_sent, whales_buy
from tests.e2e.fleet import Fleet
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

INTERVAL = 2  # BIAS_INTERVAL_SECONDS: the lease lasts 1.5 intervals + 5 s
ACCEPTED = 60  # sends Telegram answers before the rest hang: the moment of the kill


async def scalar(db: Database, sql: str) -> object:
    async with db.engine.connect() as connection:
        return await connection.scalar(text(sql))


async def until(db: Database, sql: str, wanted: object, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while True:  # the database is polled: it has no event to wait on
            if await scalar(db, sql) == wanted:
                return
            await asyncio.sleep(0.05)


@pytest.mark.postgres
async def test_the_job_holder_killed_mid_alert_hands_its_jobs_over_and_no_chat_gets_two(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> None:
    whales_buy(vendors)
    chats = list(range(8_500_000, 8_500_300))
    telegram.hold_sends_after = ACCEPTED
    fleet = Fleet(
        telegram,
        vendors,
        tmp_path,
        redis_url,
        database_url,
        BIAS_INTERVAL_SECONDS=str(INTERVAL),
        TELEGRAM_GLOBAL_PER_SECOND="100",
        DELIVERY_CLAIM_SECONDS="2",
    )
    await fleet.start(prepare=functools.partial(subscribe, chats=chats, kinds=[AlertType.BIAS]))
    try:
        db = Database(fleet.replicas[0].env["DATABASE_URL"])
        await telegram.wait_for(lambda: telegram.held > 0, timeout=30)
        # What Telegram accepted is on record before the kill (a kill between its answer and
        # that commit would send those again: the Bot API has no idempotency key).
        await wait_sent(fleet.replicas[0].env["DATABASE_URL"], ACCEPTED)
        holder = await scalar(db, "SELECT holder FROM leases WHERE name = 'bias'")
        killed = next(b for b in fleet.replicas if b.env["INSTANCE_ID"] == holder)
        survivor = next(b for b in fleet.replicas if b is not killed)
        assert await metric(survivor, "job_runs_total", job="bias") == 0  # not its job yet
        await killed.kill()  # SIGKILL: its leases and claims stay until they lapse
        telegram.release_sends()
        await telegram.wait_for(lambda: telegram.all_sent(chats), timeout=60)
        moved = "SELECT holder FROM leases WHERE name = 'bias'"
        await until(db, moved, survivor.env["INSTANCE_ID"], timeout=8 + 2 * INTERVAL)
        # Two more of the survivor's runs: a second alert would be queued and sent by now.
        await asyncio.sleep(2 * INTERVAL + 1)
        runs = await metric(survivor, "job_runs_total", job="bias")  # counted as a run ends
        await db.close()
    finally:
        await fleet.stop()
    assert runs >= 1  # the survivor runs the job now
    sent = telegram.sent_per_chat()
    assert all(sent[c] == 1 for c in chats)
