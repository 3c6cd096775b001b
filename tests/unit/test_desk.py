"""A chat's own clock, through the real sender and the desk job: pushes held by quiet hours and
released as one "while you were away" message, muted ones counted, silent ones sent without
sound, and the daily brief at its time in each chat's zone, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.delivery.sender import Sender
from services.chats.desk import Defaults, Mode, QuietHours, Quote
from services.container import Services
from services.delivery.deliveries import DeliveryStatus
from services.delivery.held import HeldPushes
from services.delivery.models import Alert, RulePush
from services.delivery.outbox import Cooldown, Outbox
from services.jobs.desk_job import DeskJob, DeskRun, due
from services.kernel.alerts import AlertType, Job
from services.kernel.rule_model import RuleFire
from services.storage.chat_settings import BriefSlot
from services.storage.errors import StorageUnavailableError
from services.storage.tables import ChatSettingsRow, DeliveryRow
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram

CHAT = 501


def desk_job(services: Services) -> DeskJob:
    job = services.jobs[Job.DESK]
    assert isinstance(job, DeskJob)
    return job


async def quiet_now(services: Services, chat: int) -> None:
    """Quiet hours around this very minute, in UTC."""
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    await services.chat_settings.change(chat, "tz", "UTC", now)
    await services.chat_settings.change(chat, "quiet", quiet_window(start, end), now)


def quiet_window(start: datetime, end: datetime) -> QuietHours:
    return QuietHours(start=time(start.hour, start.minute), end=time(end.hour, end.minute))


async def subscribed(services: Services, chat: int) -> None:
    await services.subscriptions.set(chat, [AlertType.BIAS], active=True)


async def test_held_pushes_go_as_one_message_when_quiet_hours_end(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await subscribed(services, CHAT)
    await quiet_now(services, CHAT)
    await services.outbox.publish(*bias_alert("SOL"), [CHAT])
    await services.outbox.publish(*bias_alert("ETH"), [CHAT])
    await sender.drain()
    assert telegram.sent_texts(CHAT) == []
    assert await services.outbox.deliveries.counts() == {DeliveryStatus.HELD: 2}

    assert (await desk_job(services).run()).released == 0  # still quiet: still held

    async with services.db.sessions() as session, session.begin():  # the window's end passed
        await session.execute(
            update(DeliveryRow).values(next_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await desk_job(services).run()).released == 1
    assert (await desk_job(services).run()).released == 0  # released once
    await sender.drain()
    [away] = telegram.sent_texts(CHAT)
    assert "While you were away: 2 pushes held" in away
    assert "SOL" in away and "ETH" in away
    [call] = [c for c in telegram.calls_to("sendMessage") if int(c.params["chat_id"]) == CHAT]
    assert call.params.get("disable_notification") in (True, "true")  # still inside the hours
    assert await services.outbox.deliveries.counts() == {
        DeliveryStatus.FOLDED: 2,
        DeliveryStatus.SENT: 1,
    }


async def held_then_quiet_off(services: Services, sender: Sender) -> None:
    """A bias call held by the chat's quiet hours, which it then turns off."""
    await subscribed(services, CHAT)
    await quiet_now(services, CHAT)
    await services.outbox.publish(*bias_alert("SOL"), [CHAT])
    await sender.drain()
    assert await services.outbox.deliveries.counts() == {DeliveryStatus.HELD: 1}
    await services.chat_settings.change(CHAT, "quiet", None, datetime.now(UTC))


