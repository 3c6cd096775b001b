"""One httpx client per vendor; every call goes breaker -> retry -> rate budget -> request."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from services.errors import (
    BadResponseError,
    BreakerOpenError,
    PlanRequiredError,
    RateLimitedError,
    Reason,
    RouteMissingError,
    TransientError,
    UnknownInstrumentError,
    VendorError,
)
from services.metrics import Metrics
from services.resilience.breaker import BreakerBoard
from services.resilience.rate_budget import RateBudget
from services.resilience.retry import with_retry

T = TypeVar("T")
MAX_CONNECTIONS = 50
Interpret = Callable[[httpx.Response], T]


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to our own backoff
    return max(0.0, moment.timestamp() - time.time())


def raise_for_status(vendor: str, endpoint: str, response: httpx.Response) -> None:
    """The status-only part of classification; vendor adapters read their bodies first."""
    status = response.status_code
    if status < 400:
        return
    if status in (401, 402, 403):
        raise PlanRequiredError(vendor, endpoint, f"HTTP {status}")
    if status == 404:
        raise RouteMissingError(vendor, endpoint, "HTTP 404")
    if status in (418, 429):
        raise RateLimitedError(vendor, endpoint, f"HTTP {status}", retry_after(response))
    if status >= 500:
        raise TransientError(vendor, endpoint, f"HTTP {status}")
    raise BadResponseError(vendor, endpoint, f"HTTP {status}")


def json_body(vendor: str, endpoint: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise_for_status(vendor, endpoint, response)
        raise BadResponseError(vendor, endpoint, "malformed JSON") from None


class VendorClient:
    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        timeout: float,
        breakers: BreakerBoard,
        budget: RateBudget,
        metrics: Metrics,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.vendor = vendor
        self._breakers = breakers
        self._budget = budget
        self._metrics = metrics
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers=dict(headers or {}),
            transport=transport,
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20),
        )
        # httpcore re-scans every queued request against every connection on each event
        # (quadratic); queueing here keeps its pool queue no longer than its connections.
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def get(
        self,
        endpoint: str,
        path: str,
        interpret: Interpret[T],
        params: Mapping[str, str | int] | None = None,
    ) -> T:
        breaker = self._breakers.get(self.vendor, endpoint)
        if not breaker.allow():
            raise BreakerOpenError(self.vendor, endpoint, breaker.reason or Reason.ERROR)
        try:
            result = await with_retry(lambda: self._attempt(endpoint, path, interpret, params))
        except UnknownInstrumentError:
            breaker.record_success()  # the vendor answered correctly
            raise
        except VendorError as exc:
            if exc.counts_against_vendor:
                breaker.record_failure(exc.reason)
            else:
                breaker.release_probe()
            raise
        except BaseException:
            breaker.release_probe()
            raise
        breaker.record_success()
        return result

    async def _attempt(
        self,
        endpoint: str,
        path: str,
        interpret: Interpret[T],
        params: Mapping[str, str | int] | None,
    ) -> T:
        await self._budget.acquire(self.vendor, endpoint)
        label = "error"
        async with self._slots:
            started = time.perf_counter()
            try:
                response = await self._http.get(path, params=params)
                label = str(response.status_code)
            except httpx.TimeoutException:
                label = "timeout"
                raise TransientError(self.vendor, endpoint, "timeout") from None
            except httpx.TransportError as exc:
                label = "connection"
                raise TransientError(self.vendor, endpoint, type(exc).__name__) from None
            finally:
                self._metrics.upstream_requests.labels(self.vendor, endpoint, label).inc()
                self._metrics.upstream_latency.labels(self.vendor, endpoint).observe(
                    time.perf_counter() - started
                )
        return interpret(response)

    async def aclose(self) -> None:
        await self._http.aclose()
