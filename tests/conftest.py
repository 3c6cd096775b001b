"""Shared fixtures. Redis/PostgreSQL tests run when REDIS_URL / DATABASE_URL are set
(`.ci/run` sets both and REQUIRE_SERVICES=1, so there a missing server fails the run)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from loguru import logger

from services.kernel.settings import Settings
from services.storage.db import Database
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.postgres import drop_migrated

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
TEST_TOKEN = "7012345678:AAFakeTokenForTestsOnly-abcdefghijk"
# Secrets the suite hands the bot, long enough never to appear by accident.
SECRETS = (
    TEST_TOKEN,
    TEST_TOKEN.split(":", 1)[1],
    "cg-test-key-123456",
    "ca-key-123456",
    "ca-test-key-654321",
    "coinapi-test-key-7f3a9c2e5b",
    "api-test-key-5d1c8e",
)


class _SecretScan(logging.Handler):
    """Every log line of the whole suite, loguru's and the stdlib's, searched for a secret."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def check(self, line: str) -> None:
        if any(secret in line for secret in SECRETS):
            self.leaks.append(line[:300])

    def emit(self, record: logging.LogRecord) -> None:
        self.check(record.getMessage())

    def loguru_sink(self, message: Any) -> None:
        self.check(str(message))


@pytest.fixture(autouse=True)
def no_secret_in_any_log_line() -> Iterator[None]:
    """Per test, so a test that resets loguru (logger.remove()) cannot end the scan for the
    tests after it, and a leak names the test that logged it."""
    scan = _SecretScan()
    # As production logs (services/kernel/logging.py): tracebacks without variable values.
    sink = logger.add(
        scan.loguru_sink,
        level="DEBUG",
        format="{message}\n{exception}",
        backtrace=False,
        diagnose=False,
    )
    logging.getLogger().addHandler(scan)
    yield
    with contextlib.suppress(ValueError):  # the test itself removed every loguru sink
        logger.remove(sink)
    logging.getLogger().removeHandler(scan)
    assert not scan.leaks, f"a secret reached the log: {scan.leaks[:3]}"


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (bot processes, slow-marked) first, so two workers share them out at the
    start instead of one worker ending the run alone with the last of them."""
    items.sort(
        key=lambda item: not (item.get_closest_marker("e2e") or item.get_closest_marker("slow"))
    )


def pytest_sessionfinish() -> None:
    asyncio.run(drop_migrated())


def service_url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        if REQUIRED:
            pytest.fail(f"{name} must be set when REQUIRE_SERVICES=1")
        pytest.skip(f"{name} not set (CI sets it; see .ci/run)")
    return url


@pytest.fixture
def redis_url() -> str:
    return service_url("REDIS_URL")


@pytest.fixture
def database_url() -> str:
    url = service_url("DATABASE_URL")
    if not url.startswith("postgresql"):
        pytest.skip("DATABASE_URL is not PostgreSQL")
    return url


def make_settings(**overrides: Any) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    values: dict[str, Any] = {
        "bot_token": TEST_TOKEN,
        "redis_url": "",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "coinapi_api_key": "",
        "coinglass_api_key": "",
        # Tests never reach OKX: a test of the live liquidations points this at the fake.
        "okx_ws_url": "",
        "http_timeout_seconds": 1.0,
        # Telegram's pace is its own tests' business (they set these): elsewhere a chat's
        # second reply need not wait a second, nor a burst 40 ms a message.
        "telegram_chat_per_second": 1000.0,
        "telegram_group_per_minute": 60_000.0,
        "telegram_global_per_second": 1000.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def vendor_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings with every vendor pointed at the one fake vendor server."""
    urls = ("okx", "binance", "binance_futures", "coinglass", "coinapi", "fng", "indodax")
    return make_settings(**({f"{name}_base_url": base_url for name in urls} | overrides))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought to the newest revision once per test process: a fresh database
    per test is a copy of it (running the migrations costs ~0.15 s, copying the file ~1 ms).
    The bot still runs its own migrate() on the copy, which finds it at head."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.migrate()
        await database.close()

    asyncio.run(migrate())
    return path


def sqlite_copy(template: Path, path: Path) -> str:
    """A fresh, migrated database at `path` (a copy of `migrated_sqlite`), as its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def vendors() -> AsyncIterator[FakeVendors]:
    fake = FakeVendors()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(autouse=True)
def no_tls_grace_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiogram's AiohttpSession.close() sleeps 250 ms so TLS connections can wind down; the
    fake Bot API is plain HTTP on 127.0.0.1, so here a closed session is just closed (a quarter
    of a second off every test, half a second off each bot.app.run())."""

    async def close(self: AiohttpSession) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    monkeypatch.setattr(AiohttpSession, "close", close)
