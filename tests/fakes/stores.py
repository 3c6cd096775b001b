"""The real PostgreSQL and Redis behind a TcpProxy the test controls (see tcp_proxy.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlparse

from sqlalchemy.engine import make_url

from tests.fakes.tcp_proxy import TcpProxy
from tests.postgres import drop_database, temporary_database


@contextlib.asynccontextmanager
async def proxied_postgres(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A throwaway database, a proxy in front of its server, and a URL through the proxy."""
    url, name = await temporary_database(database_url, migrated=True)
    target = make_url(url)
    proxy = await TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    try:
        yield proxy, target.set(host=proxy.host, port=proxy.port).render_as_string(False)
    finally:
        await proxy.stop()
        await drop_database(database_url, name)


@contextlib.asynccontextmanager
async def proxied_redis(redis_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy to the configured Redis, and a REDIS_URL pointing at the proxy."""
    target = urlparse(redis_url)
    proxy = await TcpProxy(target.hostname or "127.0.0.1", target.port or 6379).start()
    auth = target.netloc.rsplit("@", 1)[0] + "@" if "@" in target.netloc else ""
    try:
        yield proxy, f"{target.scheme}://{auth}{proxy.host}:{proxy.port}{target.path or '/0'}"
    finally:
        await proxy.stop()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds until `predicate()` held (fails the test after `timeout`)."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"still not true after {timeout}s")
        await asyncio.sleep(0.02)
    return time.monotonic() - started
