"""The alert outbox on SQLite and PostgreSQL: queued once per chat, cooldowns that survive a
restart, claims that one sender wins and that expire, lag on the last delivery, redirects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from services.delivery.deliveries import DeliveryStatus
from services.delivery.models import Alert, BiasPush, Signal
from services.delivery.outbox import Cooldown, Outbox
from services.kernel.alerts import AlertType
from services.signals.bias.rule import BiasCall, Direction
from services.storage.db import Database
from services.storage.tables import AlertRow, CallRow, DeliveryRow
from tests.unit.conftest import Build

COOLDOWN = Cooldown(seconds=3600, repeat_gain=Decimal("0.2"))


def call(symbol: str, direction: Direction, confidence: str) -> BiasCall:
    return BiasCall(
        symbol=symbol,
        direction=direction,
        confidence=Decimal(confidence),
        at=datetime.now(UTC),
        evidence=[],
        missing=[],
    )


def bias_alert(*calls: BiasCall) -> tuple[Alert, list[Signal]]:
    alert = Alert(started_at=datetime.now(UTC), payload=BiasPush(calls=list(calls)))
    signals = [
        Signal(
            symbol=c.symbol,
            direction=c.direction.value,
            strength=c.confidence,
            fingerprint=c.direction.value,
        )
        for c in calls
    ]
    return alert, signals


async def test_one_delivery_per_chat_with_the_whole_alert_and_the_signal_remembered(
    db: Database,
) -> None:
    outbox = Outbox(db, COOLDOWN)
    woken: list[bool] = []
    outbox.subscribe(lambda: woken.append(True))
    alert, signals = bias_alert(
        call("BTC", Direction.LONG, "0.67"), call("SOL", Direction.SHORT, "1")
    )
    assert await outbox.publish(alert, signals, [11, 12, -100]) == 3
    due = await outbox.deliveries.due(10)
    assert sorted(d.chat_id for d in due) == [-100, 11, 12]
    assert all(d.content().payload == alert.payload for d in due)
    assert woken == [True]
    last = await outbox.last(AlertType.BIAS, "SOL")
    assert last is not None and (last.fingerprint, last.strength) == ("SHORT", Decimal(1))


async def test_cooldown_holds_a_repeat_unless_stronger_and_survives_a_restart(
    db: Database,
) -> None:
    outbox = Outbox(db, COOLDOWN)
    await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [11])
    restarted = Outbox(db, COOLDOWN)  # a new process: only the database remembers
    again, signals = bias_alert(
        call("SOL", Direction.LONG, "0.67"), call("BTC", Direction.LONG, "0.67")
    )
    assert await restarted.publish(again, signals, [11, 12]) == 2
    deliveries = {
        d.chat_id: d for d in await restarted.deliveries.due(10) if d.alert.payload == again.payload
    }
    assert [c.symbol for c in deliveries[11].content().payload.calls] == ["BTC"]  # SOL cooling down
    assert [c.symbol for c in deliveries[12].content().payload.calls] == ["SOL", "BTC"]
    # Only SOL, same strength, for chat 11: nothing at all is queued.
    assert await restarted.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [11]) == 0
    # Materially stronger (+0.33 >= 0.2): it goes out inside the cooldown.
    assert await restarted.publish(*bias_alert(call("SOL", Direction.LONG, "1")), [11]) == 1
    # The other direction is not a repeat.
    assert await restarted.publish(*bias_alert(call("SOL", Direction.SHORT, "0.67")), [11]) == 1


async def test_cooldown_ends(db: Database) -> None:
    outbox = Outbox(db, Cooldown(seconds=0.2, repeat_gain=Decimal("0.2")))
    await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [11])
    assert await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [11]) == 0
    await asyncio.sleep(0.3)
    assert await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [11]) == 1


async def test_one_sender_wins_a_claim_and_an_abandoned_claim_comes_due_again(
    db: Database,
) -> None:
    first, second = Outbox(db, COOLDOWN), Outbox(db, COOLDOWN)
    await first.publish(*bias_alert(call("SOL", Direction.LONG, "1")), [11])
    [delivery] = await first.deliveries.due(10)
    [same] = await second.deliveries.due(10)
    assert await first.deliveries.claim([delivery], seconds=0.3) == {delivery.delivery_id}
    assert await second.deliveries.claim([same], seconds=0.3) == set()
    assert await second.deliveries.due(10) == []  # held while the claim lasts
    await asyncio.sleep(0.4)  # the first sender died mid-send
    [back] = await second.deliveries.due(10)
    assert back.delivery_id == delivery.delivery_id
    assert await second.deliveries.claim([back], seconds=30) == {back.delivery_id}


async def test_the_last_delivery_of_an_alert_reports_the_lag_since_the_job_started(
    db: Database,
) -> None:
    outbox = Outbox(db, COOLDOWN)
    alert, signals = bias_alert(call("SOL", Direction.LONG, "1"))
    alert = alert.model_copy(update={"started_at": datetime.now(UTC) - timedelta(seconds=5)})
    await outbox.publish(alert, signals, [11, 12])
    one, two = await outbox.deliveries.due(10)
    assert await outbox.deliveries.sent(one) is None  # one still pending
    lag = await outbox.deliveries.sent(two)
    assert lag is not None and 5 <= lag < 60
    assert await outbox.deliveries.due(10) == []
    assert (await outbox.deliveries.counts())[DeliveryStatus.SENT] == 2


async def test_retries_are_bounded_and_a_gone_chat_closes_everything_pending(
    db: Database,
) -> None:
    outbox = Outbox(db, Cooldown(seconds=0))
    await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "1")), [11, 12])
    await outbox.publish(*bias_alert(call("SOL", Direction.SHORT, "1")), [11])
    now = datetime.now(UTC)
    d12 = next(d for d in await outbox.deliveries.due(10) if d.chat_id == 12)
    assert await outbox.deliveries.retry(d12, "timeout", now, max_attempts=2)
    d12 = next(d for d in await outbox.deliveries.due(10) if d.chat_id == 12)
    assert d12.attempts == 1
    assert not await outbox.deliveries.retry(d12, "timeout", now, max_attempts=2)  # spent: closed
    assert await outbox.deliveries.close_chat(11, "blocked") == 2
    assert await outbox.deliveries.due(10) == []
    counts = await outbox.deliveries.counts()
    assert counts == {DeliveryStatus.FAILED: 1, DeliveryStatus.GONE: 2}


async def test_a_migrated_group_gets_the_alert_at_its_new_id_once(db: Database) -> None:
    outbox = Outbox(db, COOLDOWN)
    await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "1")), [-100, -200])
    old = next(d for d in await outbox.deliveries.due(10) if d.chat_id == -100)
    assert await outbox.deliveries.redirect(old, -1009)
    assert sorted(d.chat_id for d in await outbox.deliveries.due(10)) == [-1009, -200]
    # Two old ids migrating to one new id: the second is closed, not sent twice.
    other = next(d for d in await outbox.deliveries.due(10) if d.chat_id == -200)
    assert not await outbox.deliveries.redirect(other, -1009)
    assert [d.chat_id for d in await outbox.deliveries.due(10)] == [-1009]


async def test_finished_alerts_past_retention_go_and_nothing_still_needed_does(
    db: Database,
) -> None:
    outbox = Outbox(db, COOLDOWN)
    old, fresh = datetime.now(UTC) - timedelta(days=40), datetime.now(UTC)
    for symbol in ("BTC", "ETH", "SOL"):
        await outbox.publish(*bias_alert(call(symbol, Direction.LONG, "1")), [11, 12])
    due = await outbox.deliveries.due(10)
    by_alert: dict[int, list[object]] = {}
    for d in due:
        by_alert.setdefault(d.alert_id, []).append(d)
    done, half, tracked = sorted(by_alert)
    for d in by_alert[done] + by_alert[tracked] + by_alert[half][:1]:
        await outbox.deliveries.sent(d)  # type: ignore[arg-type]
    async with db.sessions() as session, session.begin():
        await session.execute(update(AlertRow).values(created_at=old))
        # The third carries a sniper map still tracked: its messages are edited until it ends.
        session.add(
            CallRow(
                kind="sniper",
                symbol="SOL",
                direction="LONG",
                made_at=old,
                key="k",
                detail="{}",
                open=True,
                status="waiting",
                status_at=old,
                pushed=True,
            )
        )
        await session.flush()
        call_id = (await session.scalars(select(CallRow.id))).one()
        await session.execute(
            update(AlertRow).where(AlertRow.id == tracked).values(call_id=call_id)
        )
    assert await outbox.prune(fresh - timedelta(days=30)) == 1  # only the finished, untracked one
    async with db.sessions() as session:
        left = set(await session.scalars(select(AlertRow.id)))
        deliveries = set(await session.scalars(select(DeliveryRow.alert_id)))
    assert left == {half, tracked} and deliveries == {half, tracked}
    assert await outbox.prune(old) == 0  # younger than the cut: nothing


async def test_the_grading_job_prunes_the_outbox_past_alert_retention(build: Build) -> None:
    services = await build(alert_retention_days=7)
    outbox = services.outbox
    await outbox.publish(*bias_alert(call("BTC", Direction.LONG, "1")), [11])
    [delivery] = await outbox.deliveries.due(10)
    await outbox.deliveries.sent(delivery)
    now = datetime.now(UTC)
    await services.grading_job._prune(now + timedelta(days=6))  # within ALERT_RETENTION_DAYS
    assert await outbox.prune(now - timedelta(days=1)) == 0
    services.grading_job._pruned_at = None
    await services.grading_job._prune(now + timedelta(days=8))
    async with services.db.sessions() as session:
        assert list(await session.scalars(select(AlertRow.id))) == []
