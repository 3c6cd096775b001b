"""Two replicas in webhook mode on one Redis and one PostgreSQL (tests/e2e/fleet.py), against
the fake Bot API (with a per-second flood limit) and fake vendors.

1. A burst of 1,000 `/ticker SOL` from new users, split across both: upstream OKX calls, the
   answers' rate against the shared pace, lost and duplicated answers, 429s.
2. A push to 500 chats queued in the fleet's outbox: its rate against the shared pace, how many
   each replica's sender sent, lost and duplicated copies.
3. The replica holding the sniper job's lease is killed with SIGKILL: seconds until the other
   holds it, against the lease's length (1.5 intervals + 5 s).

Needs REDIS_URL and a PostgreSQL DATABASE_URL (as .ci/run sets them). Prints one JSON line.
Targets: 1 upstream call, rates <= pace, both replicas send the push, 0 lost, 0 duplicated,
0 429s, failover <= the lease plus one job interval (the other replica asks for the lease on its
own next run).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.storage.db import Database
from tests.e2e.fleet import Fleet, push
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

USERS = 1000
PUSHED = 500
PACE = 100.0  # the fleet's TELEGRAM_GLOBAL_PER_SECOND, scaled up from 25 to keep the run short
# The fake's flood limit: two replicas pacing alone (200/s) break it. The fake counts sends
# when its loop gets to them, so a stall of this process counts a backlog as one burst:
# `fake_max_stall_ms` says how long it stalled in this run (a 429 beside a long stall is the
# fake's, not the fleet's).
LIMIT = 120.0
SNIPER_SECONDS = 2
LEASE_SECONDS = SNIPER_SECONDS * 1.5 + 5
OKX_TICKER = ("/api/v5/market/tickers", "/api/v5/market/ticker")


async def holder(engine: Any) -> str | None:
    async with engine.connect() as connection:
        row = (
            await connection.execute(text("SELECT holder FROM leases WHERE name = 'sniper'"))
        ).first()
    return None if row is None else str(row[0])


def rate(times: list[float]) -> float:
    """Sends per second from the first to the last."""
    return (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 else 0.0


async def broadcast(fleet: Fleet, telegram: FakeTelegram) -> dict[str, Any]:
    chats = list(range(9_500_000, 9_500_000 + PUSHED))
    db = Database(fleet.replicas[0].env["DATABASE_URL"])
    await push(db, chats)
    await telegram.wait_for(lambda: telegram.all_sent(chats), timeout=120)
    await asyncio.sleep(1)  # a late duplicate would land now
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT claimed_by, count(*) FROM deliveries GROUP BY claimed_by")
        )
        senders = {str(row[0]): int(row[1]) for row in rows}
    await db.close()
    wanted = set(chats)
    answers = telegram.calls_to("sendMessage", ok=True)
    sends = [c.at for c in answers if int(c.params["chat_id"]) in wanted]
    sent = telegram.sent_per_chat()
    copies = [sent[c] for c in chats]
    return {
        "chats": PUSHED,
        "rate_per_s": round(rate(sends), 1),
        "rate_over_pace": round(rate(sends) / PACE, 2),
        "sent_by": senders,
        "lost": sum(1 for n in copies if n == 0),
        "duplicated": sum(1 for n in copies if n > 1),
    }


async def watch(stalls: list[float]) -> None:
    """How late this process's loop (the fakes') wakes from a short sleep."""
    while True:
        started = time.monotonic()
        await asyncio.sleep(0.005)
        stalls.append(time.monotonic() - started - 0.005)


async def wait_for(predicate: Any, seconds: float) -> float:
    started = time.monotonic()
    while not await predicate():
        if time.monotonic() - started > seconds:
            raise SystemExit("timed out")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def main() -> dict[str, Any]:
    redis_url, database_url = os.environ["REDIS_URL"], os.environ["DATABASE_URL"]
    telegram = FakeTelegram(send_limit_per_second=LIMIT)
    vendors = FakeVendors()
    await telegram.start()
    await vendors.start()
    stalls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Fleet(
            telegram,
            vendors,
            Path(tmp),
            redis_url,
            database_url,
            TELEGRAM_GLOBAL_PER_SECOND=str(PACE),
            TICKER_CACHE_TTL_MS="60000",
            USER_COMMANDS_PER_MINUTE="1000",
            SNIPER_INTERVAL_SECONDS=str(SNIPER_SECONDS),
        )
        await fleet.start()
        try:
            chats = list(range(9_000_000, 9_000_000 + USERS))
            watching = asyncio.create_task(watch(stalls))  # while the burst and the push run
            await fleet.burst("/ticker SOL", chats)
            await telegram.wait_for(lambda: len(telegram.sent_texts()) >= USERS, timeout=120)
            await asyncio.sleep(1)  # a late duplicate would land now
            sends = [
                c.at
                for c in telegram.calls_to("sendMessage", ok=True)
                if int(c.params["chat_id"]) in set(chats)
            ]
            sent = telegram.sent_per_chat()
            answers = [sent[c] for c in chats]
            calls = sum(vendors.count(path) for path in OKX_TICKER)
            pushed = await broadcast(fleet, telegram)
            watching.cancel()

            url = fleet.replicas[0].env["DATABASE_URL"]
            engine = create_async_engine(url)
            await wait_for(lambda: _held(engine), 30)
            first = await holder(engine)
            killed = next(b for b in fleet.replicas if b.env["INSTANCE_ID"] == first)
            await killed.kill()
            failover = await wait_for(lambda: _moved(engine, first), 3 * LEASE_SECONDS)
            await engine.dispose()
        finally:
            await fleet.stop()
    await telegram.stop()
    await vendors.stop()
    answered = rate(sends)
    return {
        "bench": "replicas",
        "users": USERS,
        "upstream_calls": calls,
        "answer_rate_per_s": round(answered, 1),
        "shared_pace_per_s": PACE,
        "rate_over_pace": round(answered / PACE, 2),
        "lost": sum(1 for n in answers if n == 0),
        "duplicated": sum(1 for n in answers if n > 1),
        "push": pushed,
        "http_429": telegram.rate_limited,
        "fake_max_stall_ms": round(max(stalls, default=0.0) * 1000),
        "failover_seconds": round(failover, 1),
        "lease_seconds": LEASE_SECONDS,
        "job_interval_seconds": SNIPER_SECONDS,
        "target_met": calls == 1
        and answered <= PACE * 1.05
        and all(n == 1 for n in answers)
        and pushed["rate_per_s"] <= PACE * 1.05
        and len(pushed["sent_by"]) == len(fleet.replicas)
        and pushed["lost"] == pushed["duplicated"] == 0
        and telegram.rate_limited == 0
        and failover <= LEASE_SECONDS + SNIPER_SECONDS,
    }


async def _held(engine: Any) -> bool:
    return await holder(engine) is not None


async def _moved(engine: Any, first: str | None) -> bool:
    now = await holder(engine)
    return now is not None and now != first


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
