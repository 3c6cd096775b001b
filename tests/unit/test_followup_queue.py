"""Follow-ups in the outbox tables on SQLite and PostgreSQL: the message a pushed map became,
the chats holding a bias call, and follow-up deliveries that point at the message they edit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.delivery.followups import FollowUpQueue
from services.delivery.models import Alert, EditPush, Signal, SniperPush, Tracking
from services.delivery.outbox import Outbox, SetupRule
from services.kernel.alerts import AlertType
from services.signals.bias.rule import Direction
from services.storage.db import Database
from tests.unit.test_outbox import COOLDOWN, bias_alert, call
from tests.unit.test_sniper_rule import make


async def test_a_pushed_maps_messages_and_edits_pointing_at_them(db: Database) -> None:
    outbox = Outbox(db, COOLDOWN)
    queue = FollowUpQueue(db, outbox.published)
    entry = make(at=datetime.now(UTC))
    signal = Signal(
        symbol="SOL", direction="LONG", strength=Decimal(1), fingerprint=entry.fingerprint()
    )
    rule = SetupRule(same_pct=Decimal("0.3"), lifetime_seconds=3600)
    alert = Alert(started_at=datetime.now(UTC), payload=SniperPush(maps=[entry]))
    published = await outbox.queue(alert, [signal], [11, 12, 13], setup=rule, call_id=7)
    assert published.queued == 3
    due = {d.chat_id: d for d in await outbox.deliveries.due(10)}
    await outbox.deliveries.sent(due[11], message_id=5011)
    await outbox.deliveries.sent(due[12], message_id=5012)  # 13 not sent yet: nothing to edit there
    assert await queue.messages_of(7) == [(11, 5011), (12, 5012)]
    assert await queue.messages_of(8) == []
    again = await outbox.queue(alert, [signal], [11, 12, 13, 14], setup=rule, call_id=7)
    assert again.queued == 1  # only the chat that never had this setup

    track = Tracking(call_id=7, map=entry, status="waiting", final=False)
    edit = Alert(started_at=datetime.now(UTC), payload=EditPush(track=track))
    assert await queue.queue(edit, [(11, 5011), (12, 5012)]) == 2
    edits = [d for d in await outbox.deliveries.due(20) if d.alert.type is AlertType.SNIPER_EDIT]
    assert sorted((d.chat_id, d.reply_to) for d in edits) == [(11, 5011), (12, 5012)]
    # A newer state of 11's map overtakes its edit still waiting: the older one never lands.
    assert await queue.queue(edit, [(11, 5011)]) == 1
    edits = [d for d in await outbox.deliveries.due(20) if d.alert.type is AlertType.SNIPER_EDIT]
    assert sorted((d.chat_id, d.alert_id) for d in edits) == [
        (11, max(d.alert_id for d in edits)),
        (12, min(d.alert_id for d in edits)),
    ]


async def test_chats_holding_a_bias_call_are_told_once(db: Database) -> None:
    outbox = Outbox(db, COOLDOWN)
    queue = FollowUpQueue(db, lambda: None)
    await outbox.publish(*bias_alert(call("SOL", Direction.LONG, "0.67")), [21, 22])
    await outbox.publish(*bias_alert(call("SOL", Direction.SHORT, "0.67")), [23])
    assert await queue.holding("SOL", "LONG") == [21, 22]
    async with queue.transaction() as session:
        await queue.mark_withdrawn(session, "SOL", [21, 22])
    assert await queue.holding("SOL", "LONG") == []
    assert await queue.holding("SOL", "SHORT") == [23]
    # A fresh push of the call is held again by whoever gets it.
    await outbox.publish(*bias_alert(call("SOL", Direction.SHORT, "1")), [21])
    assert await queue.holding("SOL", "SHORT") == [21, 23]
