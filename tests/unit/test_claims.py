"""A delivery being sent is claimed by the instance sending it (INSTANCE_ID, by default host
name and HTTP port). After a kill -9 the same instance, restarted, takes its own claims back at
once; another replica leaves them until they lapse (they may be its neighbour's, still
sending). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import pytest
from sqlalchemy import select

from bot.app import make_bot
from bot.delivery.pacer import pacer_for
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.delivery.deliveries import Deliveries, DeliveryStatus, Pending
from services.delivery.outbox import Cooldown, Outbox
from services.storage.db import Database
from services.storage.errors import StorageUnavailableError
from services.storage.tables import DeliveryRow
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import Build


async def test_claims_of_instance_a_are_taken_back_at_once_by_a_new_a_and_not_by_b(
    db: Database,
) -> None:
    outbox = Outbox(db, Cooldown(), instance="host-a:8080")
    await outbox.publish(*bias_alert("SOL"), [1, 2, 3])
    a = outbox.deliveries
    assert len(await a.claim(await a.due(10), 120)) == 3  # then killed: nothing released
    assert await a.due(10) == []
    b = Deliveries(db, "host-b:8080")  # another replica starting
    assert await b.take_back() == 0
    assert await b.due(10) == []  # still A's for the next two minutes
    restarted = Deliveries(db, "host-a:8080")  # A again, after the kill
    assert await restarted.take_back() == 3
    assert sorted(d.chat_id for d in await restarted.due(10)) == [1, 2, 3]
    assert len(await b.claim(await b.due(10), 120)) == 3  # and anyone may claim them now


async def test_deliveries_still_sending_here_are_not_taken_back(db: Database) -> None:
    deliveries = Outbox(db, Cooldown(), instance="host-a:8080").deliveries
    await Outbox(db, Cooldown()).publish(*bias_alert("SOL"), [1, 2])
    first, second = await deliveries.due(10)
    await deliveries.claim([first, second], 120)
    assert await deliveries.take_back(keep={first.delivery_id}) == 1
    assert [d.chat_id for d in await deliveries.due(10)] == [second.chat_id]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_sender_restarted_after_a_kill_resumes_in_seconds_not_after_the_claim(
    build: Build, telegram: FakeTelegram
) -> None:
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        instance_id="bot-1",
        delivery_claim_seconds=120,
    )
    chats = [9101, 9102, 9103]
    await services.outbox.publish(*bias_alert("SOL"), chats)
    deliveries = services.outbox.deliveries
    await deliveries.claim(await deliveries.due(10), 120)  # the killed run's claims
    stranger = Outbox(services.db, Cooldown(), instance="bot-2")  # another replica's sender
    bot = make_bot(services.settings, services, retries=False)
    other = Sender(
        bot,
        stranger,
        services.subscriptions,
        services.chat_settings,
        make_i18n("en"),
        services.metrics,
        services.settings,
    )
    running = asyncio.create_task(other.run())
    await asyncio.sleep(1.0)
    assert telegram.sent_texts() == []  # not its claims: they wait for the lapse
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    started = time.monotonic()
    sender = Sender.for_services(bot, services, make_i18n("en"))  # bot-1 again
    running = asyncio.create_task(sender.run())
    try:
        await telegram.wait_for(lambda: len(telegram.sent_texts()) == len(chats), timeout=10)
        assert time.monotonic() - started < 3  # was up to DELIVERY_CLAIM_SECONDS (120 s)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await bot.session.close()


async def test_a_send_whose_mark_failed_is_never_due_again_until_it_is_marked(
    db: Database,
) -> None:
    outbox = Outbox(db, Cooldown(), instance="host-a:8080")
    await outbox.publish(*bias_alert("SOL"), [1])
    deliveries = outbox.deliveries
    [pending] = await deliveries.due(10)
    await deliveries.claim([pending], 0.05)
    real_mark = deliveries._mark_sent

    async def refused(batch: list[Pending]) -> dict[int, float]:
        raise StorageUnavailableError("database or disk is full", writing=True)

    deliveries._mark_sent = refused  # type: ignore[method-assign]
    with pytest.raises(StorageUnavailableError):
        await deliveries.sent(pending, 4242)  # Telegram accepted it; the mark did not go in
    await asyncio.sleep(0.1)  # its claim has lapsed: only this process knows it went out
    assert await deliveries.due(10) == [] and await deliveries.next_due() is None
    assert await deliveries.claim([pending], 60) == set()
    assert await deliveries.take_back() == 0
    deliveries._mark_sent = real_mark  # type: ignore[method-assign]
    await deliveries.settle()
    assert deliveries.unsettled == 0
    assert await deliveries.counts() == {DeliveryStatus.SENT: 1}


async def test_two_senders_share_one_push_a_second_of_sends_at_a_time(
    build: Build, telegram: FakeTelegram
) -> None:
    """Each sender claims what the shared pace lets it send in about a second, so a replica
    that comes to the outbox a moment later takes the next chunk instead of finding the whole
    push claimed by the first (and a replica killed mid-push strands a second of it, not all)."""
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        instance_id="bot-1",
        telegram_global_per_second=20,
    )
    chats = list(range(9201, 9261))  # three seconds at the shared pace
    await services.outbox.publish(*bias_alert("SOL"), chats)
    bot = make_bot(services.settings, services, retries=False)
    pacer = pacer_for(services.settings)  # one token: the replicas share its pace
    first = Sender.for_services(bot, services, make_i18n("en"), pacer=pacer)
    second = Sender(
        bot,
        Outbox(services.db, Cooldown(), instance="bot-2"),
        services.subscriptions,
        services.chat_settings,
        make_i18n("en"),
        services.metrics,
        services.settings,
        pacer=pacer,
    )
    running = [asyncio.create_task(first.run())]
    try:
        await telegram.wait_for(lambda: len(telegram.sent_texts()) >= 5, timeout=10)
        running.append(asyncio.create_task(second.run()))  # the other replica's next poll
        await telegram.wait_for(lambda: len(telegram.sent_texts()) == len(chats), timeout=20)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await bot.session.close()
    async with services.db.sessions() as session:
        senders = Counter(await session.scalars(select(DeliveryRow.claimed_by)))
    assert set(senders) == {"bot-1", "bot-2"}, senders
    assert sum(senders.values()) == len(chats)
    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")) == chats
