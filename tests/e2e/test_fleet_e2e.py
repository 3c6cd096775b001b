"""Two replicas in webhook mode on the real Redis and PostgreSQL behave as one bot: a burst split
across them is one upstream call, and together they keep Telegram's per-token send rate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from services.storage.db import Database
from tests.e2e.alerts import wait_sent
from tests.e2e.fleet import Fleet, push
from tests.fakes.stores import proxied_redis
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

OKX_TICKER = ("/api/v5/market/tickers", "/api/v5/market/ticker")
PACE = 100  # what the fleet may send per second, together (25 in production; quicker here)
SENDING = "SELECT claimed_by FROM deliveries WHERE status <> 'sent' AND claimed_by IS NOT NULL"
# The fake's flood control: two replicas pacing on their own send 200/s and break it. The
# headroom over PACE is for the fake itself: it counts a send when its loop gets to it, and in
# a full parallel run on two cores it can stall long enough to count a backlog as a burst.
LIMIT = 150


@pytest.mark.postgres
async def test_a_split_burst_is_one_upstream_call_and_one_send_rate(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> None:
    telegram.send_limit_per_second = LIMIT
    fleet = Fleet(
        telegram,
        vendors,
        tmp_path,
        redis_url,
        database_url,
        TELEGRAM_GLOBAL_PER_SECOND=str(PACE),
        TICKER_CACHE_TTL_MS="60000",
        USER_COMMANDS_PER_MINUTE="1000",
    )
    await fleet.start()
    try:
        chats = list(range(8_100_000, 8_101_000))  # 1,000 users at once, half to each
        statuses = await fleet.burst("/ticker SOL", chats)
        assert set(statuses) == {200}  # Telegram answered at once, every time
        await telegram.wait_for(lambda: len(telegram.sent_texts()) >= len(chats), timeout=60)
    finally:
        await fleet.stop()
    answers = {chat: telegram.sent_texts(chat) for chat in chats}
    # One answer each, the price in the fixture user's Indonesian (a decimal comma).
    assert all(len(texts) == 1 and "142,35" in texts[0] for texts in answers.values())
    okx = [(c.path, c.query, round(c.at, 2)) for c in vendors.calls if c.path in OKX_TICKER]
    assert len(okx) == 1, okx  # for both replicas
    assert telegram.rate_limited == 0  # together under the token's limit


@pytest.mark.postgres
async def test_the_fleet_answers_through_a_redis_outage_and_shares_again_after(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> None:
    async with proxied_redis(redis_url) as (proxy, through_proxy):
        fleet = Fleet(
            telegram,
            vendors,
            tmp_path,
            through_proxy,
            database_url,
            STORE_PROBE_SECONDS="0.5",
            USER_COMMANDS_PER_MINUTE="1000",
            TELEGRAM_GLOBAL_PER_SECOND="200",
        )
        await fleet.start()
        try:
            rounds = [list(range(8_200_000 + 100 * n, 8_200_040 + 100 * n)) for n in range(3)]
            for n, chats in enumerate(rounds):
                if n == 1:
                    await proxy.set_mode("refuse")  # Redis restarting
                if n == 2:
                    await proxy.set_mode("pass")
                    await asyncio.sleep(1.5)  # the replicas' probes find it again
                assert set(await fleet.burst("/ticker SOL", chats)) == {200}
                await telegram.wait_for(lambda chats=chats: telegram.all_sent(chats), timeout=30)
        finally:
            await fleet.stop()
        logs = [bot.log() for bot in fleet.replicas]
    for chats in rounds:
        answers = [telegram.sent_texts(c) for c in chats]
        assert all(len(a) == 1 and "142,35" in a[0] for a in answers)
    assert all("went wrong" not in text for text in telegram.sent_texts())
    # Each replica said once that it lost Redis, and once that it uses it again.
    assert all(log.lower().count("redis is not answering") == 1 for log in logs)
    assert all("answers again" in log for log in logs)


@pytest.mark.postgres
async def test_a_push_to_many_chats_goes_out_once_per_chat_at_the_shared_rate(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> None:
    telegram.send_limit_per_second = LIMIT
    fleet = Fleet(
        telegram, vendors, tmp_path, redis_url, database_url, TELEGRAM_GLOBAL_PER_SECOND=str(PACE)
    )
    await fleet.start()
    chats = list(range(8_300_000, 8_300_500))
    try:
        db = Database(fleet.replicas[0].env["DATABASE_URL"])
        assert await push(db, chats) == len(chats)
        # Both replicas' senders find the deliveries on their poll and claim a second's worth
        # at a time, so both send, together at the shared pace.
        await telegram.wait_for(lambda: telegram.all_sent(chats), timeout=90)
        await asyncio.sleep(1.0)  # a second copy would arrive now
        async with db.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT claimed_by, count(*) FROM deliveries GROUP BY claimed_by")
            )
            senders = {row[0]: row[1] for row in rows}
        await db.close()
    finally:
        await fleet.stop()
    sent = telegram.sent_per_chat()
    assert all(sent[c] == 1 for c in chats)
    assert telegram.rate_limited == 0  # two senders, one token: under its flood limit
    assert set(senders) == {"replica-0", "replica-1"}, senders  # each sent its share
    assert sum(senders.values()) == len(chats)


@pytest.mark.postgres
async def test_the_sending_replica_killed_mid_push_the_other_finishes_once_per_chat(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> None:
    telegram.hold_sends_after = 60  # then sends hang unanswered: the moment of the kill
    fleet = Fleet(
        telegram,
        vendors,
        tmp_path,
        redis_url,
        database_url,
        TELEGRAM_GLOBAL_PER_SECOND="100",
        DELIVERY_CLAIM_SECONDS="2",
    )
    await fleet.start()
    chats = list(range(8_400_000, 8_400_150))
    try:
        db = Database(fleet.replicas[0].env["DATABASE_URL"])
        await push(db, chats)
        await telegram.wait_for(lambda: telegram.held > 0, timeout=30)
        # What Telegram accepted is on record before the kill (as the single-replica test).
        await wait_sent(fleet.replicas[0].env["DATABASE_URL"], 60)
        async with db.engine.connect() as connection:
            sender = await connection.scalar(text(SENDING))
        killed = next(b for b in fleet.replicas if b.env["INSTANCE_ID"] == sender)
        await killed.kill()  # SIGKILL: its claims stay until they lapse
        telegram.release_sends()
        await telegram.wait_for(lambda: telegram.all_sent(chats), timeout=60)
        await asyncio.sleep(1.5)  # a second copy would arrive now
        await db.close()
    finally:
        await fleet.stop()
    sent = telegram.sent_per_chat()
    assert all(sent[c] == 1 for c in chats)
