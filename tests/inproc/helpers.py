"""What the in-process tests read and run besides `Dispatch` (tests/unit/dispatch.py): the whole
log, /healthz and /metrics, the alert Sender and the scheduler, as `python -m bot` runs them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger

from bot import app
from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.http_server import make_app
from bot.i18n import make_i18n
from bot.scheduler import make_scheduler
from services.container import Services
from services.jobs.rules_job import RulesJob
from services.kernel.settings import Settings
from services.market.funding.service import FundingService
from services.market.oi.service import OiService
from services.signals.rules.readings import DerivReadings
from services.vendors.okx import OkxClient
from tests.conftest import vendor_settings
from tests.fakes.metrics import sample
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.ports import free_port
from tests.unit.dispatch import Dispatch

QUIET_JOBS = {
    # Background jobs call vendors on their own clock; tests that count calls need quiet. A
    # test that wants one passes its own interval (as the e2e harness's environment did).
    "probe_interval_seconds": 0,
    "liquidation_poll_seconds": 0,
    "bias_interval_seconds": 0,
    "sniper_interval_seconds": 0,
    "grading_interval_seconds": 0,
    "alert_check_seconds": 0,
}


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
    return sample(services.metrics.render().decode(), name, **labels)


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
    """The alert sender as `python -m bot` makes it: its own Bot session (no per-call retries:
    it keeps its tries with each delivery), the same services and locale. `sending` closes it."""
    i18n = make_i18n(dispatch.services.settings.default_locale)
    bot = make_bot(dispatch.services.settings, dispatch.services, retries=False)
    return Sender.for_services(bot, dispatch.services, i18n)


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
        await sender.bot.session.close()


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


async def run_scheduled(services: Services, name: str) -> None:
    """One run of the job `name`, now, exactly as the bot's scheduler runs it: the function and
    arguments make_scheduler gave it (its interval setting must be above 0)."""
    job = make_scheduler(services).get_job(name)
    assert job is not None, f"no job {name!r} is scheduled with these settings"
    await job.func(*job.args, **job.kwargs)


def per_chat(telegram: FakeTelegram, above: int = 1000) -> Counter[int]:
    """Accepted sendMessage calls per chat, for chats with ids above `above` (the subscribers)."""
    return Counter(
        int(c.params["chat_id"])
        for c in telegram.calls_to("sendMessage", ok=True)
        if int(c.params["chat_id"]) > above
    )


def bot_settings(
    telegram: FakeTelegram, vendors: FakeVendors, workdir: Path, **overrides: Any
) -> Settings:
    """What tests/e2e/harness.py gave `python -m bot` in its environment, as Settings: the
    fakes, a SQLite file in `workdir`, a free HTTP port, ADMIN_IDS=1, the jobs off."""
    values: dict[str, Any] = {
        "bot_token": telegram.token,
        "telegram_api_base": telegram.base_url,
        "database_url": f"sqlite+aiosqlite:///{workdir}/bot.db",
        "http_host": "127.0.0.1",
        "http_port": free_port(),
        "admin_ids": [1],
        **QUIET_JOBS,
    }
    values.update(overrides)
    database_url = values.pop("database_url")
    return vendor_settings(vendors.base_url, database_url=database_url, **values)


@dataclass
class RunningBot:
    settings: Settings
    dispatcher: Dispatcher
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def run_bot(
    settings: Settings, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningBot]:
    """`bot.app.run(settings)`, what `python -m bot` runs after reading its configuration, in
    this event loop: start-up checks, HTTP server, sender, scheduler, commands, polling. Yields
    once it polls; on exit polling is stopped (as SIGTERM stops it) and run() returns."""
    made: list[Dispatcher] = []
    make_dispatcher = app.make_dispatcher

    def keep(*args: Any) -> Dispatcher:
        made.append(make_dispatcher(*args))
        return made[-1]

    monkeypatch.setattr(app, "make_dispatcher", keep)
    # run() freezes the heap it built for the process's lifetime; here that is the test's.
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(gc, "set_threshold", lambda *_: None)  # nor its collector tuning
    polls_before = len(telegram.calls_to("getUpdates"))
    task = asyncio.create_task(app.run(settings), name="bot")
    await telegram.wait_for(
        lambda: len(telegram.calls_to("getUpdates")) > polls_before or task.done(), timeout=30
    )
    if task.done():
        task.result()  # raises what stopped it
        raise AssertionError("run() returned before polling")
    try:
        yield RunningBot(settings, made[-1], task)
    finally:
        if not task.done():
            await made[-1].stop_polling()
        await asyncio.wait_for(task, 15)


def rules_job(services: Services, max_per_minute: int = 6) -> RulesJob:
    """The alerts job as the scheduler builds it (a new one is a restarted process), with the
    per-chat cap a test asks for."""
    return RulesJob(
        services.rules.store,
        services.outbox,
        services.ticker,
        services.vendors.get(OkxClient),
        services.metrics,
        5.0,
        max_per_minute,
        DerivReadings(services.modules.get(FundingService), services.modules.get(OiService)),
    )
