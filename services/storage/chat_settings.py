"""Where a chat's settings are kept: its JSON document (`chat_settings`), its push modes (its
subscription rows) and the Telegram language its chat was seen with (`chats`), read together for
many chats in one session; and the brief job's scan of who is due."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import or_, select, update

from services.storage.db import Database
from services.storage.tables import Chat, ChatSettingsRow, SubscriptionRow

CHUNK = 500  # chat ids per IN (...): far below any database's parameter limit


class StoredSettings(BaseModel):
    data: str | None = None
    version: int = 0  # 0: never written
    modes: dict[str, str] = Field(default_factory=dict)  # kind -> on / silent / off
    seen_language: str | None = None  # the chats row's (a user's Telegram language)


class BriefSlot(BaseModel):
    chat_id: int
    tz: str | None
    minute: int
    last_on: str | None


class ConflictError(Exception):
    """Another writer changed the document since it was read: read again and re-apply."""


class ChatSettingsStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def read(self, chat_ids: list[int]) -> dict[int, StoredSettings]:
        """Every chat asked for gets an entry (the defaults where nothing is stored), bounded
        like a lookup (`Database.quick`)."""
        return await self._db.quick(self._read(chat_ids))

    async def read_all(self, chat_ids: list[int]) -> dict[int, StoredSettings]:
        """`read` for a job's audience (thousands of chats): not bounded like a lookup."""
        return await self._read(chat_ids)

    async def _read(self, chat_ids: list[int]) -> dict[int, StoredSettings]:
        found = {chat_id: StoredSettings() for chat_id in chat_ids}
        async with self._db.sessions() as session:
            for start in range(0, len(chat_ids), CHUNK):
                chunk = chat_ids[start : start + CHUNK]
                rows = await session.execute(
                    select(
                        ChatSettingsRow.chat_id, ChatSettingsRow.data, ChatSettingsRow.version
                    ).where(ChatSettingsRow.chat_id.in_(chunk))
                )
                for chat_id, data, version in rows:
                    found[chat_id].data, found[chat_id].version = data, version
                subs = await session.execute(
                    select(
                        SubscriptionRow.chat_id,
                        SubscriptionRow.kind,
                        SubscriptionRow.active,
                        SubscriptionRow.silent,
                    ).where(SubscriptionRow.chat_id.in_(chunk))
                )
                for chat_id, kind, active, silent in subs:
                    mode = "off" if not active else "silent" if silent else "on"
                    found[chat_id].modes[kind] = mode
                seen = await session.execute(
                    select(Chat.chat_id, Chat.language).where(Chat.chat_id.in_(chunk))
                )
                for chat_id, language in seen:
                    found[chat_id].seen_language = language
        return found

    async def write(
        self,
        chat_id: int,
        version: int,
        data: str,
        tz: str | None,
        brief_minute: int | None,
        brief_on: str | None,
        modes: dict[str, str],
    ) -> int:
        """The document `version` was read at, replaced, and the push modes given, in one
        transaction; returns the new version. ConflictError when another writer came first.
        `brief_on` set marks today's brief as done (a brief time set for an hour already
        past does not fire at once)."""
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "data": data,
            "tz": tz,
            "brief_minute": brief_minute,
            "version": version + 1,
            "updated_at": now,
        }
        if brief_on is not None:
            values["brief_on"] = brief_on
        async with self._db.saving() as session:
            if version == 0:
                statement = self._db.insert(ChatSettingsRow).values(chat_id=chat_id, **values)
                statement = statement.on_conflict_do_nothing(index_elements=["chat_id"])
            else:
                statement = (
                    update(ChatSettingsRow)
                    .where(ChatSettingsRow.chat_id == chat_id, ChatSettingsRow.version == version)
                    .values(values)
                )
            result = await session.execute(statement)
            if not result.rowcount:  # type: ignore[attr-defined]
                raise ConflictError(chat_id)
            if modes:
                rows = [
                    {
                        "chat_id": chat_id,
                        "kind": kind,
                        "active": mode != "off",
                        "silent": mode == "silent",
                        "updated_at": now,
                    }
                    for kind, mode in modes.items()
                ]
                upsert = self._db.insert(SubscriptionRow).values(rows)
                upsert = upsert.on_conflict_do_update(
                    index_elements=["chat_id", "kind"],
                    set_={
                        "active": upsert.excluded.active,
                        "silent": upsert.excluded.silent,
                        "updated_at": now,
                    },
                )
                await session.execute(upsert)
        return version + 1

    async def brief_slots(self) -> list[BriefSlot]:
        """Every chat with a brief time: the brief job decides who is due from these columns
        alone (a chat's zone is its own or the operator's)."""
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(
                    ChatSettingsRow.chat_id,
                    ChatSettingsRow.tz,
                    ChatSettingsRow.brief_minute,
                    ChatSettingsRow.brief_on,
                ).where(ChatSettingsRow.brief_minute.is_not(None))
            )
            return [
                BriefSlot(chat_id=c, tz=tz, minute=m, last_on=on) for c, tz, m, on in rows.all()
            ]

    @staticmethod
    def take_brief(chat_id: int, day: str) -> Any:
        """The statement that claims `day`'s brief for a chat: it changes one row only when the
        brief was not taken yet, so run in the transaction that queues the brief, it is sent
        once however many replicas or restarts try."""
        return (
            update(ChatSettingsRow)
            .where(
                ChatSettingsRow.chat_id == chat_id,
                or_(ChatSettingsRow.brief_on.is_(None), ChatSettingsRow.brief_on != day),
            )
            .values(brief_on=day)
        )
