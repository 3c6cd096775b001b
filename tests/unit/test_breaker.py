from __future__ import annotations

from services.kernel.breaker import BreakerBoard, BreakerState, CircuitBreaker
from services.kernel.errors import Reason


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_five_consecutive_failures_for_sixty_seconds() -> None:
    clock = Clock()
    breaker = CircuitBreaker("okx:ticker", clock=clock)
    for _ in range(4):
        breaker.record_failure()
        assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.now += 59.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.state is BreakerState.HALF_OPEN


def test_a_success_resets_the_consecutive_count() -> None:
    breaker = CircuitBreaker("x", clock=Clock())
    for _ in range(4):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(4):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=1, clock=clock)
    breaker.record_failure()
    clock.now += 61
    assert breaker.allow()
    assert not breaker.allow()  # the second caller waits for the probe's verdict
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_failed_probe_reopens_for_a_full_period() -> None:
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=1, clock=clock)
    breaker.record_failure()
    clock.now += 61
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 59
    assert not breaker.allow()


def test_released_probe_lets_the_next_caller_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=1, clock=clock)
    breaker.record_failure()
    clock.now += 61
    assert breaker.allow()
    breaker.release_probe()
    assert breaker.allow()


def test_plan_wall_opens_at_once_for_an_hour_with_reason_plan() -> None:
    clock = Clock()
    breaker = CircuitBreaker("coinglass:etf", clock=clock)
    breaker.record_failure(Reason.PLAN)
    snap = breaker.snapshot()
    assert snap.state is BreakerState.OPEN and snap.reason is Reason.PLAN
    assert snap.retry_in_seconds == 3600
    clock.now += 3599
    assert not breaker.allow()
    clock.now += 2
    assert breaker.allow()


def test_board_keys_breakers_per_vendor_endpoint_and_reports_changes() -> None:
    changes: list[str] = []
    board = BreakerBoard(threshold=1, clock=Clock(), on_change=lambda b: changes.append(b.name))
    board.get("okx", "ticker").record_failure()
    assert board.get("okx", "ticker").state is BreakerState.OPEN
    assert board.get("okx", "books").state is BreakerState.CLOSED
    assert changes == ["okx:ticker"]
    assert [s.name for s in board.snapshots()] == ["okx:books", "okx:ticker"]
