"""The performance database on SQLite and PostgreSQL: a call recorded once, grades written once
however often they arrive, state changes only from the state seen, candles and the journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.kernel.models import Candle
from services.storage.calls import CallStore, Grade, GradeBatch, NewCall
from services.storage.candles import CandleStore
from services.storage.db import Database
from services.storage.journal import Entry, Journal

AT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def call(key: str, kind: str = "whale", minutes: int = 0) -> NewCall:
    return NewCall(
        kind=kind,
        symbol="SOL",
        direction="LONG",
        made_at=AT + timedelta(minutes=minutes),
        key=key,
        price=Decimal("142.35"),
        detail="{}",
    )


def grade(horizon: str, hit: bool, baseline: bool = False) -> Grade:
    return Grade(
        horizon=horizon,
        baseline=baseline,
        outcome="hit" if hit else "miss",
        hit=hit,
        value=Decimal("0.5") if hit else Decimal("-0.5"),
        price_from=Decimal(142),
        price_to=Decimal(143),
        at_from=AT,
        at_to=AT + timedelta(hours=1),
        source="OKX 1m candles SOL-USDT",
    )


async def test_a_call_seen_twice_is_one_call(db: Database) -> None:
    store = CallStore(db)
    first, created = await store.record(call("okx|a"))
    again, created_again = await store.record(call("okx|a"))
    assert (first, created) == (again, True) and created_again is False
    assert [c.id for c in await store.open_calls("whale")] == [first]


async def test_grades_are_written_once_and_close_the_call(db: Database) -> None:
    store = CallStore(db)
    call_id, _ = await store.record(call("a"))
    batch = GradeBatch(
        call_id=call_id,
        grades=[grade("15m", True), grade("15m", False, baseline=True), grade("1h", True)],
        status="graded",
        close=True,
    )
    added = await store.grade_many([batch])
    assert sorted((c, g.horizon, g.baseline) for c, g in added) == [
        (call_id, "15m", False),
        (call_id, "15m", True),
        (call_id, "1h", False),
    ]
    assert await store.grade_many([batch]) == []  # a second grader, or a restart: nothing new
    stored = (await store.grades_for([call_id]))[call_id]
    assert len(stored) == 3 and {g.source for g in stored} == {"OKX 1m candles SOL-USDT"}
    closed = await store.get(call_id)
    assert closed is not None and closed.status == "graded" and not closed.open
    assert await store.open_calls() == []


async def test_a_state_change_happens_once_from_the_state_seen(db: Database) -> None:
    store = CallStore(db)
    call_id, _ = await store.record(call("s", kind="sniper"), status="waiting")
    async with db.sessions() as session, session.begin():
        assert await store.move_in(session, call_id, "entered", "waiting")
    async with db.sessions() as session, session.begin():
        assert not await store.move_in(session, call_id, "entered", "waiting")  # moved already
    async with db.sessions() as session, session.begin():
        assert await store.move_in(session, call_id, "tp1", "entered")
    async with db.sessions() as session, session.begin():
        assert not await store.move_in(session, call_id, "tp1", "entered")


async def test_hit_ratios_count_only_the_calls_own_decided_grades_in_the_period(
    db: Database,
) -> None:
    store = CallStore(db)
    old, _ = await store.record(call("old", minutes=-60 * 24 * 40))
    ids = [(await store.record(call(f"k{n}", minutes=n)))[0] for n in range(3)]
    await store.grade_many(
        [
            GradeBatch(call_id=ids[0], grades=[grade("1h", True), grade("1h", False, True)]),
            GradeBatch(call_id=ids[1], grades=[grade("1h", False)]),
            GradeBatch(call_id=ids[2], grades=[grade("1h", True)]),
            GradeBatch(call_id=old, grades=[grade("1h", False)]),
        ]
    )
    assert await store.hit_ratios(AT - timedelta(days=30)) == {("whale", "1h"): (2, 3)}


async def test_candles_round_trip_and_are_pruned(db: Database) -> None:
    store = CandleStore(db)
    rows = [
        Candle(
            ts=AT + timedelta(minutes=i),
            open=Decimal("142.1"),
            high=Decimal("142.5"),
            low=Decimal("141.9"),
            close=Decimal("142.3") + i,
        )
        for i in range(3)
    ]
    assert await store.save("SOL", rows) == 3
    assert await store.save("SOL", rows) == 0  # fetched twice, stored once
    assert await store.load("SOL", AT, AT + timedelta(minutes=2)) == rows[:2]
    assert await store.bounds("SOL") == (AT, AT + timedelta(minutes=2))
    await store.prune(AT + timedelta(minutes=1))
    assert await store.bounds("SOL") == (AT + timedelta(minutes=1), AT + timedelta(minutes=2))


async def test_the_journal_keeps_what_the_jobs_saw(db: Database) -> None:
    journal = Journal(db)
    entries = [
        Entry(job="bias", symbol="SOL", at=AT, inputs={"sentiment": {"score": 73}}),
        Entry(job="sniper", symbol="SOL", at=AT + timedelta(minutes=5), inputs={"price": "142"}),
    ]
    await journal.write(entries)
    assert await journal.read(AT) == entries
    assert [e.job for e in await journal.read(AT, job="sniper")] == ["sniper"]
    await journal.prune(AT + timedelta(minutes=1))
    assert [e.job for e in await journal.read(AT)] == ["sniper"]


async def test_a_call_closed_without_its_grade_replays_as_ungraded_not_pending(
    db: Database,
) -> None:
    from services.signals.track_record import UNGRADED, TrackRecordService

    store = CallStore(db)
    closed, _ = await store.record(call("gone", kind="bias"))
    await store.grade_many([GradeBatch(call_id=closed, grades=[], status="ungraded", close=True)])
    waiting, _ = await store.record(call("open", kind="bias", minutes=1))
    replay = await TrackRecordService(store).replay(24, AT + timedelta(hours=1))
    assert {line.status for line in replay.lines} == {UNGRADED, "pending"}
    assert next(line for line in replay.lines if line.made_at == AT).status == UNGRADED
    assert waiting  # recorded; still open, so still pending


async def test_a_call_is_found_by_the_second_it_was_made_and_the_last_pushed_one(
    db: Database,
) -> None:
    """A push's chart button carries the second its call was made; a withdrawn call's
    follow-up reads the newest call that reached a chat."""
    store = CallStore(db)
    made = AT + timedelta(microseconds=250_000)  # a call's own time has microseconds
    older = call(made.isoformat(), kind="bias").model_copy(update={"made_at": made})
    newer = call("later", kind="bias", minutes=5).model_copy(
        update={"pushed": True, "price": Decimal("143.1")}
    )
    first, _ = await store.record(older)
    await store.record(newer)
    found = await store.made_in_second("bias", "SOL", AT)
    assert found is not None and found.id == first
    assert await store.made_in_second("bias", "SOL", AT + timedelta(seconds=1)) is None
    assert await store.made_in_second("sniper", "SOL", AT) is None
    last = await store.last_pushed("bias", "SOL")
    assert last is not None and last.price == Decimal("143.1")
    assert await store.last_pushed("bias", "BTC") is None
