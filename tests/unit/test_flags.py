"""Module flags on SQLite and PostgreSQL: defaults, persistence, audit, status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.kernel.errors import Reason
from services.kernel.modules import SWITCHABLE
from services.kernel.status import Health, StatusRegistry
from services.market.flags import Flag, FlagService, ModuleDisabledError
from services.storage.db import Database
from tests.conftest import make_settings, sqlite_copy
from tests.postgres import drop_database, temporary_database


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_copy(migrated_sqlite, tmp_path / "flags.db")
        return
    base = request.getfixturevalue("database_url")
    url, name = await temporary_database(base, migrated=True)
    yield url
    await drop_database(base, name)


_opened: list[Database] = []  # closed after each test: an engine left open answers from its
# connection's thread after the test's loop has closed (an unhandled thread exception)


@pytest.fixture(autouse=True)
async def _close_databases() -> AsyncIterator[None]:
    yield
    while _opened:
        await _opened.pop().close()


async def service(url: str, clock: Clock | None = None, **settings: str) -> FlagService:
    db = Database(url)
    _opened.append(db)
    await db.migrate()
    return FlagService(db, make_settings(**settings), StatusRegistry(), clock or Clock())


async def test_start_up_values_come_from_feature_settings(db_url: str) -> None:
    flags = await service(db_url, feature_etf="off")
    states = await flags.all()
    assert states[Flag.ETF] is False
    assert set(states) == set(SWITCHABLE)  # every switch the registry names, and no other
    assert all(states[f] for f in SWITCHABLE if f is not Flag.ETF)


async def test_a_toggle_persists_and_is_audited(db_url: str) -> None:
    first = await service(db_url)
    change = await first.set(Flag.HEATMAP, False, actor_id=42)
    assert (change.old, change.new, change.actor_id) == (True, False, 42)
    await first.set(Flag.HEATMAP, True, actor_id=43)
    again = await service(db_url)  # a restart, or another replica
    assert await again.enabled(Flag.HEATMAP) is True
    audit = await again.audit()
    assert [(a.name, a.old, a.new, a.actor_id) for a in audit] == [
        ("heatmap", False, True, 43),
        ("heatmap", True, False, 42),
    ]


async def test_the_admins_choice_overrides_the_start_up_value(db_url: str) -> None:
    await (await service(db_url, feature_whale="off")).set(Flag.WHALE, True, actor_id=1)
    assert await (await service(db_url, feature_whale="off")).enabled(Flag.WHALE) is True


async def test_another_replica_sees_a_toggle_after_the_refresh_interval(db_url: str) -> None:
    clock = Clock()
    reader = await service(db_url, clock)
    assert await reader.enabled(Flag.OPTIONS)
    await (await service(db_url)).set(Flag.OPTIONS, False, actor_id=7)
    assert await reader.enabled(Flag.OPTIONS)  # still within its refresh interval
    clock.now += 5.1
    assert not await reader.enabled(Flag.OPTIONS)


async def test_require_raises_and_marks_the_module_disabled(db_url: str) -> None:
    flags = await service(db_url, feature_spot_ob="off")
    with pytest.raises(ModuleDisabledError):
        await flags.require(Flag.SPOT_OB)
    status = flags._status.get("spot_ob")
    assert status is not None and status.health is Health.UNAVAILABLE
    assert status.reason is Reason.DISABLED
    await flags.set(Flag.SPOT_OB, True, actor_id=1)
    await flags.require(Flag.SPOT_OB)
    status = flags._status.get("spot_ob")
    assert status is not None and status.health is Health.OK and not status.checked
