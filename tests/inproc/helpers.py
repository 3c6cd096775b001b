"""What the in-process tests read and run besides `Dispatch` (tests/unit/dispatch.py): the whole
log, /healthz and /metrics, the alert Sender and the scheduler, as `python -m bot` runs them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger

from bot.delivery.sender import Sender
from bot.http_server import make_app
from bot.i18n import make_i18n
from bot.scheduler import make_scheduler
from services.container import Services
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import Dispatch


class _Stdlib(logging.Handler):
    def __init__(self, log: FullLog) -> None:
        super().__init__(level=logging.DEBUG)
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log.lines.append(f"{record.levelname} {record.getMessage()}")


class FullLog:
    """Every loguru line at DEBUG and above (with its traceback, as production writes it), and
    what the stdlib loggers pass on (aiogram's), for as long as it is open."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._sink = logger.add(
            lambda m: self.lines.append(str(m).rstrip("\n")),
            level="DEBUG",
            format="{level} {message}\n{exception}",
            backtrace=False,
            diagnose=False,
        )
        self._std = _Stdlib(self)
        logging.getLogger().addHandler(self._std)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def __contains__(self, text: str) -> bool:
        return text in self.text

    def close(self) -> None:
        with contextlib.suppress(ValueError):  # a test removed every loguru sink
            logger.remove(self._sink)
        logging.getLogger().removeHandler(self._std)


async def http_get(services: Services, path: str) -> tuple[int, Any]:
    """GET `path` from the bot's HTTP app (/healthz, /metrics) served on 127.0.0.1: its status
    and its JSON body, or its text when it is not JSON."""
    async with TestClient(TestServer(make_app(services))) as client:
        response = await client.get(path)
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


def metric(services: Services, name: str, **labels: str) -> float:
    """One sample of /metrics (0 when absent): the first line of `name` carrying `labels`."""
    for line in services.metrics.render().decode().splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return 0.0


async def wait_until(check: Any, timeout: float = 15.0, what: str = "condition") -> None:
    """Until `check()` (sync or async) holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} never held")
        await asyncio.sleep(0.02)


def sender_for(dispatch: Dispatch) -> Sender:
    """The alert sender as `python -m bot` makes it: same Bot session, services and locale."""
    i18n = make_i18n(dispatch.services.settings.default_locale)
    return Sender.for_services(dispatch.bot, dispatch.services, i18n)


@contextlib.asynccontextmanager
async def sending(sender: Sender) -> AsyncIterator[Sender]:
    """The sender's loop running (as the process runs it from start), stopped as on SIGTERM."""
    task = asyncio.create_task(sender.run(), name="alert-sender")
    try:
        yield sender
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sender.finish()


@contextlib.asynccontextmanager
async def scheduled(services: Services) -> AsyncIterator[AsyncIOScheduler]:
    """The bot's scheduler started: each job with a positive interval runs at once, then on its
    interval. On exit the running jobs are cancelled and awaited (the process would exit)."""
    scheduler = make_scheduler(services)
    scheduler.start()
    try:
        yield scheduler
    finally:
        executor = scheduler._lookup_executor("default")
        running = list(getattr(executor, "_pending_futures", ()))
        scheduler.shutdown(wait=False)
        await asyncio.gather(*running, return_exceptions=True)


def whales_buy(vendors: FakeVendors) -> None:
    """A whale bought ~$1.28M of SOL perpetuals half a minute ago: with the fixtures' 73 Greed,
    the bias call on SOL turns LONG (net whale buying, greedy sentiment, no ETF key)."""
    vendors.set_trades("SOL-USDT-SWAP", [("buy", 9000, 142.1, 30)])


def per_chat(telegram: FakeTelegram, above: int = 1000) -> Counter[int]:
    """Accepted sendMessage calls per chat, for chats with ids above `above` (the subscribers)."""
    return Counter(
        int(c.params["chat_id"])
        for c in telegram.calls_to("sendMessage", ok=True)
        if int(c.params["chat_id"]) > above
    )
