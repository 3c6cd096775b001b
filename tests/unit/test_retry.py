from __future__ import annotations

import pytest
from tenacity import RetryCallState

from services.kernel.errors import (
    BadResponseError,
    BudgetExhaustedError,
    PlanRequiredError,
    RateLimitedError,
    RouteMissingError,
    TransientError,
    VendorError,
)
from services.kernel.retry import DEFAULT, _Wait, with_retry


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits instead of sleeping them."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("tenacity.asyncio._portable_async_sleep", fake_sleep, raising=False)
    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    return waits


def failing(exc: VendorError, calls: list[int], succeed_on: int | None = None):  # type: ignore[no-untyped-def]
    async def call() -> str:
        calls.append(1)
        if succeed_on is not None and len(calls) >= succeed_on:
            return "ok"
        raise exc

    return call


@pytest.mark.parametrize(
    "exc", [TransientError("v", "e", "timeout"), RateLimitedError("v", "e", "429", retry_after=1.0)]
)
async def test_transient_faults_are_tried_at_most_three_times(exc: VendorError) -> None:
    calls: list[int] = []
    with pytest.raises(type(exc)):
        await with_retry(failing(exc, calls))
    assert len(calls) == 3


async def test_success_on_a_retry_is_returned() -> None:
    calls: list[int] = []
    assert await with_retry(failing(TransientError("v", "e"), calls, succeed_on=2)) == "ok"
    assert len(calls) == 2


@pytest.mark.parametrize(
    "exc",
    [
        PlanRequiredError("v", "e", "HTTP 402"),
        RouteMissingError("v", "e"),
        BadResponseError("v", "e", "400"),
    ],
)
async def test_client_errors_are_never_retried(exc: VendorError) -> None:
    calls: list[int] = []
    with pytest.raises(type(exc)):
        await with_retry(failing(exc, calls))
    assert len(calls) == 1


async def test_long_retry_after_fails_fast_instead_of_holding_the_answer() -> None:
    calls: list[int] = []
    exc = RateLimitedError("v", "e", "429", retry_after=DEFAULT.max_retry_after + 1)
    with pytest.raises(RateLimitedError):
        await with_retry(failing(exc, calls))
    assert len(calls) == 1


def _state_with(exc: BaseException, attempt: int = 1) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    state.set_exception((type(exc), exc, None))
    return state


def test_wait_honours_retry_after() -> None:
    wait = _Wait(0.2, 2.0)
    assert wait(_state_with(RateLimitedError("v", "e", retry_after=2.5))) == 2.5


def test_wait_backs_off_exponentially_with_jitter_and_a_cap() -> None:
    wait = _Wait(0.2, 2.0)
    first = [wait(_state_with(TransientError("v", "e"), 1)) for _ in range(200)]
    third = [wait(_state_with(TransientError("v", "e"), 3)) for _ in range(200)]
    assert all(0 <= w <= 0.2 for w in first)
    assert all(0 <= w <= 0.8 for w in third)
    assert max(third) > max(first)  # grows with the attempt
    assert len(set(first)) > 1  # jittered
    capped = [wait(_state_with(TransientError("v", "e"), 10)) for _ in range(50)]
    assert all(w <= 2.0 for w in capped)


async def test_a_retry_our_budget_stopped_reports_the_vendors_own_failure() -> None:
    """A 500, then no room in our own budget for the retry: the vendor's 500 is what went
    wrong (and what feeds its breaker), not "too many requests"."""
    errors: list[VendorError] = [
        TransientError("okx", "trades", "HTTP 500"),
        BudgetExhaustedError("okx", "trades", "request budget spent"),
    ]

    async def call() -> str:
        raise errors.pop(0)

    with pytest.raises(TransientError, match="HTTP 500"):
        await with_retry(call)
    assert errors == []  # both tries were made


async def test_a_budget_spent_before_any_answer_is_reported_as_ours() -> None:
    calls: list[int] = []
    with pytest.raises(BudgetExhaustedError):
        await with_retry(failing(BudgetExhaustedError("okx", "trades", "spent"), calls))
    assert len(calls) == 1
