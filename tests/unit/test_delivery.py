"""The sender and the bias job in-process: real aiogram Bot over HTTP to the fake Bot API, real
services on the fake vendors. Covers what the process-level e2e tests do not: migrated groups,
"chat not found", bounded retries, pacing per chat, and the edge-triggered bias job."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.app import make_bot
from bot.delivery.sender import IN_FLIGHT, Sender
from bot.i18n import make_i18n
from services.container import Services
from services.delivery.deliveries import DeliveryStatus
from services.kernel.alerts import AlertType
from services.signals.bias.rule import BiasCall, Direction
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.conftest import Build


async def push(services: Services, chats: list[int], symbol: str = "SOL") -> None:
    await services.outbox.publish(*bias_alert(symbol), chats)


async def test_a_migrated_group_gets_the_alert_at_its_new_id_and_keeps_its_subscription(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await services.subscriptions.set(-100, [AlertType.BIAS], active=True)
    telegram.fail("sendMessage", "error_400_migrated.json", chat_id=-100)
    await push(services, [-100])
    await sender.drain()
    new_id = -1002233445566  # from the fixture
    [text] = telegram.sent_texts(new_id)
    assert "SOL institutional bias: LONG" in text
    assert await services.subscriptions.subscribers(AlertType.BIAS) == [new_id]
    assert (await services.outbox.deliveries.counts()) == {DeliveryStatus.SENT: 1}


async def test_a_push_speaks_the_language_the_chat_chose(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await services.chat_settings.change(-300, "lang", "id", datetime.now(UTC))
    await push(services, [-300, 301])
    await sender.drain()
    [group] = telegram.sent_texts(-300)
    [private] = telegram.sent_texts(301)
    assert "Bias berubah" in group and "Bias institusional SOL: LONG" in group
    assert "Bias changed" in private  # no choice, no Telegram language: DEFAULT_LOCALE


async def test_chat_not_found_deactivates_and_closes_without_retrying(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await services.subscriptions.set(777, [AlertType.BIAS], active=True)
    telegram.fail("sendMessage", "error_400_chat_not_found.json", chat_id=777)
    await push(services, [777])
    await sender.drain()
    assert len(telegram.calls_to("sendMessage")) == 1
    assert await services.subscriptions.subscribers(AlertType.BIAS) == []
    assert (await services.outbox.deliveries.counts()) == {DeliveryStatus.GONE: 1}


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_network_errors_are_retried_a_bounded_number_of_times(
    wired: tuple[Services, Sender], telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, sender = wired
    monkeypatch.setattr("bot.delivery.sender.RETRY_MAX_SECONDS", 0.0)  # retry at once
    body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    telegram.errors["sendMessage"] = []
    from tests.fakes.telegram import Injected

    telegram.errors["sendMessage"].append(Injected(body, times=100))
    await push(services, [42])
    for _ in range(services.settings.delivery_max_attempts + 2):
        await sender.drain()
        await asyncio.sleep(0.01)
    assert len(telegram.calls_to("sendMessage")) == services.settings.delivery_max_attempts
    assert (await services.outbox.deliveries.counts()) == {DeliveryStatus.FAILED: 1}


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_two_alerts_for_one_chat_are_a_second_apart(
    wired: tuple[Services, Sender], telegram: FakeTelegram
) -> None:
    services, sender = wired
    await push(services, [55], "SOL")
    await push(services, [55], "BTC")
    await sender.drain()
    first, second = telegram.calls_to("sendMessage", ok=True)
    assert second.at - first.at >= 0.95  # 1 message per second per private chat


async def test_the_bias_job_pushes_on_a_change_of_direction_only(
    build: Build, vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendors.set_trades("SOL-USDT-SWAP", [("buy", 9000, 142.1, 30)])  # whales bought: LONG
    services = await build(watch_symbols=["SOL"], alert_cooldown_seconds=3600)
    await services.subscriptions.set(9, [AlertType.BIAS], active=True)
    assert await services.bias_job.run() == 1  # net whale buying + 73 Greed
    assert await services.bias_job.run() == 0  # unchanged

    real = services.bias.evaluate

    def as_(direction: Direction, inputs: Any) -> BiasCall:
        return real(inputs).model_copy(update={"direction": direction})

    monkeypatch.setattr(services.bias, "evaluate", lambda i: as_(Direction.SHORT, i))
    assert await services.bias_job.run() == 1  # a flip is always news
    monkeypatch.setattr(services.bias, "evaluate", lambda i: as_(Direction.NEUTRAL, i))
    # Fading to neutral: the chat holding the SHORT is told once that it is withdrawn.
    assert await services.bias_job.run() == 1
    last = await services.outbox.last(AlertType.BIAS, "SOL")
    assert last is not None and last.fingerprint == "NEUTRAL"
    assert await services.bias_job.run() == 0  # still neutral: nothing more
    monkeypatch.setattr(services.bias, "evaluate", lambda i: as_(Direction.SHORT, i))
    assert await services.bias_job.run() == 0  # SHORT again inside the cooldown: held
    monkeypatch.setattr(services.bias, "evaluate", lambda i: as_(Direction.NEUTRAL, i))
    assert await services.bias_job.run() == 0  # that held SHORT fading: nobody holds it
    due = await services.outbox.deliveries.due(10)
    assert [d.alert.type for d in due] == [AlertType.BIAS, AlertType.BIAS, AlertType.BIAS_WITHDRAWN]
    assert (
        due[1].alert.payload.calls[0].previous is Direction.LONG
    )  # the flip says what it reverses
    assert [w.was for w in due[2].alert.payload.withdrawn] == ["SHORT"]
    assert due[2].alert.payload.withdrawn[0].price == Decimal(
        "142.35"
    )  # the price it is withdrawn at


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_clean_stop_mid_broadcast_leaves_nothing_claimed_or_sent_twice(
    build: Build, telegram: FakeTelegram
) -> None:
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_global_per_second=10,
    )
    bot = make_bot(services.settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    chats = list(range(100, 130))
    await push(services, chats)
    draining = asyncio.create_task(sender.drain())
    await telegram.wait_for(lambda: len(telegram.calls_to("sendMessage")) >= 5)
    draining.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await draining
    await sender.finish()
    sent = len(telegram.calls_to("sendMessage", ok=True))
    counts = await services.outbox.deliveries.counts()
    assert DeliveryStatus.SENDING not in counts  # nothing waits for a claim to lapse
    assert counts[DeliveryStatus.SENT] == sent
    assert len(await services.outbox.deliveries.due(100)) == len(chats) - sent  # due again at once
    await Sender.for_services(bot, services, make_i18n("en")).drain()  # "the restart"
    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")) == chats
    await bot.session.close()


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_429s_never_spend_the_tries_kept_for_network_errors(
    wired: tuple[Services, Sender], telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.telegram import Injected

    services, sender = wired
    monkeypatch.setattr("bot.delivery.sender.RETRY_MAX_SECONDS", 0.0)
    tries = services.settings.delivery_max_attempts
    telegram.fail("sendMessage", "error_429.json", times=3, retry_after=1)
    bad_gateway = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    telegram.errors["sendMessage"].append(Injected(bad_gateway, times=tries - 1))
    await push(services, [43])
    while await services.outbox.deliveries.next_due() is not None:  # until sent or closed
        await sender.drain()
        await asyncio.sleep(0.1)
    assert len(telegram.calls_to("sendMessage")) == 3 + tries  # 3×429, 4×502, then accepted
    assert telegram.sent_texts(43)
    assert (await services.outbox.deliveries.counts()) == {DeliveryStatus.SENT: 1}


async def test_a_kill_could_repeat_no_more_sends_than_the_senders_slots(
    build: Build, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a SIGKILL sends twice is what Telegram was asked or had answered without the "sent"
    mark committed. A send keeps its slot until its mark is on record, so while the database
    is slow to commit, no more than IN_FLIGHT sends are at Telegram unrecorded; before, sends
    went on while their marks queued behind the slow commit."""
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_global_per_second=200,
    )
    deliveries = services.outbox.deliveries
    committing = asyncio.Event()
    real = deliveries._mark_sent

    async def slow(batch: Any) -> Any:
        await committing.wait()  # the database holds every commit until released
        return await real(batch)

    monkeypatch.setattr(deliveries, "_mark_sent", slow)
    bot = make_bot(services.settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    chats = list(range(100, 100 + 3 * IN_FLIGHT))
    await push(services, chats)
    draining = asyncio.create_task(sender.drain())
    await telegram.wait_for(lambda: len(telegram.calls_to("sendMessage")) >= IN_FLIGHT)
    await asyncio.sleep(0.3)  # time for more sends, if anything let them go
    assert len(telegram.calls_to("sendMessage")) == IN_FLIGHT  # all answered, none recorded
    committing.set()
    await draining
    counts = await deliveries.counts()
    assert counts[DeliveryStatus.SENT] == len(chats)
    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")) == chats
    await bot.session.close()
