"""Replies against a failing Bot API: 5xx and an edge proxy's HTML 502 page are retried with
backoff, a bounded number of times; 429s are waited out until the reply is delivered, also in a
storm of replies; the alert sender keeps handling its own faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramServerError
from loguru import logger

from bot.app import make_bot, make_dispatcher
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from bot.telegram_retry import RetryAfterMiddleware
from services.container import Services
from services.delivery.deliveries import DeliveryStatus
from services.kernel.metrics import Metrics
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram, Injected, fixture
from tests.unit.conftest import Build

BAD_GATEWAY = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@pytest.fixture
async def services(build: Build, telegram: FakeTelegram) -> Services:
    return await build(bot_token=telegram.token, telegram_api_base=telegram.base_url)


@pytest.fixture
async def bot(services: Services) -> AsyncIterator[Bot]:
    made = make_bot(services.settings, services)  # the production wiring
    yield made
    await made.session.close()


@pytest.fixture
def logs() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="DEBUG", format="{message}")
    yield lines
    logger.remove(sink)


def quick_bot(telegram: FakeTelegram, max_retries: int = 3, *, retries: bool = True) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
    session.middleware(
        RetryAfterMiddleware(Metrics(), max_retries, backoff=(0.01, 0.02), retries=retries)
    )
    return Bot(token=telegram.token, session=session)


def tries(telegram: FakeTelegram, chat_id: int) -> list[Any]:
    return [c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == str(chat_id)]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_reply_meeting_5xx_is_retried_with_backoff_and_delivered(
    bot: Bot, telegram: FakeTelegram
) -> None:
    telegram.errors["sendMessage"] = [Injected(BAD_GATEWAY, times=2)]
    await bot.send_message(5, "hello")
    attempts = tries(telegram, 5)
    assert [c.ok for c in attempts] == [False, False, True]
    assert attempts[1].at - attempts[0].at >= 0.5  # backoff: 0.5 s, then 1 s
    assert attempts[2].at - attempts[1].at >= 1.0
    assert telegram.sent_texts(5) == ["hello"]


async def test_an_edge_proxys_html_502_page_is_retried_and_never_logged(
    bot: Bot, telegram: FakeTelegram, logs: list[str]
) -> None:
    telegram.fail_raw("sendMessage", HTML_502, status=502)
    await bot.send_message(6, "hello")
    assert [c.ok for c in tries(telegram, 6)] == [False, True]
    assert telegram.sent_texts(6) == ["hello"]
    assert not [line for line in logs if "<html>" in line or "nginx" in line]
    assert [line for line in logs if "not JSON" in line]  # the retry says what it met


async def test_retries_are_bounded_and_end_in_a_plain_server_error(
    telegram: FakeTelegram,
) -> None:
    bot = quick_bot(telegram, max_retries=3)
    telegram.fail_raw("sendMessage", HTML_502, times=10)
    try:
        with pytest.raises(TelegramServerError) as raised:
            await bot.send_message(7, "hello")
    finally:
        await bot.session.close()
    assert len(tries(telegram, 7)) == 4  # the call and three retries
    assert "<html>" not in str(raised.value)


async def test_the_alert_senders_calls_are_not_retried_here(telegram: FakeTelegram) -> None:
    """It keeps its tries with the delivery (spent or not) and backs off per delivery."""
    bot = quick_bot(telegram, retries=False)  # the sender's own session, as bot/app.py makes it
    telegram.fail_raw("sendMessage", HTML_502, times=10)
    try:
        with pytest.raises(TelegramServerError):  # the sender's (5xx) retry path takes it
            await bot.send_message(8, "alert")
    finally:
        await bot.session.close()
    assert len(tries(telegram, 8)) == 1


async def test_a_json_answer_that_does_not_fit_is_not_retried(telegram: FakeTelegram) -> None:
    """A 200 whose body aiogram cannot read may well have sent the message: no second copy."""
    bot = quick_bot(telegram)
    telegram.fail_raw("sendMessage", '{"ok": true, "result": 5}', status=200)
    try:
        with pytest.raises(Exception, match="deserialize"):
            await bot.send_message(9, "hello")
    finally:
        await bot.session.close()
    assert len(tries(telegram, 9)) == 1


def command(chat_id: int, text: str = "/help") -> dict[str, Any]:
    update = fixture("update_command_private.json")
    message = update["message"]
    message["chat"] = {"id": chat_id, "first_name": "Rina", "type": "private"}
    message["from"].update(id=chat_id, language_code="en")
    message["text"] = text
    message["entities"] = [{"offset": 0, "length": len(text), "type": "bot_command"}]
    update["update_id"] = chat_id
    return update


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_storm_of_replies_under_flood_control_delivers_every_reply(
    build: Build, telegram: FakeTelegram
) -> None:
    """40 commands at once against 5 messages/s, paced at the bot's default 25/s: a 429 pauses
    every send, each reply waits out the 429s it meets, and every one is delivered; none
    becomes an apology, and far fewer are refused than were sent."""
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_global_per_second=25.0,  # the default (the suite's other tests pace at 1000/s)
    )
    bot = make_bot(services.settings, services)
    telegram.send_limit_per_second = 5
    dp = make_dispatcher(services.settings, services, make_i18n("en"))
    chats = list(range(1000, 1040))
    started = time.monotonic()
    await asyncio.gather(*(dp.feed_raw_update(bot, command(chat)) for chat in chats))
    took = time.monotonic() - started
    for chat in chats:
        [text] = telegram.sent_texts(chat)
        assert "/ticker" in text and "went wrong" not in text
    assert 0 < telegram.rate_limited < len(chats)  # met, then paced: not one per reply
    most = max(len(tries(telegram, chat)) for chat in chats)
    print(f"\n40 replies under 5/s: {took:.1f}s, {telegram.rate_limited} 429s, up to {most} tries")
    await bot.session.close()


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_an_alert_meeting_an_html_502_is_retried_by_the_sender(
    wired: tuple[Services, Sender], telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not 'failed unexpectedly' and left claimed: one try spent, then sent."""
    services, sender = wired
    monkeypatch.setattr("bot.delivery.sender.RETRY_MAX_SECONDS", 0.0)  # retry at once
    telegram.fail_raw("sendMessage", HTML_502)
    await services.outbox.publish(*bias_alert("SOL"), [44])
    for _ in range(50):
        if await services.outbox.deliveries.next_due() is None:
            break
        await sender.drain()
        await asyncio.sleep(0.05)
    assert [c.ok for c in tries(telegram, 44)] == [False, True]
    assert await services.outbox.deliveries.counts() == {DeliveryStatus.SENT: 1}
