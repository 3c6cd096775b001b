"""The real alert sender against PostgreSQL behind a TCP proxy and the fake Bot API: the
database is cut, refused or hung in the middle of a broadcast to 80 chats, then healed. Every
chat ends with exactly one message (none lost, none sent twice) and the sender resumes within
seconds of the database answering (before: it stopped for good and all 80 stayed pending)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.container import Services, build_services
from services.delivery.deliveries import DeliveryStatus
from tests.conftest import vendor_settings
from tests.fakes.outage_matrix import Matrix, matrix_fixture, seconds
from tests.fakes.reports import bias_alert
from tests.fakes.stores import proxied_postgres, until
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

pytestmark = pytest.mark.postgres

matrix = matrix_fixture("PostgreSQL outages mid-broadcast: 80 deliveries, real Sender")
CHATS = list(range(6001, 6081))
OUTAGE_SECONDS = 2.0


@pytest.fixture
async def pg_proxy(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    async with proxied_postgres(database_url) as proxied:
        yield proxied


def per_chat(telegram: FakeTelegram) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage", ok=True))


async def settled(services: Services) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _ in range(250):  # the marks of the last sends may still be on their way
        counts = await services.outbox.deliveries.counts()
        if counts == {DeliveryStatus.SENT: len(CHATS)}:
            break
        await asyncio.sleep(0.02)
    return counts


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
@pytest.mark.parametrize("mode", ["cut", "refuse", "hang"])
async def test_a_database_outage_mid_broadcast_loses_nothing_and_repeats_nothing(
    mode: str,
    pg_proxy: tuple[TcpProxy, str],
    telegram: FakeTelegram,
    vendors: FakeVendors,
    matrix: Matrix,
) -> None:
    proxy, url = pg_proxy
    settings = vendor_settings(
        vendors.base_url,
        database_url=url,
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_global_per_second=40,  # 80 sends take ~2 s: the outage lands in the middle
        database_timeout_seconds=1.0,
        database_statement_timeout_seconds=2.0,
        store_probe_seconds=0.3,
    )
    services = build_services(settings)
    await services.start()
    bot = make_bot(settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    await services.outbox.publish(*bias_alert("SOL"), CHATS)
    running = asyncio.create_task(sender.run())
    try:
        await telegram.wait_for(lambda: len(per_chat(telegram)) >= 20)
        before = len(per_chat(telegram))
        await proxy.set_mode(mode)
        if mode != "cut":  # cut drops every connection once; the others last a while
            await asyncio.sleep(OUTAGE_SECONDS)
            during = len(per_chat(telegram)) - before
            await proxy.set_mode("pass")
        else:
            during = 0
        healed = time.monotonic()
        await telegram.wait_for(lambda: set(per_chat(telegram)) == set(CHATS), timeout=30)
        finished = time.monotonic() - healed
        await asyncio.sleep(1.0)  # a second copy of anything would show by now
        counts = per_chat(telegram)
        lost = set(CHATS) - set(counts)
        doubled = sorted(chat for chat, n in counts.items() if n > 1)
        assert not lost and not doubled
        assert await settled(services) == {DeliveryStatus.SENT: len(CHATS)}
        matrix.record(mode, "sent before", str(before))
        matrix.record(mode, "during outage", str(during))
        matrix.record(mode, "all sent", f"{seconds(finished)} after heal")
        matrix.record(mode, "lost / doubled", f"{len(lost)} / {len(doubled)}")
        matrix.record(mode, "db outages seen", str(services.db.outage.outages))
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await sender.finish()
        await bot.session.close()
        await services.aclose()


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_send_telegram_accepted_whose_mark_failed_is_marked_later_not_resent(
    pg_proxy: tuple[TcpProxy, str], telegram: FakeTelegram, vendors: FakeVendors, matrix: Matrix
) -> None:
    """The narrow window: Telegram accepted, then the database refused the "sent" mark."""
    proxy, url = pg_proxy
    settings = vendor_settings(
        vendors.base_url,
        database_url=url,
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        database_timeout_seconds=1.0,
        store_probe_seconds=0.3,
        delivery_claim_seconds=0.5,  # the claim lapses while the database is still away
    )
    services = build_services(settings)
    await services.start()
    bot = make_bot(settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    deliveries = services.outbox.deliveries
    real_mark = deliveries._mark_sent
    refused = asyncio.Event()

    async def refuse_then_mark(batch: list) -> dict[int, float]:  # type: ignore[type-arg]
        if not refused.is_set():
            refused.set()
            await proxy.set_mode("refuse")  # Telegram has it; the database goes now
        return await real_mark(batch)

    deliveries._mark_sent = refuse_then_mark  # type: ignore[method-assign]
    await services.outbox.publish(*bias_alert("SOL"), [7001])
    running = asyncio.create_task(sender.run())
    try:
        await refused.wait()
        await asyncio.sleep(1.0)  # the claim has lapsed: only memory says it went out
        assert deliveries.unsettled == 1
        await proxy.set_mode("pass")
        await until(lambda: deliveries.unsettled == 0, timeout=10)
        await asyncio.sleep(1.0)
        assert len(telegram.sent_texts(7001)) == 1
        assert await deliveries.counts() == {DeliveryStatus.SENT: 1}
        matrix.record("refuse at the mark", "lost / doubled", "0 / 0")
        matrix.record("refuse at the mark", "all sent", "marked once back")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await sender.finish()
        await bot.session.close()
        await services.aclose()