async def test_turning_quiet_hours_off_releases_what_they_held(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await held_then_quiet_off(services, sender)
    assert (await desk_job(services).run()).released == 1
    await sender.drain()
    assert len(telegram.sent_texts(CHAT)) == 1


async def test_two_replicas_releasing_at_once_send_one_summary(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await held_then_quiet_off(services, sender)
    first, second = await _both(desk_job(services), build_again(services))
    assert first.released + second.released == 1
    await sender.drain()
    assert len(telegram.sent_texts(CHAT)) == 1


async def _both(a: DeskJob, b: DeskJob) -> tuple[DeskRun, DeskRun]:
    first, second = await asyncio.gather(a.run(), b.run())
    return first, second


async def test_a_muted_kind_is_counted_not_sent_and_a_silent_one_makes_no_sound(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    now = datetime.now(UTC)
    await subscribed(services, CHAT)
    await subscribed(services, CHAT + 1)
    await services.chat_settings.mute(CHAT, "kind:bias", now + timedelta(hours=1), now)
    await services.chat_settings.change(CHAT + 1, "push", (AlertType.BIAS, Mode.SILENT), now)
    await services.outbox.publish(*bias_alert("SOL"), [CHAT, CHAT + 1])
    await sender.drain()
    assert telegram.sent_texts(CHAT) == []
    [silent] = [c for c in telegram.calls_to("sendMessage") if int(c.params["chat_id"]) != CHAT]
    assert silent.params.get("disable_notification") in (True, "true")
    assert await services.outbox.deliveries.counts() == {
        DeliveryStatus.MUTED: 1,
        DeliveryStatus.SENT: 1,
    }
    held = HeldPushes(services.db, services.outbox)
    assert await held.counts(CHAT, now - timedelta(hours=1)) == (0, 1)


def test_who_is_due_follows_each_chats_own_zone_and_day() -> None:
    defaults = Defaults(watchlist=["BTC"], timezone="Asia/Jakarta", whale_min_usd=1)
    now = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 07:30 in Jakarta, 19:30 (6th) in New York
    slots = [
        BriefSlot(chat_id=1, tz=None, minute=7 * 60 + 30, last_on=None),  # Jakarta: now
        BriefSlot(chat_id=2, tz=None, minute=7 * 60 + 30, last_on="2026-12-07"),  # had it
        BriefSlot(chat_id=3, tz="America/New_York", minute=7 * 60 + 30, last_on="2026-12-06"),
        BriefSlot(chat_id=4, tz="America/New_York", minute=19 * 60, last_on="2026-12-05"),
        BriefSlot(chat_id=5, tz=None, minute=8 * 60, last_on=None),  # later today
        BriefSlot(chat_id=6, tz=None, minute=6 * 60, last_on="2026-12-06"),  # missed: goes now
    ]
    assert due(slots, defaults, now) == {1: "2026-12-07", 4: "2026-12-06", 6: "2026-12-07"}


def test_a_brief_at_a_wall_time_dst_skips_comes_that_morning_once() -> None:
    defaults = Defaults(watchlist=["BTC"], timezone="America/New_York", whale_min_usd=1)
    slot = BriefSlot(chat_id=1, tz=None, minute=2 * 60 + 30, last_on="2026-03-07")
    before = datetime(2026, 3, 8, 1, 59, tzinfo=ZoneInfo("America/New_York"))
    after = datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("America/New_York"))  # 02:xx skipped
    assert due([slot], defaults, before.astimezone(UTC)) == {}
    assert due([slot], defaults, after.astimezone(UTC)) == {1: "2026-03-08"}


async def test_the_brief_comes_at_its_time_in_two_zones_and_once(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    now = datetime.now(UTC)
    zones = {601: "Asia/Jakarta", 602: "America/New_York", 603: "Asia/Jakarta"}
    for chat, zone in zones.items():
        local = now.astimezone(ZoneInfo(zone))
        at = max(local - timedelta(minutes=1), local.replace(hour=0, minute=0))
        await services.chat_settings.change(chat, "tz", zone, now)
        await services.chat_settings.change(chat, "brief", time(at.hour, at.minute), now)
    await services.chat_settings.change(602, "watchlist", ["SOL"], now)
    await services.chat_settings.change(601, "quote", Quote.IDR, now)
    async with services.db.sessions() as session, session.begin():
        # set before its time came: not yet taken today; 603 had today's already
        await session.execute(update(ChatSettingsRow).values(brief_on=None))
        await session.execute(
            update(ChatSettingsRow)
            .where(ChatSettingsRow.chat_id == 603)
            .values(brief_on=now.astimezone(ZoneInfo("Asia/Jakarta")).date().isoformat())
        )

    assert (await desk_job(services).run()).briefed == 2
    assert (await desk_job(services).run()).briefed == 0  # not twice
    assert (await build_again(services).run()).briefed == 0  # nor by a restarted job
    await sender.drain()
    [jakarta] = telegram.sent_texts(601)
    [new_york] = telegram.sent_texts(602)
    assert telegram.sent_texts(603) == []
    assert "Your brief" in jakarta and "BTC" in jakarta and "ETH" in jakarta
    assert "Your brief" in new_york and "SOL" in new_york and "BTC" not in new_york.split("\n")[2]
    assert "Source:" in jakarta  # where its numbers came from and how fresh
    assert "Rp 2,321,000 (Indodax)" in jakarta and "Rp" not in new_york  # each chat's quote


def build_again(services: Services) -> DeskJob:
    """A second job over the same database: another replica, or this one after a restart."""
    return DeskJob(
        services.outbox,
        services.chat_settings,
        services.chat_settings.store,
        HeldPushes(services.db, services.outbox),
        services.modules,
        services.track_record,
        services.rupiah,
    )


def rule_push(urgent: bool) -> Alert:
    fire = RuleFire(
        rule_id=7 if urgent else 8,
        symbol="SOL-USDT",
        kind="level",
        direction="above",
        level=Decimal(200),
        price=Decimal("200.5"),
        at=datetime.now(UTC),
        urgent=urgent,
    )
    return Alert(started_at=datetime.now(UTC), payload=RulePush(fires=[fire]))


async def test_an_urgent_alert_comes_during_quiet_hours_silently_the_rest_wait(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await quiet_now(services, CHAT)
    for urgent in (True, False):
        async with services.outbox.transaction() as session:
            await services.outbox.queue_for(session, rule_push(urgent), CHAT)
    services.outbox.published()
    await sender.drain()
    [sent] = telegram.calls_to("sendMessage")
    assert sent.params.get("disable_notification") in (True, "true")
    assert await services.outbox.deliveries.counts() == {
        DeliveryStatus.SENT: 1,
        DeliveryStatus.HELD: 1,
    }


async def test_settings_the_database_cannot_give_hold_the_batch_rather_than_ignore_them(
    wired: tuple[Services, Sender], telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chat in its quiet hours is not pushed at loudly because its settings could not be
    read this second: the batch waits, unspent, and goes by the settings once they read."""
    services, sender = wired
    await subscribed(services, CHAT)
    await quiet_now(services, CHAT)
    await services.chat_settings.forget(CHAT)
    await services.outbox.publish(*bias_alert("SOL"), [CHAT])
    real = services.chat_settings.many

    async def down(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(services.chat_settings, "many", real)  # once
        raise StorageUnavailableError("not answering", connection=True)

    monkeypatch.setattr(services.chat_settings, "many", down)
    with pytest.raises(StorageUnavailableError):
        await sender.drain()
    assert telegram.sent_texts(CHAT) == []
    assert await services.outbox.deliveries.counts() == {DeliveryStatus.PENDING: 1}
    await sender.drain()
    assert telegram.sent_texts(CHAT) == []
    assert await services.outbox.deliveries.counts() == {DeliveryStatus.HELD: 1}


async def test_a_sender_whose_claim_lapsed_sets_nothing_aside(
    wired: tuple[Services, Sender],
) -> None:
    services, _sender = wired
    await services.outbox.publish(*bias_alert("SOL"), [CHAT])
    deliveries = services.outbox.deliveries
    [due] = await deliveries.due(10)
    assert await deliveries.claim([due], 120)
    other = Outbox(services.db, Cooldown(), instance="bot-2").deliveries
    assert not await other.set_aside(due, DeliveryStatus.HELD, datetime.now(UTC))
    assert await deliveries.set_aside(due, DeliveryStatus.HELD, datetime.now(UTC))
