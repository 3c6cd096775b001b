"""The performance database: every call the bot made, and its grades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.storage.db import Database, utc
from services.storage.tables import CallRow, GradeRow

ROWS_PER_INSERT = 200  # grade rows per statement: under SQLite's bound-parameter limit


class NewCall(BaseModel):
    kind: str  # bias, sniper, whale
    symbol: str
    direction: str  # LONG / SHORT
    made_at: datetime
    key: str  # identifies the call: the same key recorded twice is one call
    price: Decimal | None = None
    pushed: bool = False
    detail: str  # JSON


class StoredCall(NewCall):
    id: int
    open: bool
    status: str
    status_at: datetime


class Grade(BaseModel):
    horizon: str
    baseline: bool = False
    outcome: str
    hit: bool | None
    value: Decimal | None = None
    price_from: Decimal | None = None
    price_to: Decimal | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None
    source: str
    detail: str | None = None


class GradeBatch(BaseModel):
    call_id: int
    grades: list[Grade]
    status: str | None = None
    close: bool = False


class StoredGrade(Grade):
    call_id: int
    graded_at: datetime


def _call(row: CallRow) -> StoredCall:
    return StoredCall(
        id=row.id,
        kind=row.kind,
        symbol=row.symbol,
        direction=row.direction,
        made_at=utc(row.made_at),
        key=row.key,
        price=row.price,
        pushed=row.pushed,
        detail=row.detail,
        open=row.open,
        status=row.status,
        status_at=utc(row.status_at),
    )


def _grade(row: GradeRow) -> StoredGrade:
    return StoredGrade(
        call_id=row.call_id,
        horizon=row.horizon,
        baseline=row.baseline,
        outcome=row.outcome,
        hit=row.hit,
        value=row.value,
        price_from=row.price_from,
        price_to=row.price_to,
        at_from=utc(row.at_from) if row.at_from else None,
        at_to=utc(row.at_to) if row.at_to else None,
        source=row.source,
        detail=row.detail,
        graded_at=utc(row.graded_at),
    )


class CallStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, call: NewCall, status: str = "open") -> tuple[int, bool]:
        """The call's id, and whether it is new (a whale event seen on every run is one call)."""
        now = datetime.now(UTC)
        statement = (
            self._db.insert(CallRow)
            .values(**call.model_dump(), open=True, status=status, status_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "symbol", "key"])
        )
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(statement)
            created = bool(getattr(result, "rowcount", 0))
            call_id = await session.scalar(
                select(CallRow.id).where(
                    CallRow.kind == call.kind,
                    CallRow.symbol == call.symbol,
                    CallRow.key == call.key,
                )
            )
        assert call_id is not None
        return int(call_id), created

    async def add(self, session: AsyncSession, calls: list[NewCall]) -> None:
        """Records calls inside the caller's transaction (the alert that pushes them)."""
        if not calls:
            return
        now = datetime.now(UTC)
        await session.execute(
            self._db.insert(CallRow)
            .values(
                [
                    {**c.model_dump(), "open": True, "status": "open", "status_at": now}
                    for c in calls
                ]
            )
            .on_conflict_do_nothing(index_elements=["kind", "symbol", "key"])
        )

    @staticmethod
    async def mark_pushed(session: AsyncSession, call_id: int) -> None:
        """Inside the caller's transaction: the alert that pushed it."""
        await session.execute(update(CallRow).where(CallRow.id == call_id).values(pushed=True))

    async def get(self, call_id: int) -> StoredCall | None:
        async with self._db.sessions() as session:
            row = await session.get(CallRow, call_id)
            return _call(row) if row is not None else None

    async def open_calls(self, kind: str | None = None) -> list[StoredCall]:
        query = select(CallRow).where(CallRow.open.is_(True))
        if kind is not None:
            query = query.where(CallRow.kind == kind)
        async with self._db.sessions() as session:
            rows = await session.scalars(query.order_by(CallRow.made_at, CallRow.id))
            return [_call(r) for r in rows]

    async def grade_many(self, items: list[GradeBatch]) -> list[tuple[int, Grade]]:
        """`grade` for many calls in one transaction (a catch-up grades thousands); returns
        the grades that were new, with their call."""
        now = datetime.now(UTC)
        pairs = [(item.call_id, grade) for item in items for grade in item.grades]
        added: list[tuple[int, Grade]] = []
        async with self._db.sessions() as session, session.begin():
            for start in range(0, len(pairs), ROWS_PER_INSERT):
                chunk = pairs[start : start + ROWS_PER_INSERT]
                # Built a chunk at a time: dumping thousands of rows at once would hold the
                # event loop for tens of milliseconds while chat commands wait.
                rows = [{"call_id": c, "graded_at": now, **g.model_dump()} for c, g in chunk]
                by_key = {(c, g.horizon, g.baseline): g for c, g in chunk}
                result = await session.execute(
                    self._db.insert(GradeRow)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["call_id", "horizon", "baseline"])
                    .returning(GradeRow.call_id, GradeRow.horizon, GradeRow.baseline)
                )
                added += [(c, by_key[(c, h, b)]) for c, h, b in result.all()]
            closing = [item.call_id for item in items if item.close]
            for start in range(0, len(closing), ROWS_PER_INSERT):
                await session.execute(
                    update(CallRow)
                    .where(CallRow.id.in_(closing[start : start + ROWS_PER_INSERT]))
                    .values(open=False, status_at=now)
                )
            statuses = [
                {"id": item.call_id, "status": item.status, "status_at": now}
                for item in items
                if item.status is not None
            ]
            if statuses:  # one executemany by primary key
                await session.execute(update(CallRow), statuses)
        return added

    @staticmethod
    async def move_in(session: AsyncSession, call_id: int, status: str, expected: str) -> bool:
        """Moves a call on only from the state the caller saw, inside the caller's transaction
        (with the follow-ups it causes), so a change is never reported twice."""
        result = await session.execute(
            update(CallRow)
            .where(CallRow.id == call_id, CallRow.status == expected)
            .values(status=status, status_at=datetime.now(UTC))
        )
        return bool(getattr(result, "rowcount", 0))

    async def between(
        self, since: datetime, until: datetime | None = None, kind: str | None = None
    ) -> list[StoredCall]:
        query = select(CallRow).where(CallRow.made_at >= since)
        if until is not None:
            query = query.where(CallRow.made_at < until)
        if kind is not None:
            query = query.where(CallRow.kind == kind)
        async with self._db.sessions() as session:
            rows = await session.scalars(query.order_by(CallRow.made_at))
            return [_call(r) for r in rows]

    async def made_in_second(self, kind: str, symbol: str, second: datetime) -> StoredCall | None:
        """The call of this kind on this symbol made within that second (a button carries
        the second a call was made, not its id)."""
        query = (
            select(CallRow)
            .where(
                CallRow.kind == kind,
                CallRow.symbol == symbol,
                CallRow.made_at >= second,
                CallRow.made_at < second + timedelta(seconds=1),
            )
            .order_by(CallRow.made_at)
            .limit(1)
        )
        async with self._db.sessions() as session:
            row = await session.scalar(query)
            return _call(row) if row is not None else None

    async def last_pushed(self, kind: str, symbol: str) -> StoredCall | None:
        """The newest call of this kind on this symbol that reached a chat."""
        query = (
            select(CallRow)
            .where(CallRow.kind == kind, CallRow.symbol == symbol, CallRow.pushed.is_(True))
            .order_by(CallRow.made_at.desc())
            .limit(1)
        )
        async with self._db.sessions() as session:
            row = await session.scalar(query)
            return _call(row) if row is not None else None

    async def grades_for(self, call_ids: list[int]) -> dict[int, list[StoredGrade]]:
        found: dict[int, list[StoredGrade]] = {i: [] for i in call_ids}
        if not call_ids:
            return found
        async with self._db.sessions() as session:
            for start in range(0, len(call_ids), 500):  # bounded IN lists
                rows = await session.scalars(
                    select(GradeRow).where(GradeRow.call_id.in_(call_ids[start : start + 500]))
                )
                for row in rows:
                    found[row.call_id].append(_grade(row))
        return found

    async def hit_ratios(self, since: datetime) -> dict[tuple[str, str], tuple[int, int]]:
        """(kind, horizon) -> (hits, decided) of the calls made since then, counted in SQL so
        keeping the metrics current never loads the record."""
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(
                    CallRow.kind,
                    GradeRow.horizon,
                    func.count(),
                    func.sum(case((GradeRow.hit.is_(True), 1), else_=0)),
                )
                .join(CallRow, CallRow.id == GradeRow.call_id)
                .where(
                    CallRow.made_at >= since,
                    GradeRow.baseline.is_(False),
                    GradeRow.hit.is_not(None),
                )
                .group_by(CallRow.kind, GradeRow.horizon)
            )
            return {(k, h): (int(hits or 0), int(n)) for k, h, n, hits in rows.all()}

    async def prune(self, before: datetime) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                delete(GradeRow).where(
                    GradeRow.call_id.in_(select(CallRow.id).where(CallRow.made_at < before))
                )
            )
            await session.execute(delete(CallRow).where(CallRow.made_at < before))
