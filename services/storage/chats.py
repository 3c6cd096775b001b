"""The chats the bot serves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from services.storage.db import Database
from services.storage.errors import StorageUnavailableError
from services.storage.tables import Chat


class ChatInfo(BaseModel):
    chat_id: int
    kind: str
    title: str | None = None
    language: str | None = None


class ChatRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def seen(self, chat: ChatInfo, now: datetime | None = None) -> None:
        """Insert the chat, or refresh its title, language and last_seen."""
        await self.seen_many([chat], now)

    async def seen_many(self, chats: list[ChatInfo], now: datetime | None = None) -> None:
        """Insert the chats, or refresh their titles, languages and last_seen, in one
        statement bounded like a lookup (`Database.quick`); a group's language (its subscribing
        admin's) is never overwritten by a message that carries none."""
        if not chats:
            return
        moment = now or datetime.now(UTC)
        rows = [chat.model_dump() | {"first_seen": moment, "last_seen": moment} for chat in chats]
        statement = self._db.insert(Chat).values(rows)
        fresh = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[Chat.chat_id],
            set_={
                "kind": fresh.kind,
                "title": fresh.title,
                "language": func.coalesce(fresh.language, Chat.language),
                "last_seen": fresh.last_seen,
            },
        )
        await self._db.quick(self._execute(statement))

    async def _execute(self, statement: Any) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(statement)

    async def groups(self, limit: int) -> list[tuple[int, str | None]]:
        """The groups the bot was most recently in, newest first, with their titles."""
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(Chat.chat_id, Chat.title)
                .where(Chat.kind.in_(["group", "supergroup"]))
                .order_by(Chat.last_seen.desc())
                .limit(limit)
            )
            return [(chat_id, title) for chat_id, title in rows.all()]

    async def get(self, chat_id: int) -> Chat | None:
        async with self._db.sessions() as session:
            return await session.get(Chat, chat_id)

    async def count(self) -> int | None:
        """For /status: None when the database does not answer in time (the rest of the
        status is still worth showing)."""
        try:
            return await self._db.quick(self._count())
        except StorageUnavailableError:
            return None

    async def _count(self) -> int:
        async with self._db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Chat)) or 0)
