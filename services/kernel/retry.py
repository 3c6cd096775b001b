"""Bounded retry for transient vendor faults only (tenacity); under a chat answer's deadline,
only the tries that can still finish in time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
from services.kernel.errors import PausedError, RateLimitedError, TransientError, VendorError

T = TypeVar("T")

# A try started with less time than this left cannot get an answer back before the deadline.
MIN_ATTEMPT_SECONDS = 0.25


@dataclass(frozen=True)
class RetryPolicy:
    """How a vendor call is retried; given to each VendorClient (tests give a quick one)."""

    attempts: int = 3
    base_delay: float = 0.2  # exponential backoff with full jitter, from this...
    max_delay: float = 2.0  # ...up to this
    # A Retry-After longer than this is not worth waiting for: fail fast instead.
    max_retry_after: float = 3.0

    def retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, PausedError):
            return False  # the wait it asks for was already judged too long to sit out
        if isinstance(exc, RateLimitedError):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after
        return isinstance(exc, TransientError)


DEFAULT = RetryPolicy()


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


async def with_retry(call: Callable[[], Awaitable[T]], policy: RetryPolicy = DEFAULT) -> T:
    """The last error is raised, unless the last try was never sent (our own budget spent, a
    pause the vendor asked for): then the vendor's own earlier answer is what went wrong, and
    "too many requests" would blame our pacing for a vendor's 500s."""
    retrying = AsyncRetrying(
        retry=retry_if_exception(policy.retryable),
        stop=stop_after_attempt(policy.attempts) | _PastDeadline(),
        wait=_Wait(policy.base_delay, policy.max_delay),
        reraise=True,
    )
    answered: VendorError | None = None  # the vendor's latest failed answer
    try:
        async for attempt in retrying:
            with attempt:
                try:
                    return await call()
                except VendorError as exc:
                    if exc.counts_against_vendor:
                        answered = exc
                    raise
    except VendorError as exc:
        if answered is not None and not exc.counts_against_vendor:
            raise answered from exc
        raise
    raise AssertionError("unreachable: tenacity re-raises the last error")
