"""Shared fixtures. Redis/PostgreSQL tests run when REDIS_URL / DATABASE_URL are set
(`.ci/run` sets both and REQUIRE_SERVICES=1, so there a missing server fails the run)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.settings import Settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"


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
        "bot_token": "123456789:AAFakeTokenForTestsOnly-abcdefghijk",
        "redis_url": "",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "coinapi_api_key": "",
        "coinglass_api_key": "",
        "http_timeout_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def vendor_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings with every vendor pointed at the one fake vendor server."""
    urls = ("okx", "binance", "coinglass", "coinapi", "fng")
    return make_settings(**{f"{name}_base_url": base_url for name in urls}, **overrides)


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
