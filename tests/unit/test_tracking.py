"""A pushed sniper map followed to its end, in-process: real sender to the fake Bot API, real
grading job on the fake OKX's scripted 1-minute candles. The map is edited in place as it plays
out, gets one reply on its outcome (not where follow-ups are muted), and a restart in between
grades nothing twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from bot.delivery.sender import Sender
from services.container import Services, build_services
from services.kernel.alerts import AlertType
from services.signals.calls import Kind
from services.signals.health import RunOutcome
from services.signals.sniper.rule import EntryMap, SniperInputs
from services.signals.sniper.service import SniperRead
from services.storage.tables import GradeRow
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.test_sniper_rule import book, make

# The hand-made map of test_sniper_rule: entry 99.5, stop 99.20, TP1 100.8, TP2 101.6.
RISK = D("0.30")
R1, R2 = (D("100.8") - D("99.5")) / RISK, (D("101.6") - D("99.5")) / RISK


def minute(now: datetime, ago: int) -> int:
    return int((now.replace(second=0, microsecond=0) - timedelta(minutes=ago)).timestamp() * 1000)


def path(
    now: datetime, rows: list[tuple[int, str, str, str]]
) -> list[tuple[int, float, float, float, float]]:
    """(minutes ago, low, high, close) -> OKX candle rows."""
    return [
        (minute(now, ago), float(close), float(high), float(low), float(close))
        for ago, low, high, close in rows
    ]


async def pushed_map(services: Services, sender: Sender, made: datetime) -> tuple[int, EntryMap]:
    entry = make(at=made)
    call_id = await services.calls.sniper(entry)
    assert await services.sniper_job.offer(call_id, entry, made, new=True) >= 2
    await sender.drain()
    return call_id, entry


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_pushed_map_is_edited_in_place_and_gets_one_reply_once_even_across_a_restart(
    wired: tuple[Services, Sender], telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    services, sender = wired
    now = datetime.now(UTC)
    await services.subscriptions.set(11, [AlertType.SNIPER], active=True)
    await services.subscriptions.set(12, [AlertType.SNIPER], active=True)
    await services.subscriptions.set(12, [AlertType.FOLLOWUPS], active=False)  # muted
    await services.subscriptions.set(13, [AlertType.SNIPER], active=True)
    call_id, _ = await pushed_map(services, sender, now - timedelta(minutes=10, seconds=30))
    await services.subscriptions.set(13, [AlertType.SNIPER], active=False)  # left since
    first = {
        int(c.params["chat_id"]): c.result["message_id"]
        for c in telegram.calls_to("sendMessage", ok=True)
    }
    assert set(first) == {11, 12, 13}

    # Above the entry, a dip that fills it, then TP1: the path so far.
    rows = [
        (10, "99.9", "100.2", "100.1"),
        (9, "99.45", "99.9", "99.7"),
        (8, "99.6", "100.9", "100.7"),
    ]
    vendors.set_candles("SOL-USDT", path(now, rows))
    assert await services.grading_job.run() == 0  # not final yet: no grade
    await sender.drain()
    edits = telegram.calls_to("editMessageText", ok=True)
    assert {(int(c.params["chat_id"]), int(c.params["message_id"])) for c in edits} == {
        (11, first[11]),
        (12, first[12]),
        (13, first[13]),  # the map it was sent stays true, though it unsubscribed
    }
    assert all("entry filled" in c.params["text"] and "TP1 hit" in c.params["text"] for c in edits)
    assert all("stop moved to entry" in c.params["text"] for c in edits)
    # The push's buttons stay under it: an edit without them would take them away.
    sent_buttons = telegram.calls_to("sendMessage", ok=True)[0].params["reply_markup"]
    assert sent_buttons and all(c.params.get("reply_markup") == sent_buttons for c in edits)
    assert telegram.sent_texts(11)[1:] == []  # an edit, not a new message
    assert (await services.calls.store.get(call_id)).status == "tp1"  # type: ignore[union-attr]

    # A restart: a fresh service graph on the same database picks the map up where it was.
    restarted = build_services(services.settings)
    await restarted.start()
    try:
        again = Sender.for_services(sender._bot, restarted, sender._i18n)
        vendors.set_candles("SOL-USDT", path(now, [*rows, (7, "100.6", "101.7", "101.5")]))
        assert await restarted.grading_job.run() == 2  # the outcome and its baseline
        assert await restarted.grading_job.run() == 0
        metrics = restarted.metrics.render().decode()
        assert 'signal_graded_total{kind="sniper",outcome="tp2"} 1.0' in metrics
        assert 'signal_hit_ratio{horizon="outcome",kind="sniper"} 1.0' in metrics
        assert await services.grading_job.run() == 0  # the old instance grades nothing again
        await again.drain()
    finally:
        await restarted.aclose()

    replies = [
        c for c in telegram.calls_to("sendMessage", ok=True) if c.params.get("reply_parameters")
    ]
    # 12 muted follow-ups; 13 unsubscribed: no reply makes a sound there.
    assert [int(c.params["chat_id"]) for c in replies] == [11]
    reply = replies[0]
    assert json.loads(reply.params["reply_parameters"])["message_id"] == first[11]
    assert "TP2 hit" in reply.params["text"]
    expected_r = (D("0.5") * R1 + D("0.5") * R2).quantize(D("0.01"))
    assert f"+{expected_r.normalize():f} R" in reply.params["text"].replace(",", ".")
    final_edits = telegram.calls_to("editMessageText", ok=True)[3:]
    assert len(final_edits) == 3 and all("TP2 hit" in c.params["text"] for c in final_edits)

    async with services.db.sessions() as session:
        grades = (await session.scalars(select(GradeRow).where(GradeRow.call_id == call_id))).all()
    own = [g for g in grades if not g.baseline]
    assert len(own) == 1 and own[0].outcome == "tp2" and own[0].hit is True
    assert own[0].value == expected_r
    assert own[0].source == "OKX 1m candles SOL-USDT"
    record = await services.track_record.record(Kind.SNIPER, 30, None, datetime.now(UTC))
    assert record.horizons[0].calls.n == 1 and record.outcomes == {"tp2": 1}


async def test_a_chat_that_subscribes_while_the_setup_waits_gets_it_once(
    wired: tuple[Services, Sender], telegram: FakeTelegram, monkeypatch
) -> None:
    services, sender = wired
    now = datetime.now(UTC)
    await services.subscriptions.set(11, [AlertType.SNIPER], active=True)
    await services.subscriptions.set(12, [AlertType.SNIPER], active=True)
    call_id, entry = await pushed_map(services, sender, now)

    async def same_map(inst: object) -> SniperRead:
        return SniperRead(
            map=entry.model_copy(update={"at": datetime.now(UTC)}),
            outcome=RunOutcome(ok={"whale", "heatmap", "spot_ob"}),
            inputs=SniperInputs(symbol="SOL", at=now, price=entry.price),
        )

    monkeypatch.setattr(services.sniper, "read", same_map)
    assert await services.sniper_job.run() == 0  # everyone has it: nothing, and no new call
    await services.subscriptions.set(13, [AlertType.SNIPER], active=True)
    assert await services.sniper_job.run() == 1  # the late subscriber gets the live setup
    assert await services.sniper_job.run() == 0
    await sender.drain()
    assert len(telegram.sent_texts(13)) == 1 and len(telegram.sent_texts(11)) == 1
    calls = await services.calls.store.open_calls(Kind.SNIPER)
    assert [c.id for c in calls] == [call_id]  # the same setup is one call

    # Once the entry has filled, a map is no longer offered to newcomers.
    async with services.db.sessions() as session, session.begin():
        assert await services.calls.store.move_in(session, call_id, "entered", "waiting")
    await services.subscriptions.set(14, [AlertType.SNIPER], active=True)
    assert await services.sniper_job.run() == 0


async def test_a_waiting_map_past_its_lifetime_is_not_offered_again(
    wired: tuple[Services, Sender], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _ = wired
    old = make(at=datetime.now(UTC) - timedelta(minutes=361))  # lifetime: 360 min
    await services.subscriptions.set(11, [AlertType.SNIPER], active=True)
    assert await services.sniper_job.offer(await services.calls.sniper(old), old, old.at, True) == 1

    async def no_setup(inst: object) -> SniperRead:
        return SniperRead(
            map=make(at=datetime.now(UTC), book=None),
            outcome=RunOutcome(ok={"whale", "heatmap", "spot_ob"}),
            inputs=SniperInputs(symbol="SOL", at=datetime.now(UTC), price=old.price),
        )

    monkeypatch.setattr(services.sniper, "read", no_setup)
    await services.subscriptions.set(12, [AlertType.SNIPER], active=True)
    # Not graded yet (still "waiting"), but its lifetime is over: nobody gets it now.
    assert await services.sniper_job.run() == 0


async def test_a_different_setup_is_news_for_a_chat_that_had_the_last_one(
    wired: tuple[Services, Sender],
) -> None:
    services, _ = wired
    now = datetime.now(UTC)
    await services.subscriptions.set(11, [AlertType.SNIPER], active=True)
    first = make(at=now)
    offer = services.sniper_job.offer
    assert await offer(await services.calls.sniper(first), first, now, new=True) == 1
    assert await offer(await services.calls.sniper(first), first, now, new=True) == 0  # same
    moved = make(at=now + timedelta(seconds=1), book=book(bid_wall=("99.0", "80")))
    assert moved.entry == D("99.0")
    assert await offer(await services.calls.sniper(moved), moved, now, new=True) == 1
    assert [d.alert.type for d in await services.outbox.deliveries.due(10)] == [
        AlertType.SNIPER
    ] * 2


async def test_a_state_change_and_its_follow_ups_are_written_together_or_not_at_all(
    wired: tuple[Services, Sender], vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, sender = wired
    now = datetime.now(UTC)
    await services.subscriptions.set(11, [AlertType.SNIPER], active=True)
    await services.subscriptions.set(12, [AlertType.SNIPER], active=True)
    call_id, _ = await pushed_map(services, sender, now - timedelta(minutes=10, seconds=30))
    vendors.set_candles("SOL-USDT", path(now, [(9, "99.45", "99.9", "99.7")]))  # entry filled
    queue = services.grading_job._follow_ups._queue
    real = queue.queue

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("database went away mid-write")

    monkeypatch.setattr(queue, "queue", broken)
    with pytest.raises(RuntimeError):
        await services.grading_job.run()
    stored = await services.calls.store.get(call_id)
    assert stored is not None and stored.status == "waiting"  # rolled back with its edits
    monkeypatch.setattr(queue, "queue", real)
    await services.grading_job.run()
    stored = await services.calls.store.get(call_id)
    assert stored is not None and stored.status == "entered"
    edits = [d for d in await services.outbox.deliveries.due(10) if d.reply_to is not None]
    assert sorted(d.chat_id for d in edits) == [11, 12]  # the follow-ups came with it, once
