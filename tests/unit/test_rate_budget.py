from __future__ import annotations

import asyncio
import uuid

import pytest

from services.kernel.errors import BudgetExhaustedError
from services.kernel.rate_budget import RateBudget, make_storage


@pytest.fixture(params=["memory", "redis"])
def storage_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("redis_url")) if request.param == "redis" else ""


async def test_budget_is_never_exceeded_when_callers_cannot_wait(storage_url: str) -> None:
    budget = RateBudget(make_storage(storage_url), max_wait=0.0)
    vendor = f"v-{uuid.uuid4().hex}"
    budget.configure(vendor, 5, 10)
    results = await asyncio.gather(
        *(budget.acquire(vendor) for _ in range(12)), return_exceptions=True
    )
    granted = [r for r in results if r is None]
    refused = [r for r in results if isinstance(r, BudgetExhaustedError)]
    assert len(granted) == 5
    assert len(refused) == 7
    assert all(r.reason.value == "paced" for r in refused)  # ours, not the vendor's 429


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_caller_waits_briefly_for_room_in_the_window(storage_url: str) -> None:
    budget = RateBudget(make_storage(storage_url), max_wait=3.0)
    vendor = f"v-{uuid.uuid4().hex}"
    budget.configure(vendor, 2, 1)
    await budget.acquire(vendor)
    await budget.acquire(vendor)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await budget.acquire(vendor)  # must wait for the 1 s window to move, not fail
    assert loop.time() - started > 0.5


async def test_vendors_have_separate_budgets() -> None:
    budget = RateBudget(make_storage(""), max_wait=0.0)
    budget.configure("a", 1, 10)
    budget.configure("b", 1, 10)
    await budget.acquire("a")
    await budget.acquire("b")
    with pytest.raises(BudgetExhaustedError):
        await budget.acquire("a")


async def test_unconfigured_vendor_is_not_limited() -> None:
    budget = RateBudget(make_storage(""), max_wait=0.0)
    for _ in range(100):
        await budget.acquire("free")
