"""The pushes a chat's settings set aside at delivery time: held by quiet hours until they end,
then released as one "while you were away" message; muted ones counted for the brief.

A release folds the held deliveries and queues the summary in one transaction, and only when
every one of them was still held: a second replica or a restart mid-release finds nothing left
to fold, so a held push is never lost and never sent twice."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, or_, select, update

from services.delivery.deliveries import DeliveryStatus
from services.delivery.models import Alert, Held
from services.delivery.outbox import Outbox
from services.storage.db import Database, utc
from services.storage.tables import AlertRow, ChatSettingsRow, DeliveryRow


class HeldDelivery(BaseModel):
    delivery_id: int
    until: datetime  # when its quiet hours end
    held: Held


class _Rollback(Exception):
    """Another release took some of them first: this one writes nothing."""


class HeldPushes:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    async def holding(self, now: datetime) -> dict[int, list[HeldDelivery]]:
        """The chats whose held pushes may be due, oldest first: their hours ended, or the
        chat changed its settings since (it may have turned them off). Nights still under way
        are not read: at 03:00 that is nearly every held push."""
        async with self._db.sessions() as session:
            rows = (
                await session.execute(
                    select(
                        DeliveryRow.id,
                        DeliveryRow.chat_id,
                        DeliveryRow.next_at,
                        DeliveryRow.symbols,
                        AlertRow.payload,
                    )
                    .join(AlertRow, AlertRow.id == DeliveryRow.alert_id)
                    .outerjoin(ChatSettingsRow, ChatSettingsRow.chat_id == DeliveryRow.chat_id)
                    .where(
                        DeliveryRow.status == DeliveryStatus.HELD,
                        or_(
                            DeliveryRow.next_at <= now,
                            ChatSettingsRow.updated_at >= AlertRow.created_at,
                        ),
                    )
                    .order_by(DeliveryRow.id)
                )
            ).all()
        found: dict[int, list[HeldDelivery]] = {}
        for delivery_id, chat_id, until, symbols, payload in rows:
            alert = Alert.model_validate_json(payload).only(json.loads(symbols))
            held = Held(at=alert.started_at, payload=alert.payload)
            found.setdefault(chat_id, []).append(
                HeldDelivery(delivery_id=delivery_id, until=utc(until), held=held)
            )
        return found

    async def release(self, chat_id: int, held: list[HeldDelivery], summary: Alert) -> bool:
        """The held deliveries folded into `summary`, queued for the chat; False (nothing
        written) when another release already took some of them."""
        ids = [h.delivery_id for h in held]
        try:
            async with self._db.sessions() as session, session.begin():
                result = await session.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.id.in_(ids), DeliveryRow.status == DeliveryStatus.HELD)
                    .values(status=DeliveryStatus.FOLDED)
                )
                if result.rowcount != len(ids):  # type: ignore[attr-defined]
                    raise _Rollback
                await self._outbox.queue_for(session, summary, chat_id)
        except _Rollback:
            return False
        self._outbox.published()
        return True

    async def counts(self, chat_id: int, since: datetime) -> tuple[int, int]:
        """(held now, muted since `since`) for one chat: what its brief reports."""
        async with self._db.sessions() as session:
            held = await session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.chat_id == chat_id, DeliveryRow.status == DeliveryStatus.HELD)
            )
            muted = await session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(
                    DeliveryRow.chat_id == chat_id,
                    DeliveryRow.status == DeliveryStatus.MUTED,
                    DeliveryRow.next_at >= since,
                )
            )
        return int(held or 0), int(muted or 0)
