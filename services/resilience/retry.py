"""Bounded retry for transient vendor faults only (tenacity)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from services.errors import RateLimitedError, TransientError

T = TypeVar("T")

MAX_ATTEMPTS = 3
# A Retry-After longer than this is not worth holding a chat answer for: fail fast instead.
MAX_RETRY_AFTER_SECONDS = 3.0


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, RateLimitedError):
        return exc.retry_after is None or exc.retry_after <= MAX_RETRY_AFTER_SECONDS
    return isinstance(exc, TransientError)


class _Wait:
    """Retry-After when the vendor gave one, else exponential backoff with full jitter."""

    def __init__(self, base: float, cap: float) -> None:
        self._backoff = wait_random_exponential(multiplier=base, max=cap)

    def __call__(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(state))


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = MAX_ATTEMPTS,
    base_delay: float = 0.2,
    max_delay: float = 2.0,
) -> T:
    retrying = AsyncRetrying(
        retry=retry_if_exception(_retryable),
        stop=stop_after_attempt(attempts),
        wait=_Wait(base_delay, max_delay),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity re-raises the last error")
