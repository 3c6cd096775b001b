"""The sender's side of the outbox: due deliveries, claims, and every outcome written back
(sent with its message id, retried, postponed, closed, redirected).

A claim names the instance that made it: an instance restarted after a crash takes its own
claims back at once (`take_back`), while another replica's wait for them to lapse. A "sent"
mark that could not be written (the database went away just after Telegram accepted) is kept
here and written again (`settle`); until then the delivery is never offered as due, so an
outage does not turn into a second copy."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, func, select, update

from services.delivery.models import FOLLOWED, Alert
from services.kernel.outage import Outage
from services.storage.db import Database, utc
from services.storage.tables import AlertRow, DeliveryRow


class DeliveryStatus:
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender until next_at; due again if that passes
    SENT = "sent"
    GONE = "gone"  # the chat blocked the bot, removed it, or does not exist
    FAILED = "failed"  # retries spent
    SUPERSEDED = "superseded"  # an edit overtaken by a newer one of the same message
    # Set aside at delivery time by the chat's settings (services/delivery/gate.py):
    HELD = "held"  # inside quiet hours: until next_at, then summed up in one message
    FOLDED = "folded"  # a held one, released inside that summary
    MUTED = "muted"  # its kind or coin muted: counted (the brief says how many), not sent
    DROPPED = "dropped"  # its kind switched off after it was queued


class Pending(BaseModel):
    delivery_id: int
    alert_id: int
    chat_id: int
    symbols: list[str]
    attempts: int
    alert: Alert
    reply_to: int | None = None  # a follow-up: the message it edits or answers

    def content(self) -> Alert:
        return self.alert.only(self.symbols)  # a health notice has no symbols and stays whole


class Deliveries:
    def __init__(self, db: Database, instance: str = "") -> None:
        self._db = db
        self.instance = instance or socket.gethostname()
        self._unsettled: dict[int, Pending] = {}  # accepted by Telegram, mark not yet written
        self._alerts: dict[int, Alert] = {}  # parsed once; alerts never change after writing
        self._sent: list[tuple[Pending, asyncio.Future[float | None]]] = []
        self._message_ids: dict[int, int] = {}  # delivery -> message, until its mark commits
        self._flusher: asyncio.Task[None] | None = None

    @property
    def outage(self) -> Outage:
        """The database's: the sender wakes the moment it answers again."""
        return self._db.outage

    async def due(self, limit: int, now: datetime | None = None) -> list[Pending]:
        now = now or datetime.now(UTC)
        query = select(DeliveryRow).where(
            DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            DeliveryRow.next_at <= now,
        )
        if self._unsettled:  # Telegram has them: never due again, even once the claim lapses
            query = query.where(DeliveryRow.id.not_in(list(self._unsettled)))
        async with self._db.sessions() as session:
            rows = (await session.scalars(query.order_by(DeliveryRow.id).limit(limit))).all()
            missing = {r.alert_id for r in rows} - self._alerts.keys()
            if missing:
                for alert in await session.scalars(
                    select(AlertRow).where(AlertRow.id.in_(missing))
                ):
                    self._alerts[alert.id] = Alert.model_validate_json(alert.payload)
        return [
            Pending(
                delivery_id=r.id,
                alert_id=r.alert_id,
                chat_id=r.chat_id,
                symbols=json.loads(r.symbols),
                attempts=r.attempts,
                alert=self._alerts[r.alert_id],
                reply_to=r.reply_to,
            )
            for r in rows
        ]

    async def claim(self, deliveries: list[Pending], seconds: float) -> set[int]:
        """Takes due deliveries for this sender in one statement; returns the ids it got (another
        sender may have taken some first). A claim never settled (the sender died mid-send)
        expires and the delivery is due again."""
        ids = [d.delivery_id for d in deliveries if d.delivery_id not in self._unsettled]
        if not ids:
            return set()
        now = datetime.now(UTC)
        async with self._db.sessions() as session, session.begin():
            result = await session.scalars(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id.in_(ids),
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                    DeliveryRow.next_at <= now,
                )
                .values(
                    status=DeliveryStatus.SENDING,
                    next_at=now + timedelta(seconds=seconds),
                    claimed_by=self.instance,
                )
                .returning(DeliveryRow.id)
            )
            return set(result.all())

    async def take_back(self, keep: set[int] | frozenset[int] = frozenset()) -> int:
        """This instance's claims, but for `keep` (sends still under way here), due again now:
        after a restart (the previous run of this instance died mid-send) and after a database
        outage (claims made just before it were never sent). Returns how many."""
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.status == DeliveryStatus.SENDING,
                    DeliveryRow.claimed_by == self.instance,
                    DeliveryRow.id.not_in([*keep, *self._unsettled]),
                )
                .values(status=DeliveryStatus.PENDING, next_at=datetime.now(UTC), claimed_by=None)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def unclaim(self, ids: list[int]) -> None:
        if not ids:
            return
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(ids), DeliveryRow.status == DeliveryStatus.SENDING)
                .values(status=DeliveryStatus.PENDING, next_at=datetime.now(UTC), claimed_by=None)
            )

    async def next_due(self) -> datetime | None:
        query = select(func.min(DeliveryRow.next_at)).where(
            DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        )
        if self._unsettled:
            query = query.where(DeliveryRow.id.not_in(list(self._unsettled)))
        async with self._db.sessions() as session:
            at = await session.scalar(query)
        return utc(at) if at is not None else None

    async def sent(self, delivery: Pending, message_id: int | None = None) -> float | None:
        """Marks one delivery accepted by Telegram (with the id of the message it made, which
        follow-ups edit or reply to); when it was the alert's last pending one, returns the
        alert's lag (job start to now) in seconds.

        Returns only once committed. Marks arriving together share one transaction (group
        commit): a broadcast's writes then keep pace with Telegram instead of queueing behind
        each other for SQLite's write lock."""
        future: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        if message_id is not None and delivery.alert.type in FOLLOWED:
            self._message_ids[delivery.delivery_id] = message_id
        self._sent.append((delivery, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_sent())
        return await future

    @property
    def unsettled(self) -> int:
        """Sends Telegram accepted whose "sent" mark is still to be written."""
        return len(self._unsettled)

    async def settle(self) -> None:
        """Writes the "sent" marks that failed before (raises while the database still
        cannot take them)."""
        if not self._unsettled:
            return
        waiting = list(self._unsettled.values())
        await self._mark_sent(waiting)
        for delivery in waiting:
            self._unsettled.pop(delivery.delivery_id, None)

    async def _flush_sent(self) -> None:
        while self._sent:
            batch, self._sent = self._sent, []
            try:
                lags = await self._mark_sent([d for d, _ in batch])
            except Exception as exc:
                for delivery, future in batch:
                    self._unsettled[delivery.delivery_id] = delivery
                    if not future.done():
                        future.set_exception(exc)
                continue
            for delivery, future in batch:
                if not future.done():
                    future.set_result(lags.get(delivery.delivery_id))

    async def _mark_sent(self, deliveries: list[Pending]) -> dict[int, float]:
        now = datetime.now(UTC)
        alerts = {d.alert_id: d for d in deliveries}  # the last of each alert in this batch
        messages = {
            d.delivery_id: self._message_ids[d.delivery_id]
            for d in deliveries
            if d.delivery_id in self._message_ids
        }
        values: dict[str, Any] = {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "attempts": DeliveryRow.attempts + 1,
        }
        if messages:  # in the same statement (a CASE on the id): group commit stays one trip
            values["message_id"] = case(messages, value=DeliveryRow.id)
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id.in_([d.delivery_id for d in deliveries]),
                    # a mark written again after its commit's answer was lost: once is enough
                    DeliveryRow.status != DeliveryStatus.SENT,
                )
                .values(values)
            )
            rows = await session.execute(
                select(DeliveryRow.alert_id, func.count())
                .where(
                    DeliveryRow.alert_id.in_(alerts),
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                )
                .group_by(DeliveryRow.alert_id)
            )
            unfinished = {alert_id for alert_id, left in rows.all() if left}
        for delivery_id in messages:  # committed: no longer needed
            self._message_ids.pop(delivery_id, None)
        lags = {}
        for alert_id, last in alerts.items():
            if alert_id not in unfinished:
                self._alerts.pop(alert_id, None)
                lags[last.delivery_id] = (now - last.alert.started_at).total_seconds()
        return lags

    async def retry(self, delivery: Pending, error: str, at: datetime, max_attempts: int) -> bool:
        """Another try later; False when the retries are spent and the delivery is closed."""
        attempts = delivery.attempts + 1
        spent = attempts >= max_attempts
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery.delivery_id)
                .values(
                    attempts=attempts,
                    next_at=at,
                    error=error[:256],
                    status=DeliveryStatus.FAILED if spent else DeliveryStatus.PENDING,
                )
            )
        return not spent

    async def postpone(self, delivery: Pending, error: str, at: datetime) -> None:
        """Later, without spending a try: Telegram's 429 says when, not that it failed."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery.delivery_id)
                .values(next_at=at, error=error[:256], status=DeliveryStatus.PENDING)
            )

    async def set_aside(self, delivery: Pending, status: str, at: datetime) -> bool:
        """Held (until `at`), muted or dropped instead of sent, in one conditional write: only
        while this sender still holds its claim, so a sender whose claim lapsed (another took
        the delivery) changes nothing. False when it had already changed."""
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery.delivery_id,
                    DeliveryRow.status == DeliveryStatus.SENDING,
                    DeliveryRow.claimed_by == self.instance,  # a lapsed claim decides nothing
                )
                .values(status=status, next_at=at, claimed_by=None)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def close(self, delivery: Pending, status: str, error: str) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery.delivery_id)
                .values(status=status, error=error[:256], attempts=delivery.attempts + 1)
            )

    async def close_chat(self, chat_id: int, error: str) -> int:
        """Every delivery still queued for a chat that is gone, claimed or not, is closed."""
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.chat_id == chat_id,
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                )
                .values(status=DeliveryStatus.GONE, error=error[:256])
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def redirect(self, delivery: Pending, new_chat_id: int) -> bool:
        """A group became a supergroup: the delivery moves to the new id and stays pending.
        False when that chat already has this alert (nothing is sent twice)."""
        async with self._db.sessions() as session, session.begin():
            taken = await session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(
                    DeliveryRow.alert_id == delivery.alert_id, DeliveryRow.chat_id == new_chat_id
                )
            )
            if taken:
                await session.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.id == delivery.delivery_id)
                    .values(status=DeliveryStatus.GONE, error=f"migrated to {new_chat_id}")
                )
                return False
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery.delivery_id)
                .values(
                    chat_id=new_chat_id, status=DeliveryStatus.PENDING, next_at=datetime.now(UTC)
                )
            )
        return True

    async def counts(self) -> dict[str, int]:
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
            )
            return {status: int(n) for status, n in rows.all()}
