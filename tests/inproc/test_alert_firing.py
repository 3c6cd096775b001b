"""Alerts a chat set, firing: the alerts job (services/jobs/rules_job.py) against the fake OKX,
its messages through the outbox and the sender to the fake Bot API. A crossing fires once,
several of one chat in one pass are one message, a restart never fires again what fired and
finds the crossing it slept through, and a failed write loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from services.container import Services
from services.jobs.rules_job import RulesJob
from services.kernel.rule_model import Status
from services.storage.tables import RuleMarkRow, RuleRow
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import rules_job, sender_for, sending
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

RINA, DEWI = 428756321, 512345678
MINUTE_MS = 60_000
TICKER_TTL = 0.35  # past the bulk ticker list's cache (TICKER_CACHE_TTL_MS, 300 ms)


def flat(vendors: FakeVendors, price: float, minutes: int = 180) -> int:
    """SOL flat at `price` for the last `minutes`; returns now (ms, on the minute)."""
    now = int(time.time() * 1000) // MINUTE_MS * MINUTE_MS
    rows = [(now - n * MINUTE_MS, price, price, price, price) for n in range(minutes)]
    vendors.set_candles("SOL-USDT", rows)
    return now


def job(services: Services, max_per_minute: int = 6) -> RulesJob:
    """The job as the scheduler builds it; a new one is a restarted process."""
    return rules_job(services, max_per_minute)


async def price_now(vendors: FakeVendors, price: str) -> None:
    vendors.set_last("SOL-USDT", price)
    await asyncio.sleep(TICKER_TTL)


@pytest.fixture
async def dispatch(make_dispatch: MakeDispatch, vendors: FakeVendors) -> Dispatch:
    flat(vendors, 140)
    return await make_dispatch()


async def test_a_crossing_fires_once_with_what_crossed_the_price_and_the_note(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL above 150 take profit", chat_id=RINA)
    alerts = job(dispatch.services)
    assert await alerts.run() == 0  # set at 140: nothing, and never at being set
    await price_now(vendors, "151.2")
    assert await alerts.run() == 1
    assert await alerts.run() == 0  # still above: a once alert fired once
    async with sending(sender_for(dispatch)):
        fired = (await telegram.wait_for_messages(2, chat_id=RINA))[-1]
    parse_html(fired)
    assert "🔔 <b>SOL/USDT</b> crossed above 150 · price now <b>151.2</b>" in fired
    assert "<i>take profit</i>" in fired
    assert "That alert is done; ↩️ sets it again." in fired
    buttons = dispatch.buttons(telegram.calls_to("sendMessage", ok=True)[-1])
    assert set(buttons) == {"📈 SOL", "↩️ Again", "🔕"}  # 🔕: mute this kind or coin
    [rule] = await dispatch.services.rules.store.history(RINA)
    assert await dispatch.services.rules.store.live(RINA) == []  # over: it fired
    await dispatch.command("/alerts history", chat_id=RINA)
    assert "SOL/USDT</b> above 150" in telegram.sent_texts(RINA)[-1]
    assert "at 151.2 → … · … · …" in telegram.sent_texts(RINA)[-1]  # nothing after it yet
    assert rule


async def test_alerts_of_one_chat_firing_together_are_one_message(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    for text in ("/alert SOL above 145", "/alert SOL above 150", "/alert SOL below 130"):
        await dispatch.command(text, chat_id=RINA)
    await dispatch.command("/alert SOL above 148", chat_id=DEWI)
    alerts = job(dispatch.services)
    await alerts.run()
    await price_now(vendors, "155")
    assert await alerts.run() == 2  # one message for Rina's two, one for Dewi's
    async with sending(sender_for(dispatch)):
        both = (await telegram.wait_for_messages(4, chat_id=RINA))[-1]
        await telegram.wait_for_messages(2, chat_id=DEWI)
    assert "2 of your alerts fired" in both
    assert "crossed above 145" in both and "crossed above 150" in both
    assert "below 130" not in both


async def test_over_the_per_minute_cap_fires_wait_and_come_merged(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    flat(vendors, 140)
    dispatch = await make_dispatch()
    for level in (141, 142, 143):
        await dispatch.command(f"/alert SOL above {level}", chat_id=RINA)
    alerts = job(dispatch.services, max_per_minute=1)
    await alerts.run()
    await price_now(vendors, "141.5")
    assert await alerts.run() == 1
    await price_now(vendors, "142.5")
    assert await alerts.run() == 0  # held: the chat had its one message this minute
    await price_now(vendors, "143.5")
    assert await alerts.run() == 0
    alerts._told.clear()  # the minute has passed
    assert await alerts.run() == 1  # both held fires, in one message
    store = dispatch.services.rules.store
    assert len(await store.history(RINA)) == 3


async def test_a_restart_never_fires_again_what_fired(
    dispatch: Dispatch, vendors: FakeVendors
) -> None:
    await dispatch.command("/alert SOL above 150 every 1h", chat_id=RINA)
    first = job(dispatch.services)
    await first.run()
    await price_now(vendors, "151")
    assert await first.run() == 1
    restarted = job(dispatch.services)  # a new process: its engine loads from the database
    assert await restarted.run() == 0
    assert await restarted.run() == 0
    [rule] = await dispatch.services.rules.store.live(RINA)
    assert rule.fires == 1 and not rule.state.armed  # waiting for the price to come back


async def test_a_restart_finds_the_crossing_it_slept_through(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL above 150", chat_id=RINA)
    await job(dispatch.services).run()  # the last pass before going down, at 140
    down_since = datetime.now(UTC) - timedelta(hours=2)
    async with dispatch.services.db.saving() as session:
        await session.execute(update(RuleMarkRow).values(checked_at=down_since))
    # While down, SOL spiked to 152 for ten minutes an hour ago, and is back at 140.
    now = flat(vendors, 140)
    spike = {now - (60 - n) * MINUTE_MS for n in range(10)}
    vendors.set_candles(
        "SOL-USDT",
        [
            (ts, p, p, p, p)
            for ts in range(now - 180 * MINUTE_MS, now + MINUTE_MS, MINUTE_MS)
            for p in [152 if ts in spike else 140]
        ],
    )
    assert await job(dispatch.services).run() == 1
    async with sending(sender_for(dispatch)):
        fired = (await telegram.wait_for_messages(2, chat_id=RINA))[-1]
    assert "crossed above 150 · price now <b>140</b>" in fired


async def test_a_failed_write_loses_no_firing_and_doubles_none(
    dispatch: Dispatch, vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The firing, its new state and its message are one transaction: a crash between them
    (here the outbox failing mid-write) leaves the alert as it was, to fire on the next pass."""
    await dispatch.command("/alert SOL above 150", chat_id=RINA)
    alerts = job(dispatch.services)
    await alerts.run()
    await price_now(vendors, "151")
    outbox = dispatch.services.outbox
    real = outbox.queue_for

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(outbox, "queue_for", crash)
    with pytest.raises(RuntimeError):
        await alerts.run()
    [rule] = await dispatch.services.rules.store.live(RINA)
    assert rule.status is Status.ACTIVE and rule.fires == 0
    assert await dispatch.services.rules.store.history(RINA) == []
    monkeypatch.setattr(outbox, "queue_for", real)
    restarted = job(dispatch.services)
    assert await restarted.run() == 1
    assert await restarted.run() == 0
    assert len(await dispatch.services.rules.store.history(RINA)) == 1


