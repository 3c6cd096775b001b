"""Property-based: any text a client may send in any documented parameter of any endpoint gets
an answer the OpenAPI document describes (its model on 200, a problem otherwise), never a 5xx
but 503 (a source failing). Hypothesis generates the values; the API runs in its own thread
with its own loop, as a server does."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.api.openapi import openapi_document
from bot.api.problems import Problem
from bot.api.routes import API_ROUTES, ApiRoute
from bot.api.server import PREFIX, add_api
from bot.http_server import make_app, start_http
from services.container import build_services
from tests.conftest import vendor_settings
from tests.fakes.vendors import FakeVendors
from tests.ports import free_port

KEY = "api-test-key-5d1c8e"  # in tests/conftest.py SECRETS: never logged
DOCUMENT = openapi_document(PREFIX)


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


def documented(route: ApiRoute) -> set[int]:
    return {int(code) for code in DOCUMENT["paths"][PREFIX + route.path]["get"]["responses"]}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(API_ROUTES),
    value=st.text(min_size=1, max_size=40),
    in_query=st.booleans(),
)
def test_any_parameter_value_gets_a_documented_answer(
    api: str, route: ApiRoute, value: str, in_query: bool
) -> None:
    path = PREFIX + route.path.replace("{symbol}", quote(value, safe=""))
    query = {p.name: value for p in route.params if p.where == "query" and in_query}
    answer = httpx.get(api + path, params=query, headers={"X-API-Key": KEY}, timeout=30)
    assert answer.status_code in documented(route), (path, query, answer.text[:200])
    assert answer.status_code < 500 or answer.status_code == 503
    if answer.status_code == 200:
        route.model.model_validate_json(answer.text)
    else:
        assert answer.headers["content-type"].startswith("application/problem+json")
        Problem.model_validate_json(answer.text)
