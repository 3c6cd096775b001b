"""The one error the storage layer raises when the database cannot do what was asked: refused,
not answering, cut mid-statement, out of disk, locked too long. Callers (and the bot's error
handler) see this type, never a driver's exception."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

# SQLite result codes that mean "the store cannot take this now", not "this is a bug".
_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_SQLITE_STORE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
_SQLITE_TEXTS = ("disk is full", "disk i/o error", "unable to open", "database is locked")
# PostgreSQL SQLSTATE classes and codes: connection exceptions (08), insufficient resources
# (53: disk full, out of memory, too many connections), operator intervention (57: shutdown,
# cannot connect now, statement timeout), system errors (58).
_PG_CLASSES = ("08", "53", "57", "58")


class StorageUnavailableError(Exception):
    """`connection` is True when the database itself is out of reach (refused, not answering,
    cut): everything waits for it to come back. False when it answered but could not take the
    write (disk full, locked): reads may still work. `writing` says a write was refused, for
    the words of the answer."""

    def __init__(self, detail: str, *, connection: bool = False, writing: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.connection = connection
        self.writing = writing

    def as_write(self) -> StorageUnavailableError:
        error = StorageUnavailableError(self.detail, connection=self.connection, writing=True)
        error.__cause__ = self.__cause__
        return error


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(error: BaseException) -> StorageUnavailableError | None:
    """The StorageUnavailableError this failure amounts to, or None when it is something else
    (a constraint, a bug in a statement) and must surface as it is."""
    if isinstance(error, StorageUnavailableError):
        return error
    for cause in _chain(error):
        detail = f"{type(cause).__name__}: {cause}".splitlines()[0][:200]
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return StorageUnavailableError(detail, connection=True)
        if isinstance(cause, sa_exc.TimeoutError):  # no pooled connection came free in time
            return StorageUnavailableError(detail, connection=True)
        if isinstance(cause, OSError):  # refused, reset, timed out (TimeoutError is one)
            return StorageUnavailableError(detail, connection=True)
        if isinstance(cause, sqlite3.Error):
            code = getattr(cause, "sqlite_errorcode", None)
            text = str(cause).lower()
            if (
                code in _SQLITE_BUSY
                or code in _SQLITE_STORE
                or any(t in text for t in _SQLITE_TEXTS)
            ):
                return StorageUnavailableError(detail)
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state[:2] in _PG_CLASSES:
            return StorageUnavailableError(detail, connection=state[:2] in ("08", "57"))
        if type(cause).__module__.startswith("asyncpg") and (
            "closed" in str(cause).lower() or type(cause).__name__.startswith("Connection")
        ):
            # asyncpg's "connection is closed" / ConnectionDoesNotExistError carry no SQLSTATE.
            return StorageUnavailableError(detail, connection=True)
    return None
