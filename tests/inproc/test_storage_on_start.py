"""The bot migrates its database on start and records the chats it serves (SQLite, PostgreSQL):
`bot.app.run()` in process. (Was tests/e2e/test_storage_e2e.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.storage.chats import ChatRepository
from services.storage.db import Database
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import bot_settings, run_bot
from tests.postgres import drop_database, temporary_database


async def _check(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, database_url=url)
    async with run_bot(settings, telegram, monkeypatch):
        telegram.push_command("/ticker SOL", chat_id=-1001873456210, chat_type="supergroup")
        await telegram.wait_for_messages(1, chat_id=-1001873456210)
        telegram.push_command("/status", chat_id=1, user_id=1)  # user 1 is in ADMIN_IDS
        [status] = await telegram.wait_for_messages(1, chat_id=1)
    assert "Chats served: 2" in status
    db = Database(url)
    stored = await ChatRepository(db).get(-1001873456210)
    await db.close()
    assert stored is not None and stored.kind == "supergroup" and stored.title == "SOL Traders"


async def test_chats_are_recorded_in_sqlite_by_default(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh/bot.db"  # its directory does not exist yet
    await _check(telegram, vendors, tmp_path, monkeypatch, url)


@pytest.mark.postgres
async def test_chats_are_recorded_in_postgres(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    url, name = await temporary_database(database_url)
    try:
        await _check(telegram, vendors, tmp_path, monkeypatch, url)
    finally:
        await drop_database(database_url, name)