async def test_an_expired_alert_ends_with_one_message(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL above 150 for 2h", chat_id=RINA)
    alerts = job(dispatch.services)
    assert await alerts.run() == 0  # no reminder for an alert of hours
    async with dispatch.services.db.saving() as session:
        await session.execute(
            update(RuleRow).values(
                expires_at=datetime.now(UTC) - timedelta(seconds=1),
                updated_at=datetime.now(UTC),
            )
        )
    assert await alerts.run() == 1
    assert await alerts.run() == 0
    async with sending(sender_for(dispatch)):
        ended = (await telegram.wait_for_messages(2, chat_id=RINA))[-1]
    assert "Your alert <b>SOL/USDT</b> above 150 expired without firing." in ended
    assert await dispatch.services.rules.store.live(RINA) == []


async def test_a_fired_alert_speaks_the_chats_language(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    await dispatch.command("/lang id", chat_id=RINA)
    await dispatch.command("/alert SOL below 130", chat_id=RINA)
    alerts = job(dispatch.services)
    await alerts.run()
    await price_now(vendors, "129")
    assert await alerts.run() == 1
    async with sending(sender_for(dispatch)):
        fired = (await telegram.wait_for_messages(3, chat_id=RINA))[-1]
    assert "<b>SOL/USDT</b> menembus ke bawah 130 · harga sekarang <b>129</b>" in fired
