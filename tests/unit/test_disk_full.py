"""SQLite out of disk: /subscribe says plainly that nothing was saved (not "Something went
wrong"), pushes wait without losing or repeating anything, and all resume once there is space.

How the full disk is made: SQLite answers a write it cannot store with SQLITE_FULL,
"database or disk is full". The first test makes SQLite itself say so (a database capped with
PRAGMA max_page_count) and checks the storage layer's reading of that genuine error. The
others raise the same error (same class, code and text) from every INSERT/UPDATE/DELETE via an
engine event: a capped page count still lets in-place updates through, while a real full disk
under WAL refuses every write (each appends to the log), and filling a real filesystem needs a
mount this test cannot count on."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.delivery.deliveries import DeliveryStatus
from services.storage.db import Database
from services.storage.errors import classify
from tests.fakes.outage_matrix import Matrix, matrix_fixture, seconds
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import Build, MakeDispatch

matrix = matrix_fixture("SQLite out of disk or busy: outcome per check")
NOT_SAVED = "Couldn't save that right now; please try again in a minute."
WRITES = ("INSERT", "UPDATE", "DELETE")


class DiskFull:
    """While `full`, every write the bot's engine sends fails as SQLite fails it on a full disk."""

    def __init__(self, db: Database) -> None:
        self.full = False
        self.refused = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._before)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.full and statement.lstrip()[:6].upper() in WRITES:
            self.refused += 1
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
            error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
            raise error


def test_sqlite_s_own_disk_full_error_reads_as_storage_unavailable(
    tmp_path: Path, matrix: Matrix
) -> None:
    path = tmp_path / "capped.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (v TEXT)")
    connection.commit()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as caught:
        for _ in range(1000):
            connection.execute("INSERT INTO t VALUES (?)", ("x" * 500,))
    connection.close()
    assert caught.value.sqlite_errorcode == sqlite3.SQLITE_FULL
    unavailable = classify(caught.value)
    assert unavailable is not None and not unavailable.connection  # reads may still work
    matrix.record("disk full", "SQLite's own error", "storage unavailable")


async def test_subscribe_says_nothing_was_saved_and_works_once_there_is_space(
    make_dispatch: MakeDispatch, matrix: Matrix
) -> None:
    bot = await make_dispatch()
    disk = DiskFull(bot.services.db)
    await bot.command("/ticker SOL")
    disk.full = True
    await bot.command("/subscribe")
    await bot.command("/ticker SOL", chat_id=-1001555000111)  # a new chat: not recorded, answered
    subscribed, ticker = bot.texts()[-2:]
    assert subscribed == NOT_SAVED
    assert "SOL" in ticker and "Something went wrong" not in ticker
    await bot.services.seen_chats.flush()  # the new chat's record, tried off the answer's path
    assert disk.refused >= 2 and not bot.logs.tracebacks and not bot.logs.errors
    disk.full = False
    await bot.command("/subscribe")
    assert "This chat receives" in bot.texts()[-1]
    await bot.services.seen_chats.flush()
    assert await bot.services.chats.get(-1001555000111) is not None  # kept, written now
    matrix.record("disk full", "/subscribe", "couldn't save")
    matrix.record("disk full", "/ticker", "answered")
    matrix.record("space back", "/subscribe", "saved")


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_pushes_wait_while_the_disk_is_full_and_all_go_out_once_there_is_space(
    build: Build, telegram: FakeTelegram, matrix: Matrix
) -> None:
    services = await build(
        bot_token=telegram.token, telegram_api_base=telegram.base_url, telegram_global_per_second=10
    )
    disk = DiskFull(services.db)
    bot = make_bot(services.settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    chats = list(range(8001, 8021))
    await services.outbox.publish(*bias_alert("SOL"), chats)
    logs: list[str] = []
    from loguru import logger

    sink = logger.add(lambda m: logs.append(m.record["message"]), level="WARNING")
    running = asyncio.create_task(sender.run())

    def sent() -> Counter[int]:
        return Counter(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage", ok=True))

    try:
        await telegram.wait_for(lambda: len(sent()) >= 5)
        disk.full = True  # mid-broadcast: sends at Telegram now cannot be marked
        # The sends already on their way when the disk filled may still land; once none has
        # for half a second (a loaded machine takes longer than one), nothing new may come.
        during = len(sent())
        for _ in range(20):
            await asyncio.sleep(0.5)
            if len(sent()) == during:
                break
            during = len(sent())
        assert during < len(chats)  # only what was on its way: the rest waits for the disk
        await asyncio.sleep(2.5)  # the sender polls and fails again, quietly
        assert len(sent()) == during  # nothing new while nothing can be recorded
        waiting = [line for line in logs if "storage unavailable" in line]
        assert len(waiting) == 1
        disk.full = False
        await telegram.wait_for(lambda: set(sent()) == set(chats), timeout=15)
        await asyncio.sleep(1.0)
        counts = sent()
        assert set(counts.values()) == {1}  # none lost, none twice
        for _ in range(100):
            if await services.outbox.deliveries.counts() == {DeliveryStatus.SENT: len(chats)}:
                break
            await asyncio.sleep(0.05)
        assert await services.outbox.deliveries.counts() == {DeliveryStatus.SENT: len(chats)}
        matrix.record("disk full", "pushes", f"wait ({during} of {len(chats)} out)")
        matrix.record("space back", "pushes", "all out, 0 lost, 0 twice")
    finally:
        logger.remove(sink)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await sender.finish()
        await bot.session.close()


async def test_a_busy_sqlite_costs_an_answer_at_most_the_timeout_and_is_no_outage(
    make_dispatch: MakeDispatch, matrix: Matrix
) -> None:
    bot = await make_dispatch(database_timeout_seconds=0.5)
    path = make_url(bot.services.settings.database_url).database
    assert path is not None
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the lock (a long job's write)
    try:
        started = time.monotonic()
        await bot.command("/ticker SOL", chat_id=-1001555000222)  # a new chat: recorded first
        took = time.monotonic() - started
    finally:
        locker.rollback()
        locker.close()
    assert "SOL" in bot.texts()[-1]
    assert took < 1.5  # the 0.5 s bound, not SQLite's 5 s busy wait
    assert not bot.services.db.outage.down  # busy is not gone: writes go on at once
    await bot.command("/subscribe")
    assert "This chat receives" in bot.texts()[-1]
    matrix.record("write lock held", "/ticker", f"answered ({seconds(took)})")
    matrix.record("write lock held", "/subscribe", "saved once free")
