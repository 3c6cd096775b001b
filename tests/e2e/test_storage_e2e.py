"""The bot migrates its database on start and records the chats it serves (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from services.storage.chats import ChatRepository
from services.storage.db import Database
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.postgres import drop_database, temporary_database


async def _check(start_bot: StartBot, telegram: FakeTelegram, url: str) -> None:
    await start_bot(DATABASE_URL=url)
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
    start_bot: StartBot, telegram: FakeTelegram, tmp_path: object
) -> None:
    await _check(start_bot, telegram, f"sqlite+aiosqlite:///{tmp_path}/fresh/bot.db")


@pytest.mark.postgres
async def test_chats_are_recorded_in_postgres(
    start_bot: StartBot, telegram: FakeTelegram, database_url: str
) -> None:
    url, name = await temporary_database(database_url)
    try:
        await _check(start_bot, telegram, url)
    finally:
        await drop_database(database_url, name)
