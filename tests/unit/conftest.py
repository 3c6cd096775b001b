from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.utils.i18n import I18n

from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.container import Services, build_services
from services.kernel.retry import DEFAULT as DEFAULT_RETRY
from services.kernel.retry import RetryPolicy
from services.storage.db import Database
from tests.conftest import sqlite_copy, vendor_settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.postgres import drop_database, temporary_database
from tests.unit.dispatch import ADMIN, Dispatch

QUICK_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.02, max_retry_after=1.0)
Build = Callable[..., Awaitable[Services]]
MakeDispatch = Callable[..., Awaitable[Dispatch]]


@pytest.fixture
async def build(
    vendors: FakeVendors, tmp_path: Path, request: pytest.FixtureRequest, migrated_sqlite: Path
) -> AsyncIterator[Build]:
    """Services wired to the fake vendors and a fresh SQLite file, migrated; closed after.
    A test that asks for `fast_backoff` gets vendor clients with its quick retry policy."""
    made: list[Services] = []
    retry = QUICK_RETRY if "fast_backoff" in request.fixturenames else DEFAULT_RETRY

    async def make(**overrides: Any) -> Services:
        services = build_services(
            vendor_settings(
                vendors.base_url,
                **{
                    "database_url": sqlite_copy(migrated_sqlite, tmp_path / f"{len(made)}.db"),
                    **overrides,
                },
            ),
            retry=retry,
        )
        await services.start()
        made.append(services)
        return services

    yield make
    for services in made:
        await services.aclose()


@pytest.fixture
async def wired(build: Build, telegram: FakeTelegram) -> AsyncIterator[tuple[Services, Sender]]:
    """Services and the alert sender, sending to the fake Bot API."""
    services = await build(
        bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        alert_cooldown_seconds=3600,
        # The sender's pace is what these tests are about: Telegram's real limits.
        telegram_global_per_second=25.0,
        telegram_chat_per_second=1.0,
        telegram_group_per_minute=20.0,
    )
    bot = make_bot(services.settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    yield services, sender
    await bot.session.close()


@pytest.fixture
async def make_dispatch(build: Build, telegram: FakeTelegram) -> AsyncIterator[MakeDispatch]:
    """In-process bots (tests/unit/dispatch.py): the real Dispatcher and Bot on services built
    with the given settings overrides, against the fake Bot API and vendors. ADMIN_IDS is
    [dispatch.ADMIN] unless overridden."""
    made: list[Dispatch] = []

    async def make(**overrides: Any) -> Dispatch:
        overrides.setdefault("admin_ids", [ADMIN])
        services = await build(
            bot_token=telegram.token, telegram_api_base=telegram.base_url, **overrides
        )
        harness = await Dispatch.create(telegram, services)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()


@pytest.fixture
async def dispatch(make_dispatch: MakeDispatch) -> Dispatch:
    """One in-process bot with default settings; see `make_dispatch`."""
    return await make_dispatch()


@pytest.fixture
def fast_backoff() -> RetryPolicy:
    """Retries with millisecond backoff and a 1 s Retry-After cap, so fault tests stay quick:
    `build` (and so `dispatch`) injects it; a test building services itself passes it."""
    return QUICK_RETRY


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path
) -> AsyncIterator[Database]:
    name = None
    if request.param == "sqlite":
        database = Database(sqlite_copy(migrated_sqlite, tmp_path / "outbox.db"))
    else:
        url, name = await temporary_database(request.getfixturevalue("database_url"), migrated=True)
        database = Database(url)
    await database.migrate()
    yield database
    await database.close()
    if name is not None:
        await drop_database(request.getfixturevalue("database_url"), name)


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return make_i18n("en")


@pytest.fixture
def en(i18n: I18n) -> Iterator[None]:
    """Renders inside it speak English."""
    with i18n.context(), i18n.use_locale("en"):
        yield


@pytest.fixture
def id_(i18n: I18n) -> Iterator[None]:
    """Renders inside it speak Indonesian."""
    with i18n.context(), i18n.use_locale("id"):
        yield
