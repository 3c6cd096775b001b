"""The alert outbox: an alert and one delivery row per chat are written in one transaction
before anything is sent, so a crash or restart loses nothing and the unique (alert, chat)
pair means nothing is queued twice. Edge state and cooldowns decide who gets what; the sender
(bot side) drains `deliveries`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.delivery.deliveries import Deliveries, DeliveryStatus
from services.delivery.models import Alert, Signal
from services.kernel.alerts import AlertType
from services.signals.sniper.rule import same_setup
from services.storage.db import Database, Record
from services.storage.tables import AlertRow, CallRow, CooldownRow, DeliveryRow, SignalStateRow


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
        instance: str = "",
    ) -> None:
        """`instance` names this process stably across restarts (INSTANCE_ID): its claims on
        deliveries carry it."""
        self._db = db
        self._cooldown = cooldown
        self._listeners: list[Callable[[], None]] = []
        self.deliveries = Deliveries(db, instance)  # the sender's side of the same tables

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Called after every publish in this process (the sender wakes on it); other
        replicas' publishes are found by the sender's poll."""
        self._listeners.append(listener)

    async def prune(self, before: datetime) -> int:
        """Finished alerts older than `before` go (`prune_outbox`)."""
        return await prune_outbox(self._db, before)

    def published(self) -> None:
        for listener in self._listeners:
            listener()

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
        then: Record | None = None,
        interests: Mapping[int, set[str]] | None = None,
    ) -> Published:
        """`publish`, saying which signals went out. With a `setup` rule (the sniper) a chat
        is skipped only when it already has this setup; `call_id` ties the alert to the call
        it carries, for follow-ups. `remember=False` leaves the edge state alone (a live setup
        re-offered to chats that subscribed later). `then` writes in the same transaction,
        told which symbols reached a chat: the job's own records commit with the alert, and
        no write of the job's competes with the sender's once sending has begun. `interests`
        narrows each chat to the symbols it watches (its watchlist): a chat watching none of
        the signals gets nothing."""
        now = datetime.now(UTC)
        window = setup.lifetime_seconds if setup is not None else self._cooldown.seconds
        since = now - timedelta(seconds=window)
        queued = 0
        async with self._db.sessions() as session, session.begin():
            if signals and remember:
                await self._remember(session, alert.type, signals, now)
            key = alert.payload.dedupe_key
            recent = await self._recent(session, [key(s.symbol) for s in signals], chats, since)
            per_chat: dict[int, list[Signal]] = {}
            for chat in chats:
                watched = interests.get(chat, set()) if interests is not None else None
                wanted = [
                    s
                    for s in signals
                    if (watched is None or s.symbol in watched)
                    and not self._cooled(recent.get((chat, key(s.symbol))), s, setup)
                ]
                if wanted or not signals:
                    per_chat[chat] = wanted
            if not per_chat:
                if then is not None:
                    await then(session, set())
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
                    "key": key(s.symbol),
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
                    index_elements=["chat_id", "key"],
                    set_={
                        "direction": statement.excluded.direction,
                        "last_at": now,
                        "strength": statement.excluded.strength,
                        "fingerprint": statement.excluded.fingerprint,
                    },
                )
                await session.execute(statement)
            symbols = {s.symbol for wanted in per_chat.values() for s in wanted}
            if then is not None:
                await then(session, symbols)
        self.published()
        return Published(queued=queued, symbols=symbols, alert_id=row.id)

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A write transaction for a caller that queues alerts with its own records
        (`queue_for`): committed together or not at all."""
        return _begun(self._db)

    async def queue_for(self, session: AsyncSession, alert: Alert, chat: int) -> int:
        """One alert to one chat, in the caller's transaction (an alert of the chat's own, such
        as its rules that fired: no cooldown of the outbox's, the caller keeps its own). Returns
        the alert's id; call `published()` once the transaction has committed."""
        now = datetime.now(UTC)
        row = AlertRow(
            kind=alert.type.value,
            payload=alert.model_dump_json(),
            started_at=alert.started_at,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        session.add(
            DeliveryRow(
                alert_id=row.id,
                chat_id=chat,
                symbols=json.dumps([]),
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_at=now,
            )
        )
        return int(row.id)

    async def _recent(
        self, session: AsyncSession, keys: list[str], chats: list[int], since: datetime
    ) -> dict[tuple[int, str], CooldownRow]:
        """The cooldowns still running, by (chat, dedupe key)."""
        if not keys:
            return {}
        rows = await session.scalars(
            select(CooldownRow).where(
                CooldownRow.key.in_(keys),
                CooldownRow.last_at > since,
                CooldownRow.chat_id.in_(chats),
            )
        )
        return {(r.chat_id, r.key): r for r in rows}

    def _cooled(self, last: CooldownRow | None, signal: Signal, setup: SetupRule | None) -> bool:
        """Inside the cooldown a repeat of the same call waits, unless materially stronger."""
        if setup is not None:
            return last is not None and same_setup(
                last.fingerprint or "", signal.fingerprint, setup.same_pct
            )
        if last is None or last.direction != signal.direction:
            return False
        return signal.strength < last.strength + self._cooldown.repeat_gain


# A delivery in one of these is over; a pending or claimed one is still work to do.
FINISHED = (
    DeliveryStatus.SENT,
    DeliveryStatus.GONE,
    DeliveryStatus.FAILED,
    DeliveryStatus.SUPERSEDED,
    DeliveryStatus.FOLDED,
    DeliveryStatus.MUTED,
    DeliveryStatus.DROPPED,
)


async def prune_outbox(db: Database, before: datetime) -> int:
    """Alerts made before `before` whose every delivery is over, with their deliveries: four
    rows per subscribed chat and one per push would otherwise pile up for good. Kept: anything
    still to send, and the alerts of sniper maps still tracked (their messages are edited and
    answered until the map ends). Calls and their grades, the track record, are other tables.
    Returns the alerts removed."""
    unfinished = select(DeliveryRow.alert_id).where(DeliveryRow.status.not_in(FINISHED))
    tracked = select(CallRow.id).where(CallRow.open.is_(True))
    old = select(AlertRow.id).where(
        AlertRow.created_at < before,
        AlertRow.id.not_in(unfinished),
        or_(AlertRow.call_id.is_(None), AlertRow.call_id.not_in(tracked)),
    )
    async with db.sessions() as session, session.begin():
        ids = list(await session.scalars(old))
        for chunk in range(0, len(ids), PRUNE_BATCH):
            batch = ids[chunk : chunk + PRUNE_BATCH]
            await session.execute(delete(DeliveryRow).where(DeliveryRow.alert_id.in_(batch)))
            await session.execute(delete(AlertRow).where(AlertRow.id.in_(batch)))
    return len(ids)


PRUNE_BATCH = 500


@asynccontextmanager
async def _begun(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.sessions() as session, session.begin():
        yield session
