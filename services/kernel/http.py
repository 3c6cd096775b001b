"""One httpx client per vendor; every call goes breaker -> retry -> rate budget -> request."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import httpx

from services.kernel import deadline
from services.kernel.breaker import BreakerBoard
from services.kernel.errors import (
    BadResponseError,
    BreakerOpenError,
    PausedError,
    PlanRequiredError,
    RateLimitedError,
    Reason,
    RouteMissingError,
    TransientError,
    UnknownInstrumentError,
    UnreachableError,
    VendorError,
    VendorRefusedError,
    VendorTimeoutError,
)
from services.kernel.metrics import Metrics
from services.kernel.rate_budget import RateBudget
from services.kernel.retry import DEFAULT, MIN_ATTEMPT_SECONDS, RetryPolicy, with_retry

T = TypeVar("T")
P = ParamSpec("P")
MAX_CONNECTIONS = 50
Interpret = Callable[[httpx.Response], T]
# What a parser raises when a body has a shape it never expected.
PARSE_ERRORS = (ValueError, TypeError, LookupError, ArithmeticError, OSError)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's own default (certifi, or SSL_CERT_FILE/SSL_CERT_DIR), built once: each client
    building its own reads the CA bundle again, ~30 ms of CPU per vendor client."""
    return httpx.create_ssl_context()


class _Adapter(Protocol):
    _client: VendorClient


A = TypeVar("A", bound=_Adapter)


def reads(
    endpoint: str,
) -> Callable[
    [Callable[Concatenate[A, P], Awaitable[T]]], Callable[Concatenate[A, P], Awaitable[T]]
]:
    """Marks an adapter method that turns a vendor body into our models: whatever its parsing
    or the models' constraints reject (NaN, 1e300, a timestamp of 1e20 ms, a string where a
    list was) leaves it as "the vendor sent unusable data", never as a crash in a handler."""

    def wrap(
        method: Callable[Concatenate[A, P], Awaitable[T]],
    ) -> Callable[Concatenate[A, P], Awaitable[T]]:
        @functools.wraps(method)
        async def guarded(self: A, /, *args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await method(self, *args, **kwargs)
            except VendorError:
                raise
            except PARSE_ERRORS as exc:
                raise self._client.unusable(endpoint, exc) from None

        return guarded

    return wrap


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
    raise VendorRefusedError(vendor, endpoint, f"HTTP {status}")


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
        retry: RetryPolicy = DEFAULT,
    ) -> None:
        self.vendor = vendor
        self._timeout = timeout
        self._retry = retry
        self._breakers = breakers
        self._budget = budget
        self._metrics = metrics
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers=dict(headers or {}),
            transport=transport,
            verify=tls_context(),
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20),
        )
        # httpcore re-scans every queued request against every connection on each event
        # (quadratic); queueing here keeps its pool queue no longer than its connections.
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        # endpoint -> time.monotonic() until which the vendor asked us (Retry-After) to wait:
        # one 429 holds back every caller in this process, not only the one that met it.
        self._paused_until: dict[str, float] = {}

    async def get(
        self,
        endpoint: str,
        path: str,
        interpret: Interpret[T],
        params: Mapping[str, str | int] | None = None,
        *,
        family: str | None = None,
    ) -> T:
        """`family`: the endpoint family whose own budget this call also spends (OKX's
        trading statistics allow far fewer calls than its market data)."""
        breaker = self._breakers.get(self.vendor, endpoint)
        if not breaker.allow():
            raise BreakerOpenError(self.vendor, endpoint, breaker.reason or Reason.ERROR)
        try:
            result = await with_retry(
                lambda: self._attempt(endpoint, path, interpret, params, family), self._retry
            )
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
        family: str | None = None,
    ) -> T:
        await self._wait_out_pause(endpoint)
        timeout = self._timeout
        left = deadline.remaining()
        if left is not None:
            if left < MIN_ATTEMPT_SECONDS:
                raise VendorTimeoutError(self.vendor, endpoint, "no time left to ask")
            timeout = min(timeout, left)
        await self._budget.acquire(self.vendor, endpoint, max_wait=left)
        if family is not None:  # what is left now, after the vendor's own budget's wait
            await self._budget.acquire(
                self.vendor, endpoint, max_wait=deadline.remaining(), key=f"{self.vendor}:{family}"
            )
        label = "error"
        async with self._slots:
            started = time.perf_counter()
            try:
                response = await self._http.get(path, params=params, timeout=timeout)
                label = str(response.status_code)
            except httpx.ConnectTimeout:
                label = "unreachable"
                raise UnreachableError(self.vendor, endpoint, "connect timeout") from None
            except httpx.TimeoutException:
                label = "timeout"
                raise VendorTimeoutError(
                    self.vendor, endpoint, f"no answer in {timeout:.1f}s"
                ) from None
            except httpx.ConnectError as exc:
                label = "unreachable"
                raise UnreachableError(self.vendor, endpoint, type(exc).__name__) from None
            except httpx.TransportError as exc:
                label = "connection"
                raise TransientError(self.vendor, endpoint, type(exc).__name__) from None
            finally:
                self._metrics.upstream_requests.labels(self.vendor, endpoint, label).inc()
                self._metrics.upstream_latency.labels(self.vendor, endpoint).observe(
                    time.perf_counter() - started
                )
        try:
            return interpret(response)
        except RateLimitedError as exc:
            if exc.retry_after:
                self._pause(endpoint, exc.retry_after)
            raise
        except VendorError:
            raise
        except PARSE_ERRORS as exc:
            # A parser meeting a shape it never expected (NaN, 1e300, a timestamp in the year
            # 5000, a list where an object was): the vendor's data is unusable, not our bug.
            raise BadResponseError(
                self.vendor, endpoint, f"unusable data ({type(exc).__name__})"
            ) from None

    def unusable(self, endpoint: str, exc: BaseException) -> BadResponseError:
        """Data that passed the transport but not our parsing: counted against the vendor like
        any other bad answer, so a vendor that keeps sending it is paused by its breaker."""
        self._breakers.get(self.vendor, endpoint).record_failure(Reason.BAD_DATA)
        self._metrics.upstream_requests.labels(self.vendor, endpoint, "bad_data").inc()
        return BadResponseError(self.vendor, endpoint, f"unusable data ({type(exc).__name__})")

    def resume(self) -> None:
        """Forgets every Retry-After pause (the vendor is known to answer again)."""
        self._paused_until.clear()

    def _pause(self, endpoint: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._paused_until[endpoint] = max(until, self._paused_until.get(endpoint, 0.0))

    async def _wait_out_pause(self, endpoint: str) -> None:
        """Within the vendor's Retry-After nobody asks again: a job waits it out when it is
        short; a chat answer waits only if the pause ends well inside its deadline."""
        until = self._paused_until.get(endpoint)
        if until is None:
            return
        left = until - time.monotonic()
        if left <= 0:
            self._paused_until.pop(endpoint, None)
            return
        chat = deadline.current()
        wait_limit = (
            self._retry.max_retry_after
            if chat is None
            else min(chat.hedge_after, chat.remaining() - MIN_ATTEMPT_SECONDS)
        )
        if left > wait_limit:
            raise PausedError(self.vendor, endpoint, f"asked to wait {left:.1f}s", left)
        await asyncio.sleep(left)

    async def aclose(self) -> None:
        await self._http.aclose()
