"""The webhook endpoint refuses what is not Telegram plainly: 401 for a missing, wrong or
non-ASCII secret, 400 for a body that is not a JSON Update object; never a 500, never a
traceback in the log; a real update still reaches the dispatcher."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Message
from aiohttp import web
from aiohttp.test_utils import TestServer
from loguru import logger

from bot.webhook import SECRET_HEADER, WebhookHandler
from tests.fakes.telegram import fixture

SECRET = "webhook-secret-9d8c7b6a"
PATH = "/tg/hook"


@dataclass
class Hook:
    url: str
    seen: list[str]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Loguru's lines and the stdlib's (aiohttp logs a handler's crash there), WARNING up."""
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="WARNING", format="{message}")
    caplog.set_level(logging.WARNING)

    def read() -> list[str]:
        std = [f"{r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
        return lines + std

    yield read
    logger.remove(sink)


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    seen: list[str] = []
    dp = Dispatcher()

    @dp.message()
    async def record(message: Message) -> None:
        seen.append(message.text or "")

    bot = Bot("123456:ABC-secret-token-value")
    app = web.Application()
    WebhookHandler(dp, bot, secret_token=SECRET).register(app, path=PATH)
    server = TestServer(app)
    await server.start_server()
    yield Hook(str(server.make_url(PATH)), seen)
    await server.close()
    await bot.session.close()


async def post(url: str, body: bytes, secret: bytes | None = SECRET.encode()) -> httpx.Response:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret  # bytes: sent as they are, as a stranger could
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=body, headers=headers)


def update_body() -> bytes:
    update = fixture("update_command_private.json")
    update["message"]["text"] = "/help"
    return json.dumps(update).encode()


async def test_a_real_update_is_accepted_and_dispatched(hook: Hook) -> None:
    response = await post(hook.url, update_body())
    assert response.status_code == 200
    for _ in range(50):
        if hook.seen:
            break
        await asyncio.sleep(0.02)
    assert hook.seen == ["/help"]


BAD_SECRETS = [
    (None, "missing"),
    (b"wrong", "wrong"),
    ("sécret-ключ".encode(), "non-ASCII (UTF-8)"),
    (b"\xff\xfe\x80", "not UTF-8"),
    ((SECRET + "é").encode(), "the secret plus a non-ASCII character"),
]
BAD_BODIES = [
    (b'{"update_id": 1, "message": ', "truncated JSON"),
    (b"<html>hello</html>", "not JSON"),
    (b"", "empty"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[]", "a list"),
    (b'"update"', "a string"),
    (b"42", "a number"),
    (b"null", "null"),
    (b"{}", "an object that is no Update"),
    (b'{"update_id": "x"}', "an Update with a wrong field"),
]


@pytest.mark.parametrize(("secret", "case"), BAD_SECRETS, ids=[c for _, c in BAD_SECRETS])
async def test_a_bad_secret_is_a_plain_401(hook: Hook, secret: bytes | None, case: str) -> None:
    response = await post(hook.url, update_body(), secret)
    assert response.status_code == 401, case
    assert hook.seen == []


@pytest.mark.parametrize(("body", "case"), BAD_BODIES, ids=[c for _, c in BAD_BODIES])
async def test_a_body_that_is_no_update_is_a_plain_400(hook: Hook, body: bytes, case: str) -> None:
    response = await post(hook.url, body)
    assert response.status_code == 400, case
    assert "Traceback" not in response.text
    assert hook.seen == []


async def test_refusals_leave_no_trace_in_the_log(
    hook: Hook, logs: Callable[[], list[str]]
) -> None:
    for secret in (None, "ключ".encode(), b"wrong"):
        await post(hook.url, update_body(), secret)
    for body in (b"{", b"[]", b"{}"):
        await post(hook.url, body)
    await asyncio.sleep(0.05)  # a background task that failed would log by now
    assert logs() == []


@pytest.fixture
async def narrow() -> AsyncIterator[tuple[str, list[str], asyncio.Event]]:
    """A webhook with room for two updates at once, whose handler waits for `go`."""
    seen: list[str] = []
    go = asyncio.Event()
    dp = Dispatcher()

    @dp.message()
    async def slow(message: Message) -> None:
        seen.append(message.text or "")
        await go.wait()

    bot = Bot("123456:ABC-secret-token-value")
    app = web.Application()
    WebhookHandler(dp, bot, secret_token=SECRET, in_flight=2).register(app, path=PATH)
    server = TestServer(app)
    await server.start_server()
    yield str(server.make_url(PATH)), seen, go
    go.set()
    await server.close()
    await bot.session.close()


def numbered(n: int) -> bytes:
    update = fixture("update_command_private.json")
    update["update_id"] = n
    update["message"]["text"] = f"/help {n}"
    return json.dumps(update).encode()


async def test_past_updates_in_flight_telegram_waits_for_room(
    narrow: tuple[str, list[str], asyncio.Event],
) -> None:
    url, seen, go = narrow
    assert [(await post(url, numbered(n))).status_code for n in (1, 2)] == [200, 200]
    third = asyncio.create_task(post(url, numbered(3)))
    await asyncio.sleep(0.3)
    assert not third.done()  # Telegram's request waits: no third task while two are running
    assert seen == ["/help 1", "/help 2"]
    go.set()  # the first two finish
    assert (await asyncio.wait_for(third, 5)).status_code == 200
    await asyncio.sleep(0.05)
    assert seen == ["/help 1", "/help 2", "/help 3"]


async def test_an_update_that_finds_no_room_in_time_is_refused_and_never_handled(
    narrow: tuple[str, list[str], asyncio.Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.webhook.ROOM_WAIT_SECONDS", 0.2)
    url, seen, go = narrow
    for n in (1, 2):
        await post(url, numbered(n))
    refused = await post(url, numbered(3))
    assert refused.status_code == 503  # Telegram sends it again later
    assert refused.headers["Retry-After"] == "1"
    go.set()
    await asyncio.sleep(0.1)
    assert seen == ["/help 1", "/help 2"]  # not handled now, so not twice when it comes back
    assert (await post(url, numbered(3))).status_code == 200  # room again


async def test_an_update_telegram_gave_up_on_while_it_waited_is_not_handled(
    narrow: tuple[str, list[str], asyncio.Event],
) -> None:
    url, seen, go = narrow
    for n in (1, 2):
        await post(url, numbered(n))
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    async with httpx.AsyncClient(timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):  # Telegram stops waiting for the answer
            await client.post(url, content=numbered(3), headers=headers)
    go.set()  # room again: the abandoned request must not take it
    await asyncio.sleep(0.2)
    assert seen == ["/help 1", "/help 2"]  # Telegram sends it again: handled then, once
