"""Engine, sessions and migrations for the configured DATABASE_URL."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from loguru import logger
from sqlalchemy import event, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from services.kernel.outage import Outage
from services.storage.errors import StorageUnavailableError, classify

# A write made inside the caller's transaction, told which signals reached a chat (the outbox
# records a call in the same commit as the alert that pushes it).
Record = Callable[[AsyncSession, set[str]], Awaitable[None]]

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")
# `revision = "0009"` / `down_revision = "0008"` in a revision file, as alembic writes them.
_REVISION = re.compile(r'^(down_revision|revision) = (?:"([^"]+)"|None)$', re.M)


def utc(moment: datetime) -> datetime:
    """SQLite stores no zone and returns naive datetimes; everything written here was UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _current_revision(connection: Connection) -> str | None:
    """The database's revision, as alembic keeps it (no table yet: None)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config() -> Config:
    from alembic.config import Config  # only when migrating: alembic costs a quarter second

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head_revision() -> str | None:
    """The newest revision in migrations/: the one no other revision follows. Read from the
    files' two lines, without alembic, so a start at the newest revision never imports it;
    None when the files say anything else (alembic then decides, as it always does)."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((name, value or None) for name, value in _REVISION.findall(path.read_text()))
        if "revision" not in found or not found["revision"]:
            return None
        revisions[found["revision"]] = found.get("down_revision")
    heads = set(revisions) - {down for down in revisions.values() if down}
    return heads.pop() if len(heads) == 1 else None


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer, and with synchronous=NORMAL a commit is not an
    fsync: a killed process loses nothing committed (only a power cut could), and the alert
    sender's one commit per delivery stays cheap."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


MIGRATE_LOCK = 0x63727970746F  # any constant the fleet agrees on ("crypto")


class GuardedSession(AsyncSession):
    """A session whose storage failures surface as StorageUnavailableError (whatever the
    driver), and which fails at once, without touching the database, while it is known down.
    Every use is `async with db.sessions() as session`, so this is the one place to do it."""

    def __init__(self, *args: Any, guard: Outage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard

    async def __aenter__(self) -> Self:
        if self._guard.down:
            raise StorageUnavailableError(self._guard.reason, connection=True)
        return await super().__aenter__()

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            await super().__aexit__(type_, value, traceback)
        except Exception as exc:  # closing failed (a dead connection): the first error wins
            if value is None:
                raise self._converted(exc) from exc
        if isinstance(value, Exception):
            converted = self._converted(value)
            if converted is not value:
                raise converted from value

    def _converted(self, error: Exception) -> Exception:
        unavailable = classify(error)
        if unavailable is None:
            return error
        if unavailable.connection:
            self._guard.failed(unavailable.detail)
        return unavailable


class Database:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        statement_timeout: float = 10.0,
        probe_seconds: float = 10.0,
    ) -> None:
        """`timeout` bounds a connect and a wait for a pooled connection, and how long an
        answer waits on a lookup (`quick`); `statement_timeout` bounds one statement (a hung
        server costs at most that, once: then the database is known down)."""
        parsed = make_url(url)
        self.timeout = timeout
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # The default sqlite+aiosqlite:///data/bot.db must work on a fresh checkout.
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.get_backend_name() == "postgresql":
            # asyncpg: `timeout` is the connect timeout, `command_timeout` each statement's.
            # Without them a hung server holds a caller for the kernel's TCP timeout.
            options["connect_args"] = {"timeout": timeout, "command_timeout": statement_timeout}
            options["pool_timeout"] = timeout
        # pre_ping: a connection cut while idle in the pool is replaced before use, so a
        # restarted server costs nobody an error.
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True, **options)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.outage = Outage(
            "database",
            self._ping,
            fallback="answers use defaults and cached values, writes are refused",
            probe_seconds=probe_seconds,
        )
        self.sessions = async_sessionmaker(
            self.engine, class_=GuardedSession, expire_on_commit=False, guard=self.outage
        )

    async def _ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def quick(self, work: Awaitable[T]) -> T:
        """For what a chat's answer waits on (its language, a flag): the result within
        `timeout` seconds, else StorageUnavailableError, and a database server counts as down
        (a SQLite file that slow is busy with a long write, not gone). The work itself is not
        cancelled (a statement cancelled mid-flight can leave its pooled connection in doubt);
        it finishes or fails on its own, unwatched."""
        task = asyncio.ensure_future(work)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            task.add_done_callback(_forget)
            reason = f"no answer within {self.timeout:g}s"
            server = self.engine.dialect.name != "sqlite"
            if server:
                self.outage.failed(reason)
            raise StorageUnavailableError(reason, connection=server) from None

    @contextlib.asynccontextmanager
    async def saving(self) -> AsyncIterator[AsyncSession]:
        """A write transaction for something a user asked for: its failure says so (the answer
        is "could not save", not "could not read")."""
        try:
            async with self.sessions() as session, session.begin():
                yield session
        except StorageUnavailableError as exc:
            raise exc.as_write() from exc

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent; safe on every start)."""

        def upgrade(connection: Connection) -> str | None:
            current = _current_revision(connection)
            if current is not None and current == head_revision():
                return current  # alembic's own run would load env.py and every revision again
            from alembic import command
            from alembic.migration import MigrationContext

            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                # Replicas starting together: one migrates, the others wait here and then
                # find the schema at head (the lock ends with this transaction).
                lock = text("SELECT pg_advisory_xact_lock(:k)")
                await connection.execute(lock, {"k": MIGRATE_LOCK})
            revision = await connection.run_sync(upgrade)
        logger.info("database {} at revision {}", self.engine.dialect.name, revision)

    def insert(self, table: type[Any]) -> Any:
        """An INSERT with ON CONFLICT for this backend (both dialects spell it the same)."""
        if self.engine.dialect.name == "postgresql":
            return pg_insert(table)
        return sqlite_insert(table)

    async def close(self) -> None:
        await self.outage.close()
        await self.engine.dispose()


def _forget(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: the caller already answered without it
