"""Circuit breaker per vendor endpoint.

Written here rather than taken from purgatory/aiobreaker because the rule needs an open time
per failure kind (a plan wall opens for an hour, five errors for a minute) and a readable
reason for /status; neither library exposes both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.errors import Reason


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class BreakerSnapshot(BaseModel):
    name: str
    state: BreakerState
    reason: Reason | None
    failures: int
    retry_in_seconds: float


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        threshold: int = 5,
        open_seconds: float = 60.0,
        plan_open_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[CircuitBreaker], None] | None = None,
    ) -> None:
        self.name = name
        self._threshold = threshold
        self._open_seconds = open_seconds
        self._plan_open_seconds = plan_open_seconds
        self._clock = clock
        self._on_change = on_change
        self._failures = 0
        self._opened_until: float | None = None
        self._reason: Reason | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._opened_until is None:
            return BreakerState.CLOSED
        if self._clock() < self._opened_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def reason(self) -> Reason | None:
        return self._reason

    def allow(self) -> bool:
        """May a request be sent now? In half-open state exactly one probe is let through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._probe_in_flight:
            return False
        self._probe_in_flight = True
        return True

    def release_probe(self) -> None:
        """The probe ended without a verdict (e.g. cancelled): let the next caller probe."""
        self._probe_in_flight = False

    def record_success(self) -> None:
        changed = self._opened_until is not None
        self._failures = 0
        self._opened_until = None
        self._reason = None
        self._probe_in_flight = False
        if changed:
            self._notify()

    def record_failure(self, reason: Reason = Reason.ERROR) -> None:
        self._probe_in_flight = False
        if reason in (Reason.PLAN, Reason.REGION):  # a set-up: asking again soon changes nothing
            self._open(reason, self._plan_open_seconds)
            return
        if self.state is BreakerState.HALF_OPEN:
            self._open(reason, self._open_seconds)
            return
        self._failures += 1
        if self._failures >= self._threshold:
            self._open(reason, self._open_seconds)

    def _open(self, reason: Reason, seconds: float) -> None:
        self._opened_until = self._clock() + seconds
        self._reason = reason
        self._notify()

    def _notify(self) -> None:
        if self._on_change is not None:
            self._on_change(self)

    def snapshot(self) -> BreakerSnapshot:
        retry_in = 0.0
        if self._opened_until is not None:
            retry_in = max(0.0, self._opened_until - self._clock())
        return BreakerSnapshot(
            name=self.name,
            state=self.state,
            reason=self._reason,
            failures=self._failures,
            retry_in_seconds=round(retry_in, 1),
        )


class BreakerBoard:
    """All breakers of the process, created on first use, keyed `vendor:endpoint`."""

    def __init__(
        self,
        *,
        threshold: int = 5,
        open_seconds: float = 60.0,
        plan_open_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[CircuitBreaker], None] | None = None,
    ) -> None:
        self._kwargs = {
            "threshold": threshold,
            "open_seconds": open_seconds,
            "plan_open_seconds": plan_open_seconds,
        }
        self._clock = clock
        self._on_change = on_change
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, vendor: str, endpoint: str) -> CircuitBreaker:
        name = f"{vendor}:{endpoint}"
        breaker = self._breakers.get(name)
        if breaker is None:
            breaker = CircuitBreaker(
                name,
                threshold=int(self._kwargs["threshold"]),
                open_seconds=self._kwargs["open_seconds"],
                plan_open_seconds=self._kwargs["plan_open_seconds"],
                clock=self._clock,
                on_change=self._on_change,
            )
            self._breakers[name] = breaker
        return breaker

    def reset(self) -> None:
        """Every endpoint closed and its count forgotten (after the vendor is known healed)."""
        self._breakers.clear()

    def snapshots(self) -> list[BreakerSnapshot]:
        return [b.snapshot() for b in sorted(self._breakers.values(), key=lambda b: b.name)]
