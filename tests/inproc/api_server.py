"""The JSON API served in its own thread with its own loop, as a server does, on the fake vendors:
for the property-based tests (tests/inproc/test_api_properties.py, test_api_schema.py)."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.api.server import add_api
from bot.http_server import make_app, start_http
from services.container import build_services
from tests.conftest import vendor_settings
from tests.fakes.vendors import FakeVendors
from tests.ports import free_port

KEY = "api-test-key-5d1c8e"  # in tests/conftest.py SECRETS: never logged


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    parts: dict[str, Any] = {}
    tmp = tempfile.TemporaryDirectory()

    async def start() -> None:
        vendors = FakeVendors()
        await vendors.start()
        config = vendor_settings(
            vendors.base_url,
            api_keys=KEY,
            api_rate_per_minute=1_000_000,
            database_url=f"sqlite+aiosqlite:///{tmp.name}/api.db",
        )
        services = build_services(config)
        await services.start()
        app = make_app(services)
        add_api(app, services, config)
        port = free_port()
        runner = await start_http(app, "127.0.0.1", port)
        parts.update(vendors=vendors, services=services, port=port, runner=runner)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(60)
    yield f"http://127.0.0.1:{parts['port']}"

    async def stop() -> None:
        await parts["runner"].cleanup()
        await parts["services"].aclose()
        await parts["vendors"].stop()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    tmp.cleanup()
