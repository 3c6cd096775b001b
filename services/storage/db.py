"""Engine, sessions and migrations for the configured DATABASE_URL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from loguru import logger
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utc(moment: datetime) -> datetime:
    """SQLite stores no zone and returns naive datetimes; everything written here was UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer, and with synchronous=NORMAL a commit is not an
    fsync: a killed process loses nothing committed (only a power cut could), and the alert
    sender's one commit per delivery stays cheap."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # The default sqlite+aiosqlite:///data/bot.db must work on a fresh checkout.
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent; safe on every start)."""

        def upgrade(connection: Connection) -> str | None:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.begin() as connection:
            revision = await connection.run_sync(upgrade)
        logger.info("database {} at revision {}", self.engine.dialect.name, revision)

    def insert(self, table: type[Any]) -> Any:
        """An INSERT with ON CONFLICT for this backend (both dialects spell it the same)."""
        if self.engine.dialect.name == "postgresql":
            return pg_insert(table)
        return sqlite_insert(table)

    async def close(self) -> None:
        await self.engine.dispose()
