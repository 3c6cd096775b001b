"""The settings store on SQLite and PostgreSQL alike: versioned writes that refuse a stale
version (two admins at once both land, one after the other), the brief claimed once a day, the
push modes beside the document, and a held push folded into one summary once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from services.chats.desk import ChatSettings, Defaults, Mode, QuietHours
from services.chats.settings import ChatSettingsService
from services.delivery.deliveries import DeliveryStatus
from services.delivery.held import HeldPushes
from services.delivery.models import Alert, AwayPush
from services.delivery.outbox import Cooldown, Outbox
from services.kernel.alerts import AlertType
from services.storage.chat_settings import ChatSettingsStore, ConflictError
from services.storage.db import Database
from tests.fakes.reports import bias_alert

DEFAULTS = Defaults(watchlist=["BTC"], timezone="Asia/Jakarta", whale_min_usd=1_000_000)


async def test_a_write_at_a_stale_version_is_refused(db: Database) -> None:
    store = ChatSettingsStore(db)
    version = await store.write(1, 0, ChatSettings().stored(), None, None, None, {})
    assert version == 1
    with pytest.raises(ConflictError):
        await store.write(1, 0, ChatSettings().stored(), None, None, None, {})  # a second insert
    assert await store.write(1, 1, '{"language":"id"}', None, None, None, {"bias": "silent"}) == 2
    with pytest.raises(ConflictError):
        await store.write(1, 1, "{}", None, None, None, {})  # read before the change above
    stored = await store.read([1, 2])
    assert stored[1].version == 2 and stored[1].modes == {"bias": "silent"}
    assert stored[2].version == 0 and stored[2].data is None  # never written: the defaults


async def test_two_changes_at_once_both_land(db: Database) -> None:
    service = ChatSettingsService(ChatSettingsStore(db), DEFAULTS)
    now = datetime.now(UTC)
    quiet = QuietHours(start=time(23), end=time(7))
    await asyncio.gather(
        service.change(5, "quiet", quiet, now),
        service.change(5, "push", (AlertType.SNIPER, Mode.SILENT), now),
        service.change(5, "tz", "UTC", now),
    )
    await service.forget(5)
    desk = await service.get(5)
    assert desk.quiet == quiet and desk.tz == "UTC" and desk.mode(AlertType.SNIPER) is Mode.SILENT


async def test_a_brief_is_claimed_once_a_day(db: Database) -> None:
    store = ChatSettingsStore(db)
    await store.write(9, 0, "{}", None, 7 * 60, None, {})
    [slot] = await store.brief_slots()
    assert slot.minute == 7 * 60 and slot.last_on is None

    async def claim() -> int:
        async with db.sessions() as session, session.begin():
            result = await session.execute(store.take_brief(9, "2026-12-07"))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    assert sorted(await asyncio.gather(claim(), claim())) == [0, 1]
    assert await claim() == 0
    [slot] = await store.brief_slots()
    assert slot.last_on == "2026-12-07"


async def test_held_pushes_fold_into_one_summary_once(db: Database) -> None:
    outbox = Outbox(db, Cooldown(), instance="a")
    held = HeldPushes(db, outbox)
    await outbox.publish(*bias_alert("SOL"), [7])
    await outbox.publish(*bias_alert("ETH"), [7])
    for due in await outbox.deliveries.due(10):
        await outbox.deliveries.claim([due], 60)
        assert await outbox.deliveries.set_aside(due, DeliveryStatus.HELD, datetime.now(UTC))
    [(chat, items)] = (await held.holding(datetime.now(UTC) + timedelta(days=1))).items()
    summary = Alert(started_at=datetime.now(UTC), payload=AwayPush(held=[h.held for h in items]))
    assert await held.release(chat, items, summary)
    assert not await held.release(chat, items, summary)  # a second release finds none held
    counts = await outbox.deliveries.counts()
    assert counts == {DeliveryStatus.FOLDED: 2, DeliveryStatus.PENDING: 1}


async def test_a_night_still_under_way_is_not_read_until_the_chat_changes_its_settings(
    db: Database,
) -> None:
    outbox = Outbox(db, Cooldown(), instance="a")
    held = HeldPushes(db, outbox)
    now = datetime.now(UTC)
    await outbox.publish(*bias_alert("SOL"), [7])
    [due] = await outbox.deliveries.due(10)
    await outbox.deliveries.claim([due], 60)
    await outbox.deliveries.set_aside(due, DeliveryStatus.HELD, now + timedelta(hours=8))
    assert await held.holding(now) == {}
    assert list(await held.holding(now + timedelta(hours=8))) == [7]  # its hours ended
    await ChatSettingsStore(db).write(7, 0, "{}", None, None, None, {})  # quiet hours off?
    assert list(await held.holding(now)) == [7]
