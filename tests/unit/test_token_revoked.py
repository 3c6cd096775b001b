"""BOT_TOKEN revoked while the bot runs (every Bot API call answers 401): the alert sender stops
(deliveries wait, none lost or failed), it is said once, /healthz answers 503, polling is held,
and a getMe probe resumes everything, with the pushes queued meanwhile, once the token works."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from aiogram import Bot
from aiohttp.test_utils import TestClient, TestServer
from loguru import logger

from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.http_server import make_app
from bot.i18n import make_i18n
from bot.telegram_auth import TelegramAuth
from services.container import Services
from services.delivery.deliveries import DeliveryStatus
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import Build

PROBE = 0.2  # seconds between getMe probes (30 in production)


@dataclass
class Wired:
    services: Services
    auth: TelegramAuth
    bot: Bot
    sender: Sender
    http: TestClient  # type: ignore[type-arg]


@pytest.fixture
def logs() -> Iterator[list[tuple[str, str]]]:
    lines: list[tuple[str, str]] = []
    sink = logger.add(
        lambda m: lines.append((m.record["level"].name, m.record["message"])), level="DEBUG"
    )
    yield lines
    logger.remove(sink)


@pytest.fixture
async def wired(build: Build, telegram: FakeTelegram) -> AsyncIterator[Wired]:
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_global_per_second=25.0,  # Telegram's real pace, as the sender keeps it
        telegram_chat_per_second=1.0,
    )
    auth = TelegramAuth(probe_seconds=PROBE)  # as the bot arms it once getMe has passed
    bot = make_bot(services.settings, services, auth)
    sender = Sender.for_services(bot, services, make_i18n("en"), auth)
    http = TestClient(TestServer(make_app(services, auth)))
    await http.start_server()
    yield Wired(services, auth, bot, sender, http)
    await http.close()
    await auth.aclose()
    await bot.session.close()


async def healthz(http: TestClient) -> tuple[int, dict[str, object]]:  # type: ignore[type-arg]
    response = await http.get("/healthz")
    return response.status, await response.json()


async def recorded(services: Services, counts: dict[str, int]) -> None:
    """Telegram has the messages; the sender's write of their outcome follows."""
    for _ in range(100):
        if await services.outbox.deliveries.counts() == counts:
            return
        await asyncio.sleep(0.05)
    assert await services.outbox.deliveries.counts() == counts


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_revoked_token_holds_alerts_says_so_once_and_resumes_when_it_works_again(
    wired: Wired, telegram: FakeTelegram, logs: list[tuple[str, str]]
) -> None:
    services, chats = wired.services, [301, 302, 303]
    sending = asyncio.create_task(wired.sender.run())
    try:
        await services.outbox.publish(*bias_alert("SOL"), chats)
        await telegram.wait_for(lambda: all(telegram.sent_texts(c) for c in chats))
        await recorded(services, {DeliveryStatus.SENT: 3})
        status, body = await healthz(wired.http)
        assert status == 200 and body["telegram"] == {
            "authorized": True,
            "since": None,
            "last_probe": None,
            "error": None,
        }

        telegram.revoke_token()
        await services.outbox.publish(*bias_alert("BTC"), chats)
        await telegram.wait_for(lambda: not wired.auth.authorized)
        refused = len(telegram.calls_to("sendMessage"))
        await telegram.wait_for(lambda: len(telegram.calls_to("getMe")) >= 4)  # ~0.8 s probing
        # Stopped: no send after the refusals that told it, and no stream of retries.
        assert len(telegram.calls_to("sendMessage")) == refused <= len(chats) + 3
        counts = await services.outbox.deliveries.counts()
        assert counts == {DeliveryStatus.SENT: 3, DeliveryStatus.PENDING: 3}  # held, not failed
        assert [d.attempts for d in await services.outbox.deliveries.due(10)] == [0, 0, 0]
        failed = services.metrics.deliveries.labels("failed")._value.get()
        assert failed == 0
        status, body = await healthz(wired.http)
        assert status == 503 and body["status"] == "unhealthy"
        telegram_part = body["telegram"]
        assert isinstance(telegram_part, dict)
        assert telegram_part["authorized"] is False and telegram_part["since"]
        assert telegram_part["last_probe"] and telegram_part["error"] == "Unauthorized"
        alarms = [m for level, m in logs if level == "CRITICAL"]
        assert len(alarms) == 1 and "BOT_TOKEN" in alarms[0]
        assert not [m for level, m in logs if level == "ERROR"]  # said once, loudly, not a stream

        telegram.restore_token()
        await telegram.wait_for(lambda: all(len(telegram.sent_texts(c)) == 2 for c in chats))
        assert all("BTC" in telegram.sent_texts(c)[1] for c in chats)  # queued meanwhile
        await recorded(services, {DeliveryStatus.SENT: 6})
        recovered = [m for _, m in logs if "accepts BOT_TOKEN again" in m]
        assert len(recovered) == 1
        assert len([m for level, m in logs if level == "CRITICAL"]) == 1
        status, body = await healthz(wired.http)
        assert status == 200 and body["telegram"]["authorized"] is True  # type: ignore[index]
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending


async def test_polling_is_held_quietly_while_the_token_is_refused(
    wired: Wired, telegram: FakeTelegram, logs: list[tuple[str, str]]
) -> None:
    """aiogram's polling would log a 401 every few seconds for as long as it lasts."""
    telegram.revoke_token()
    polling = asyncio.create_task(wired.bot.get_updates(timeout=0))
    await telegram.wait_for(lambda: len(telegram.calls_to("getMe")) >= 3)
    assert not polling.done()
    assert len(telegram.calls_to("getUpdates")) == 1  # refused once, then held
    telegram.restore_token()
    assert await asyncio.wait_for(polling, 5) == []
    assert len([m for level, m in logs if level == "CRITICAL"]) == 1
    assert len([m for _, m in logs if "accepts BOT_TOKEN again" in m]) == 1


async def test_before_start_up_has_passed_a_401_is_not_held(telegram: FakeTelegram) -> None:
    """At start-up a refused token ends the process with its own one line."""
    auth = TelegramAuth(probe_seconds=PROBE, armed=False)
    telegram.revoke_token()
    assert auth.revoked(Bot(telegram.token), "Unauthorized") is False
    assert auth.authorized
