"""The alerts chats set (/alert), their firings, and where the alert pass left each instrument."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.kernel.rule_model import (
    LIVE,
    Metric,
    Rule,
    RuleKind,
    RuleSpec,
    RuleState,
    Side,
    Status,
)
from services.storage.db import Database, utc
from services.storage.tables import FireRow, RuleMarkRow, RuleRow


def _rule(row: RuleRow) -> Rule:
    return Rule(
        id=row.id,
        chat_id=row.chat_id,
        created_by=row.created_by,
        spec=RuleSpec(
            symbol=row.symbol,
            kind=RuleKind(row.kind),
            metric=Metric(row.metric),
            side=Side(row.direction),
            level=row.level,
            move_pct=row.move_pct,
            window=row.window,
            repeat_seconds=row.repeat_seconds,
            urgent=row.urgent,
        ),
        note=row.note,
        expires_at=utc(row.expires_at),
        reminded=row.reminded,
        status=Status(row.status),
        paused_until=utc(row.paused_until) if row.paused_until else None,
        state=RuleState(
            armed=row.armed,
            last_fired_at=utc(row.last_fired_at) if row.last_fired_at else None,
            anchor_price=row.anchor_price,
            anchor_at=utc(row.anchor_at) if row.anchor_at else None,
        ),
        fires=row.fires,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


@dataclass(frozen=True, slots=True)
class Fired:
    """One firing to record: the rule, its chat, when, at what price, what to say (JSON)."""

    rule_id: int
    chat_id: int
    at: datetime
    price: Decimal
    detail: str


class RuleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        return self._db

    async def add(
        self,
        chat_id: int,
        created_by: int | None,
        spec: RuleSpec,
        note: str,
        expires_at: datetime,
    ) -> Rule:
        now = datetime.now(UTC)
        row = RuleRow(
            chat_id=chat_id,
            created_by=created_by,
            **_spec_columns(spec),
            note=note,
            expires_at=expires_at,
            reminded=False,
            status=Status.ACTIVE.value,
            armed=True,
            fires=0,
            created_at=now,
            updated_at=now,
        )
        async with self._db.saving() as session:
            session.add(row)
            await session.flush()
            return _rule(row)

    async def live(self, chat_id: int) -> list[Rule]:
        async with self._db.sessions() as session:
            rows = await session.scalars(
                select(RuleRow)
                .where(RuleRow.chat_id == chat_id, RuleRow.status.in_([s.value for s in LIVE]))
                .order_by(RuleRow.id)
            )
            return [_rule(r) for r in rows]

    async def count_live(self, chat_id: int) -> int:
        async with self._db.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(RuleRow)
                    .where(RuleRow.chat_id == chat_id, RuleRow.status.in_([s.value for s in LIVE]))
                )
                or 0
            )

    async def get(self, rule_id: int) -> Rule | None:
        async with self._db.sessions() as session:
            row = await session.get(RuleRow, rule_id)
            return _rule(row) if row is not None else None

    async def set_status(
        self,
        rule_id: int,
        chat_id: int,
        status: Status,
        paused_until: datetime | None = None,
    ) -> bool:
        """A chat's own alert only (a forged button for another chat's alert changes nothing)."""
        async with self._db.saving() as session:
            result = await session.execute(
                update(RuleRow)
                .where(RuleRow.id == rule_id, RuleRow.chat_id == chat_id)
                .values(
                    status=status.value,
                    paused_until=paused_until,
                    updated_at=datetime.now(UTC),
                )
            )
        return bool(getattr(result, "rowcount", 0))

    async def replace(
        self, rule_id: int, chat_id: int, spec: RuleSpec, status: Status, note: str
    ) -> bool:
        """A chat's alert changed (edited, flipped, made quieter): it watches anew, armed."""
        async with self._db.saving() as session:
            result = await session.execute(
                update(RuleRow)
                .where(RuleRow.id == rule_id, RuleRow.chat_id == chat_id)
                .values(
                    **_spec_columns(spec),
                    note=note,
                    status=status.value,
                    paused_until=None,
                    armed=True,
                    last_fired_at=None,
                    anchor_price=None,
                    anchor_at=None,
                    updated_at=datetime.now(UTC),
                )
            )
        return bool(getattr(result, "rowcount", 0))

    async def changed_since(self, since: datetime | None) -> list[Rule]:
        """Every alert changed since then (all of them the first time), whatever its status: the
        engine adds what is live and drops what is not."""
        query = select(RuleRow)
        if since is not None:
            query = query.where(RuleRow.updated_at >= since)
        async with self._db.sessions() as session:
            return [_rule(r) for r in await session.scalars(query.order_by(RuleRow.updated_at))]

    async def apply(
        self,
        session: AsyncSession,
        states: Iterable[tuple[Rule, Status]],
        fired: list[Fired],
        reminded: Iterable[int] = (),
    ) -> list[int]:
        """In the pass's transaction: each alert's new state and status, its firings (returned
        as their ids, in order) and the reminders told. `updated_at` is left alone: these
        changes are the engine's own, not news for its next reload."""
        stale: set[int] = set()
        for rule, status in states:
            result = await session.execute(
                update(RuleRow)
                # One the chat deleted or paused meanwhile stays as the chat left it.
                .where(RuleRow.id == rule.id, RuleRow.updated_at <= rule.updated_at)
                .values(
                    status=status.value,
                    armed=rule.state.armed,
                    last_fired_at=rule.state.last_fired_at,
                    anchor_price=rule.state.anchor_price,
                    anchor_at=rule.state.anchor_at,
                    fires=rule.fires,
                )
            )
            if not getattr(result, "rowcount", 1):
                stale.add(rule.id)  # changed by its chat since: that change stands, no firing
        ids = [i for i in reminded if i not in stale]
        if ids:
            await session.execute(update(RuleRow).where(RuleRow.id.in_(ids)).values(reminded=True))
        rows = [
            FireRow(
                rule_id=f.rule_id,
                chat_id=f.chat_id,
                fired_at=f.at,
                price=f.price,
                detail=f.detail,
                alert_id=None,
            )
            for f in fired
            if f.rule_id not in stale
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]

    async def waiting(self, session: AsyncSession) -> dict[int, list[tuple[int, str]]]:
        """Firings no push carries yet (held by a chat's per-minute cap), by chat, oldest first."""
        rows = await session.execute(
            select(FireRow.chat_id, FireRow.id, FireRow.detail)
            .where(FireRow.alert_id.is_(None))
            .order_by(FireRow.id)
        )
        found: dict[int, list[tuple[int, str]]] = {}
        for chat_id, fire_id, detail in rows.all():
            found.setdefault(chat_id, []).append((fire_id, detail))
        return found

    async def carried(self, session: AsyncSession, fire_ids: list[int], alert_id: int) -> None:
        await session.execute(
            update(FireRow).where(FireRow.id.in_(fire_ids)).values(alert_id=alert_id)
        )

    async def history(self, chat_id: int, limit: int = 10) -> list[tuple[datetime, str]]:
        """The chat's last firings, newest first: when, and what (the RuleFire as JSON)."""
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(FireRow.fired_at, FireRow.detail)
                .where(FireRow.chat_id == chat_id)
                .order_by(FireRow.fired_at.desc(), FireRow.id.desc())
                .limit(limit)
            )
            return [(utc(at), detail) for at, detail in rows.all()]

    async def marks(self) -> dict[str, tuple[datetime, Decimal]]:
        async with self._db.sessions() as session:
            rows = await session.scalars(select(RuleMarkRow))
            return {r.symbol: (utc(r.checked_at), r.price) for r in rows}

    async def mark(self, session: AsyncSession, seen: dict[str, Decimal], at: datetime) -> None:
        if not seen:
            return
        # One statement with the rows as parameters (an executemany): compiled once and
        # cached, where rows inlined as VALUES were compiled again on every pass.
        statement = self._db.insert(RuleMarkRow)
        statement = statement.on_conflict_do_update(
            index_elements=["symbol"],
            set_={"checked_at": statement.excluded.checked_at, "price": statement.excluded.price},
        )
        await session.execute(
            statement, [{"symbol": s, "checked_at": at, "price": p} for s, p in seen.items()]
        )


def _spec_columns(spec: RuleSpec) -> dict[str, object]:
    """The row's columns for what an alert watches (set on creation and on an edit)."""
    return {
        "symbol": spec.symbol,
        "kind": spec.kind.value,
        "metric": spec.metric.value,
        "direction": spec.side.value,
        "level": spec.level,
        "move_pct": spec.move_pct,
        "window": spec.window,
        "repeat_seconds": spec.repeat_seconds,
        "urgent": spec.urgent,
    }
