"""Bounded retry for transient vendor faults only (tenacity); under a chat answer's deadline,
only the tries that can still finish in time."""

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
from tenacity.stop import stop_base

from services.kernel import deadline
from services.kernel.errors import PausedError, RateLimitedError, TransientError

T = TypeVar("T")

MAX_ATTEMPTS = 3
# A Retry-After longer than this is not worth holding a chat answer for: fail fast instead.
MAX_RETRY_AFTER_SECONDS = 3.0
# A try started with less time than this left cannot get an answer back before the deadline.
MIN_ATTEMPT_SECONDS = 0.25


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, PausedError):
        return False  # the wait it asks for was already judged too long to sit out
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


class _PastDeadline(stop_base):
    """Someone waits in a chat: a try that would start too late is not made."""

    def __call__(self, state: RetryCallState) -> bool:
        left = deadline.remaining()
        return left is not None and left - state.upcoming_sleep < MIN_ATTEMPT_SECONDS


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = MAX_ATTEMPTS,
    base_delay: float = 0.2,
    max_delay: float = 2.0,
) -> T:
    retrying = AsyncRetrying(
        retry=retry_if_exception(_retryable),
        stop=stop_after_attempt(attempts) | _PastDeadline(),
        wait=_Wait(base_delay, max_delay),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity re-raises the last error")
