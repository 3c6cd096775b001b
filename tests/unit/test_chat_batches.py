"""The per-chat database work of a first message, batched: many chats' settings in one query,
"chat seen" written in the background in one statement, nothing lost while the database is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.chats.desk import Defaults
from services.chats.seen import SeenChats
from services.chats.settings import ChatSettingsService
from services.storage.chat_settings import ChatSettingsStore, StoredSettings
from services.storage.chats import ChatInfo, ChatRepository
from services.storage.db import Database
from services.storage.errors import StorageUnavailableError
from tests.conftest import sqlite_copy


class CountingChats(ChatRepository):
    """The real repository, counting its batch calls and failing the first `down` of them."""

    def __init__(self, db: Database, down: int = 0) -> None:
        super().__init__(db)
        self.reads = self.writes = 0
        self.down = down

    def _maybe_down(self) -> None:
        if self.down:
            self.down -= 1
            raise StorageUnavailableError("not answering", connection=True)

    async def seen_many(self, chats: list[ChatInfo], now: object = None) -> None:
        self.writes += 1
        self._maybe_down()
        await super().seen_many(chats)


class CountingStore(ChatSettingsStore):
    """The real settings store, counting its batched reads and failing the first `down`."""

    def __init__(self, db: Database, down: int = 0) -> None:
        super().__init__(db)
        self.reads = 0
        self.down = down

    async def read(self, chat_ids: list[int]) -> dict[int, StoredSettings]:
        self.reads += 1
        if self.down:
            self.down -= 1
            raise StorageUnavailableError("not answering", connection=True)
        return await super().read(chat_ids)


DEFAULTS = Defaults(watchlist=["BTC"], timezone="UTC", whale_min_usd=1_000_000)


def settings_of(
    store: ChatSettingsStore, repo: ChatRepository | None = None
) -> ChatSettingsService:
    return ChatSettingsService(store, DEFAULTS, repo)


@pytest.fixture
async def db(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Database]:
    database = Database(sqlite_copy(migrated_sqlite, tmp_path / "chats.db"))
    yield database
    await database.close()


def private(chat_id: int, language: str = "en") -> ChatInfo:
    return ChatInfo(chat_id=chat_id, kind="private", title=None, language=language)


async def test_many_chats_settings_are_one_query_and_each_chat_one_read(db: Database) -> None:
    store = CountingStore(db)
    now = datetime.now(UTC)
    await settings_of(ChatSettingsStore(db)).change(7, "lang", "id", now)
    service = settings_of(store)
    found = await asyncio.gather(*(service.get(c) for c in [*range(100, 300), 7, 7, 7]))
    assert store.reads == 1  # a burst of first messages: one query
    assert [s.language for s in found[-3:]] == ["id", "id", "id"]
    assert {s.language for s in found[:-3]} == {None}
    assert (await service.get(7)).language == "id" and store.reads == 1  # then from memory


async def test_a_database_that_does_not_answer_gives_every_waiter_the_defaults(
    db: Database,
) -> None:
    store = CountingStore(db, down=1)
    service = settings_of(store)
    assert [s.language for s in await asyncio.gather(*(service.get(c) for c in range(5)))] == [
        None
    ] * 5
    await settings_of(ChatSettingsStore(db)).change(3, "lang", "id", datetime.now(UTC))
    assert (await service.get(3)).language == "id"  # the defaults were not remembered


async def test_a_burst_of_new_chats_is_one_write_and_none_is_lost_in_an_outage(
    db: Database,
) -> None:
    repo = CountingChats(db, down=1)
    seen = SeenChats(repo)
    for chat_id in range(1, 301):
        seen.note(private(chat_id))
        seen.note(private(chat_id))  # its second message notes nothing more
    await asyncio.sleep(0.05)  # the writer's first try meets the outage
    assert repo.writes == 1 and await repo.count() == 0
    await seen.flush()  # the next try (the writer's own, or a clean stop's)
    assert await repo.count() == 300 and repo.writes == 2  # all of them, in one statement
    await seen.aclose()


async def test_a_groups_language_survives_the_messages_that_carry_none(db: Database) -> None:
    repo = ChatRepository(db)
    await settings_of(ChatSettingsStore(db), repo).subscribed_by(
        -100, "supergroup", "SOL Traders", "id"
    )
    seen = SeenChats(repo)
    seen.note(ChatInfo(chat_id=-100, kind="supergroup", title="SOL Traders 2", language=None))
    await seen.flush()
    chat = await repo.get(-100)
    assert chat is not None and chat.language == "id" and chat.title == "SOL Traders 2"


async def test_the_memory_of_written_chats_is_bounded_and_starting_over_loses_nothing(
    db: Database,
) -> None:
    repo = CountingChats(db)
    seen = SeenChats(repo, known_max=100)
    for chat_id in range(1, 251):
        seen.note(private(chat_id))
    await seen.flush()
    assert sum(seen.knows(c) for c in range(1, 251)) <= 100
    assert await repo.count() == 250  # every chat written
    seen.note(private(1))  # forgotten: noted again, one more row in a batch, not an error
    await seen.flush()
    assert await repo.count() == 250
    await seen.aclose()
