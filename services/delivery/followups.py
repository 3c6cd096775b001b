"""Follow-ups on what chats were already pushed: the messages a call went out as, and new
deliveries that edit or answer them. Written to the same outbox tables, so the one paced sender
delivers them and a restart loses none."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.delivery.deliveries import DeliveryStatus
from services.delivery.models import Alert, BiasPush, EditPush, OutcomePush
from services.kernel.alerts import AlertType
from services.storage.db import Database
from services.storage.tables import AlertRow, CooldownRow, DeliveryRow

WITHDRAWN = "withdrawn"  # a bias cooldown's fingerprint once the chat was told


class FollowUpQueue:
    def __init__(self, db: Database, wake: Callable[[], None]) -> None:
        self._db = db
        self._wake = wake  # the outbox's listeners: the sender wakes

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction for a state change and the follow-ups it causes, so neither is
        written without the other; the sender is woken once it commits."""
        async with self._db.sessions() as session, session.begin():
            yield session
        self.wake()

    def wake(self) -> None:
        self._wake()

    async def messages_of(
        self, call_id: int, session: AsyncSession | None = None
    ) -> list[tuple[int, int]]:
        """(chat, message) for every chat the call's push reached, newest message per chat."""
        async with self._db.sessions() if session is None else nullcontext(session) as reader:
            rows = await reader.execute(
                select(DeliveryRow.chat_id, DeliveryRow.message_id)
                .join(AlertRow, AlertRow.id == DeliveryRow.alert_id)
                .where(
                    AlertRow.call_id == call_id,
                    AlertRow.kind == AlertType.SNIPER.value,
                    DeliveryRow.status == DeliveryStatus.SENT,
                    DeliveryRow.message_id.is_not(None),
                )
                .order_by(DeliveryRow.id)
            )
            latest = {int(c): int(m) for c, m in rows.all() if m is not None}
        return sorted(latest.items())

    async def queue(
        self,
        alert: Alert,
        targets: list[tuple[int, int | None]],
        symbols: dict[int, list[str]] | None = None,
        session: AsyncSession | None = None,
    ) -> int:
        """One delivery per (chat, message it edits or answers); inside `session` when given
        (its transaction's owner wakes the sender), else in a transaction of its own."""
        if not targets:
            return 0
        if session is None:
            async with self.transaction() as own:
                return await self.queue(alert, targets, symbols, own)
        now = datetime.now(UTC)
        if alert.type is AlertType.SNIPER_EDIT:
            await self._supersede(session, [m for _, m in targets if m is not None])
        row = AlertRow(
            kind=alert.type.value,
            payload=alert.model_dump_json(),
            started_at=alert.started_at,
            created_at=now,
            call_id=alert.payload.track.call_id
            if isinstance(alert.payload, EditPush | OutcomePush)
            else None,
        )
        session.add(row)
        await session.flush()
        session.add_all(
            DeliveryRow(
                alert_id=row.id,
                chat_id=chat,
                symbols=json.dumps((symbols or {}).get(chat, [])),
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_at=now,
                reply_to=reply_to,
            )
            for chat, reply_to in targets
        )
        return len(targets)

    async def _supersede(self, session: AsyncSession, messages: list[int]) -> None:
        """An edit still waiting (a retry after a network error, a 429) is older than the one
        being queued: it must not put an older state back after the newer one is shown."""
        if not messages:
            return
        edits = select(AlertRow.id).where(AlertRow.kind == AlertType.SNIPER_EDIT.value)
        await session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.alert_id.in_(edits),
                DeliveryRow.reply_to.in_(messages),
                DeliveryRow.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.SUPERSEDED)
        )

    async def holding(self, symbol: str, direction: str) -> list[int]:
        """Chats last pushed this bias call and not yet told it was withdrawn."""
        async with self._db.sessions() as session:
            chats = await session.scalars(
                select(CooldownRow.chat_id).where(
                    CooldownRow.key == BiasPush.dedupe_key(symbol),
                    CooldownRow.direction == direction,
                    CooldownRow.fingerprint.is_(None),
                )
            )
            return sorted(chats)

    async def mark_withdrawn(self, session: AsyncSession, symbol: str, chats: list[int]) -> None:
        """Told once: the next fade of the same call finds nobody holding it, and a return of
        the same direction inside the cooldown counts as a repeat, so a flapping call cannot
        turn into a stream of pushes and withdrawals."""
        if not chats:
            return
        await session.execute(
            update(CooldownRow)
            .where(
                CooldownRow.key == BiasPush.dedupe_key(symbol),
                CooldownRow.chat_id.in_(chats),
            )
            .values(fingerprint=WITHDRAWN)
        )
