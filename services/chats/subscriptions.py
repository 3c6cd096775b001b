"""Who receives pushes: per chat and kind, kept true to Telegram (blocked, removed, migrated)."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

from loguru import logger
from sqlalchemy import select, update

from services.kernel.alerts import PUSHES, SUBSCRIBABLE, AlertType
from services.kernel.errors import ArgumentError
from services.storage.db import Database
from services.storage.tables import ChatSettingsRow, SubscriptionRow


def parse_kinds(text: str | None) -> list[AlertType]:
    """`bias`, `sniper`, `followups`, `all` or nothing (= all pushes)."""
    value = (text or "all").strip().lower().replace("-", "")
    if value == "all":
        return list(PUSHES)
    if value not in SUBSCRIBABLE:
        raise ArgumentError(value, [*(k.value for k in SUBSCRIBABLE), "all"])
    return [AlertType(value)]


class SubscriptionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, chat_id: int, kinds: list[AlertType], active: bool) -> None:
        now = datetime.now(UTC)
        rows = [
            {"chat_id": chat_id, "kind": k.value, "active": active, "updated_at": now}
            for k in kinds
        ]
        statement = self._db.insert(SubscriptionRow).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["chat_id", "kind"],
            set_={"active": statement.excluded.active, "updated_at": now},
        )
        async with self._db.saving() as session:
            await session.execute(statement)

    async def of_chat(self, chat_id: int) -> list[AlertType]:
        async with self._db.sessions() as session:
            kinds = await session.scalars(
                select(SubscriptionRow.kind).where(
                    SubscriptionRow.chat_id == chat_id, SubscriptionRow.active
                )
            )
            return sorted(AlertType(k) for k in kinds if k in SUBSCRIBABLE)

    async def subscribers(self, kind: AlertType) -> list[int]:
        async with self._db.sessions() as session:
            chats = await session.scalars(
                select(SubscriptionRow.chat_id).where(
                    SubscriptionRow.kind == kind.value, SubscriptionRow.active
                )
            )
            return sorted(chats)

    async def muted(self, chat_ids: list[int]) -> builtins.set[int]:
        """The chats among these that turned follow-up replies off."""
        if not chat_ids:
            return set()
        async with self._db.sessions() as session:
            chats = await session.scalars(
                select(SubscriptionRow.chat_id).where(
                    SubscriptionRow.kind == AlertType.FOLLOWUPS.value,
                    SubscriptionRow.active.is_(False),
                    SubscriptionRow.chat_id.in_(chat_ids),
                )
            )
            return set(chats)

    async def chat_gone(self, chat_id: int, why: str) -> None:
        """Blocked by the user, removed from the group, or a 403 on send: stop pushing there."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(SubscriptionRow)
                .where(
                    SubscriptionRow.chat_id == chat_id,
                    # The operator's pushes; the modes of the chat's own alerts stay as it set them.
                    SubscriptionRow.kind.in_([k.value for k in SUBSCRIBABLE]),
                )
                .values(active=False, updated_at=datetime.now(UTC))
            )
        logger.info("chat {} gone ({}): subscriptions deactivated", chat_id, why)

    async def chat_migrated(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its push modes (silent ones too) and its settings move
        to the new id."""
        async with self._db.sessions() as session, session.begin():
            modes = (
                await session.scalars(
                    select(SubscriptionRow).where(SubscriptionRow.chat_id == old_id)
                )
            ).all()
            settings = await session.get(ChatSettingsRow, old_id)
            now = datetime.now(UTC)
            if modes:
                statement = self._db.insert(SubscriptionRow).values(
                    [
                        {
                            "chat_id": new_id,
                            "kind": row.kind,
                            "active": row.active,
                            "silent": row.silent,
                            "updated_at": now,
                        }
                        for row in modes
                    ]
                )
                await session.execute(
                    statement.on_conflict_do_nothing(index_elements=["chat_id", "kind"])
                )
            if settings is not None:
                copy = self._db.insert(ChatSettingsRow).values(
                    chat_id=new_id,
                    version=1,
                    data=settings.data,
                    tz=settings.tz,
                    brief_minute=settings.brief_minute,
                    brief_on=settings.brief_on,
                    updated_at=now,
                )
                await session.execute(copy.on_conflict_do_nothing(index_elements=["chat_id"]))
        await self.chat_gone(old_id, f"migrated to {new_id}")
