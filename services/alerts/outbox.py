"""The alert outbox: an alert and one delivery row per chat are written in one transaction
before anything is sent, so a crash or restart loses nothing and the unique (alert, chat)
pair means nothing is queued twice. The sender (bot side) drains it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.models import Alert, AlertType, Signal
from services.analysis.sniper import same_setup
from services.storage.db import Database
from services.storage.tables import AlertRow, CooldownRow, DeliveryRow, SignalStateRow


class DeliveryStatus:
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender until next_at; due again if that passes
    SENT = "sent"
    GONE = "gone"  # the chat blocked the bot, removed it, or does not exist
    FAILED = "failed"  # retries spent


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


class Cooldown(BaseModel):
    seconds: float = 3600.0
    repeat_gain: Decimal = Decimal("0.2")  # a repeat inside the cooldown needs this much more


class Published(BaseModel):
    queued: int  # deliveries written
    symbols: set[str]  # the signals that reached at least one chat
    alert_id: int | None = None


class SetupRule(BaseModel):
    """The sniper's repeat rule: a chat skips only the setup it already got (levels within
    `same_pct`) while that setup can still play out; any other setup is news for it."""

    same_pct: Decimal
    lifetime_seconds: float


class LastSignal(BaseModel):
    fingerprint: str
    strength: Decimal


class Outbox:
    def __init__(
        self,
        db: Database,
        cooldown: Cooldown,
        on_publish: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._cooldown = cooldown
        self._alerts: dict[int, Alert] = {}  # parsed once; alerts never change after writing
        self.on_publish = on_publish  # wakes the sender in this process
        self._sent: list[tuple[Pending, asyncio.Future[float | None]]] = []
        self._message_ids: dict[int, int] = {}  # delivery -> message, until its mark commits
        self._flusher: asyncio.Task[None] | None = None

    async def last(self, kind: AlertType, symbol: str) -> LastSignal | None:
        async with self._db.sessions() as session:
            row = await session.get(SignalStateRow, (kind.value, symbol))
            if row is None:
                return None
            return LastSignal(fingerprint=row.fingerprint, strength=row.strength)

    async def remember(self, kind: AlertType, signals: list[Signal]) -> None:
        """The signal seen now, pushed or not: the next run's edge is measured against it."""
        if not signals:
            return
        async with self._db.sessions() as session, session.begin():
            await self._remember(session, kind, signals, datetime.now(UTC))

    async def _remember(
        self, session: AsyncSession, kind: AlertType, signals: list[Signal], now: datetime
    ) -> None:
        statement = self._db.insert(SignalStateRow).values(
            [
                {
                    "kind": kind.value,
                    "symbol": s.symbol,
                    "fingerprint": s.fingerprint,
                    "strength": s.strength,
                    "updated_at": now,
                }
                for s in signals
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "symbol"],
            set_={
                "fingerprint": statement.excluded.fingerprint,
                "strength": statement.excluded.strength,
                "updated_at": now,
            },
        )
        await session.execute(statement)

    async def publish(self, alert: Alert, signals: list[Signal], chats: list[int]) -> int:
        """Queues the alert for every chat not inside its cooldown for a signal; returns how
        many deliveries were queued. The signals are remembered in the same transaction."""
        return (await self.queue(alert, signals, chats)).queued

    async def queue(
        self,
        alert: Alert,
        signals: list[Signal],
        chats: list[int],
        *,
        setup: SetupRule | None = None,
        call_id: int | None = None,
        remember: bool = True,
    ) -> Published:
        """`publish`, saying which signals went out. With a `setup` rule (the sniper) a chat
        is skipped only when it already has this setup; `call_id` ties the alert to the call
        it carries, for follow-ups. `remember=False` leaves the edge state alone (a live setup
        re-offered to chats that subscribed later)."""
        now = datetime.now(UTC)
        window = setup.lifetime_seconds if setup is not None else self._cooldown.seconds
        since = now - timedelta(seconds=window)
        queued = 0
        async with self._db.sessions() as session, session.begin():
            if signals and remember:
                await self._remember(session, alert.type, signals, now)
            recent = await self._recent(session, alert.type, chats, since)
            per_chat: dict[int, list[Signal]] = {}
            for chat in chats:
                wanted = [
                    s for s in signals if not self._cooled(recent.get((chat, s.symbol)), s, setup)
                ]
                if wanted or not signals:
                    per_chat[chat] = wanted
            if not per_chat:
                return Published(queued=0, symbols=set())
            row = AlertRow(
                kind=alert.type.value,
                payload=alert.model_dump_json(),
                started_at=alert.started_at,
                created_at=now,
                call_id=call_id,
            )
            session.add(row)
            await session.flush()
            for chat, wanted in per_chat.items():
                session.add(
                    DeliveryRow(
                        alert_id=row.id,
                        chat_id=chat,
                        symbols=json.dumps([s.symbol for s in wanted]),
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        next_at=now,
                    )
                )
                queued += 1
            cooldowns = [
                {
                    "chat_id": chat,
                    "kind": alert.type.value,
                    "symbol": s.symbol,
                    "direction": s.direction,
                    "last_at": now,
                    "strength": s.strength,
                    # sniper: the setup this chat now has; bias: a fresh call, not withdrawn
                    "fingerprint": s.fingerprint if setup is not None else None,
                }
                for chat, wanted in per_chat.items()
                for s in wanted
            ]
            if cooldowns:
                statement = self._db.insert(CooldownRow).values(cooldowns)
                statement = statement.on_conflict_do_update(
                    index_elements=["chat_id", "kind", "symbol"],
                    set_={
                        "direction": statement.excluded.direction,
                        "last_at": now,
                        "strength": statement.excluded.strength,
                        "fingerprint": statement.excluded.fingerprint,
                    },
                )
                await session.execute(statement)
        if self.on_publish is not None:
            self.on_publish()
        return Published(
            queued=queued,
            symbols={s.symbol for wanted in per_chat.values() for s in wanted},
            alert_id=row.id,
        )

    async def _recent(
        self, session: AsyncSession, kind: AlertType, chats: list[int], since: datetime
    ) -> dict[tuple[int, str], CooldownRow]:
        rows = await session.scalars(
            select(CooldownRow).where(
                CooldownRow.kind == kind.value,
                CooldownRow.last_at > since,
                CooldownRow.chat_id.in_(chats),
            )
        )
        return {(r.chat_id, r.symbol): r for r in rows}

    def _cooled(self, last: CooldownRow | None, signal: Signal, setup: SetupRule | None) -> bool:
        """Inside the cooldown a repeat of the same call waits, unless materially stronger."""
        if setup is not None:
            return last is not None and same_setup(
                last.fingerprint or "", signal.fingerprint, setup.same_pct
            )
        if last is None or last.direction != signal.direction:
            return False
        return signal.strength < last.strength + self._cooldown.repeat_gain

    async def due(self, limit: int, now: datetime | None = None) -> list[Pending]:
        now = now or datetime.now(UTC)
        async with self._db.sessions() as session:
            rows = (
                await session.scalars(
                    select(DeliveryRow)
                    .where(
                        DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                        DeliveryRow.next_at <= now,
                    )
                    .order_by(DeliveryRow.id)
                    .limit(limit)
                )
            ).all()
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
        if not deliveries:
            return set()
        now = datetime.now(UTC)
        async with self._db.sessions() as session, session.begin():
            result = await session.scalars(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id.in_([d.delivery_id for d in deliveries]),
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                    DeliveryRow.next_at <= now,
                )
                .values(status=DeliveryStatus.SENDING, next_at=now + timedelta(seconds=seconds))
                .returning(DeliveryRow.id)
            )
            return set(result.all())

    async def unclaim(self, ids: list[int]) -> None:
        if not ids:
            return
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(ids), DeliveryRow.status == DeliveryStatus.SENDING)
                .values(status=DeliveryStatus.PENDING, next_at=datetime.now(UTC))
            )

    async def next_due(self) -> datetime | None:
        async with self._db.sessions() as session:
            at = await session.scalar(
                select(func.min(DeliveryRow.next_at)).where(
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
                )
            )
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)  # SQLite hands back naive datetimes
        return at

    async def sent(self, delivery: Pending, message_id: int | None = None) -> float | None:
        """Marks one delivery accepted by Telegram (with the id of the message it made, which
        follow-ups edit or reply to); when it was the alert's last pending one, returns the
        alert's lag (job start to now) in seconds.

        Returns only once committed. Marks arriving together share one transaction (group
        commit): a broadcast's writes then keep pace with Telegram instead of queueing behind
        each other for SQLite's write lock."""
        future: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        if message_id is not None:
            self._message_ids[delivery.delivery_id] = message_id
        self._sent.append((delivery, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_sent())
        return await future

    async def _flush_sent(self) -> None:
        while self._sent:
            batch, self._sent = self._sent, []
            try:
                lags = await self._mark_sent([d for d, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for delivery, future in batch:
                if not future.done():
                    future.set_result(lags.get(delivery.delivery_id))

    async def _mark_sent(self, deliveries: list[Pending]) -> dict[int, float]:
        now = datetime.now(UTC)
        alerts = {d.alert_id: d for d in deliveries}  # the last of each alert in this batch
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_([d.delivery_id for d in deliveries]))
                .values(status=DeliveryStatus.SENT, sent_at=now, attempts=DeliveryRow.attempts + 1)
            )
            ids = [
                {"id": d.delivery_id, "message_id": self._message_ids.pop(d.delivery_id)}
                for d in deliveries
                if d.delivery_id in self._message_ids
            ]
            if ids:  # one executemany by primary key for the whole batch
                await session.execute(update(DeliveryRow), ids)
            rows = await session.execute(
                select(DeliveryRow.alert_id, func.count())
                .where(
                    DeliveryRow.alert_id.in_(alerts),
                    DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                )
                .group_by(DeliveryRow.alert_id)
            )
            unfinished = {alert_id for alert_id, left in rows.all() if left}
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
