"""Storage on SQLite and PostgreSQL: migrations, their match with the models, chat upserts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from services.delivery.followups import FollowUpQueue
from services.storage.chats import ChatInfo, ChatRepository
from services.storage.db import Database, alembic_config, head_revision
from services.storage.tables import Base
from tests.postgres import drop_database, temporary_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path}/nested/dir/bot.db")
        await database.migrate()
        yield database
        await database.close()
        return
    base_url = request.getfixturevalue("database_url")
    url, name = await temporary_database(base_url)
    database = Database(url)
    await database.migrate()
    yield database
    await database.close()
    await drop_database(base_url, name)


async def test_migrations_create_exactly_the_models(db: Database) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert "chats" in tables and "alembic_version" in tables


async def test_migrating_twice_is_harmless(db: Database) -> None:
    await db.migrate()
    assert await ChatRepository(db).count() == 0


async def test_a_chat_is_recorded_once_and_refreshed(db: Database) -> None:
    chats = ChatRepository(db)
    first = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    group = ChatInfo(chat_id=-1001873456210, kind="supergroup", title="SOL Traders")
    await chats.seen(group, now=first)
    await chats.seen(
        group.model_copy(update={"title": "SOL Traders ID"}), now=first + timedelta(hours=1)
    )
    await chats.seen(ChatInfo(chat_id=428756321, kind="private", language="id"), now=first)
    assert await chats.count() == 2
    stored = await chats.get(-1001873456210)
    assert stored is not None and stored.title == "SOL Traders ID"
    assert stored.first_seen.replace(tzinfo=UTC) == first
    assert stored.last_seen.replace(tzinfo=UTC) == first + timedelta(hours=1)
    private = await chats.get(428756321)
    assert private is not None and private.language == "id"


@pytest.mark.postgres
async def test_replicas_starting_together_migrate_once_without_tripping_on_each_other(
    database_url: str,
) -> None:
    url, name = await temporary_database(database_url)  # new and empty: every revision to run
    replicas = [Database(url) for _ in range(3)]
    try:
        await asyncio.gather(*(r.migrate() for r in replicas))
        async with replicas[0].engine.connect() as connection:
            revision = await connection.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
        assert revision == head_revision()
    finally:
        for replica in replicas:
            await replica.close()
        await drop_database(database_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/old.db"
        return
    base_url = request.getfixturevalue("database_url")
    url, name = await temporary_database(base_url)
    yield url
    await drop_database(base_url, name)


async def test_cooldowns_kept_before_their_dedupe_keys_still_hold_after(empty_url: str) -> None:
    """0011 keys cooldowns by (chat, `bias:SOL`): a chat pushed SOL's bias call an hour before
    the upgrade is still inside its cooldown after it, and still marked as holding it."""

    def to(revision: str) -> Callable[[Connection], None]:
        def run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    database = Database(empty_url)
    at = datetime.now(UTC) - timedelta(hours=1)
    async with database.engine.begin() as connection:
        await connection.run_sync(to("0010"))
        await connection.execute(
            text(
                "INSERT INTO cooldowns (chat_id, kind, symbol, direction, last_at, strength, "
                "fingerprint) VALUES (428756321, 'bias', 'SOL', 'LONG', :at, 0.8, NULL)"
            ),
            {"at": at},
        )
        await connection.run_sync(to("head"))
        rows = (
            await connection.execute(text("SELECT chat_id, key, direction FROM push_cooldowns"))
        ).all()
    holding = await FollowUpQueue(database, lambda: None).holding("SOL", "LONG")
    await database.close()
    assert [tuple(r) for r in rows] == [(428756321, "bias:SOL", "LONG")]
    assert holding == [428756321]
