"""The hedge's race: whichever source loses, its outcome is collected, not left behind."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from services.kernel.deadline import answer_within
from services.kernel.errors import NoKeyError, VendorTimeoutError
from services.kernel.hedge import BothFailed, hedged


async def test_a_fallback_failing_in_the_same_tick_the_primary_answers_leaves_no_stray_error() -> (
    None
):
    """Both finish between two looks of the race: the primary's answer is used, and the
    fallback's error is retrieved (asyncio logs "Task exception was never retrieved" as an
    ERROR otherwise, which the fault matrix caught now and then)."""
    stray: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, context: stray.append(context))
    answered = asyncio.Event()

    async def primary() -> str:
        await answered.wait()
        return "primary"

    async def fallback() -> str:
        answered.set()  # the primary finishes on the next tick, and so does this
        await asyncio.sleep(0)
        raise NoKeyError("coinapi", "quote", "COINAPI_API_KEY is not set")

    with answer_within(2.0, hedge_after=0.01):
        result = await hedged("okx", primary, fallback, fallback_name="coinapi")
    assert result.value == "primary" and result.primary_error is None
    gc.collect()  # a task's unretrieved error is reported when the task is collected
    await asyncio.sleep(0)
    assert stray == []


async def test_the_race_ends_with_the_deadline_naming_the_silent_source() -> None:
    """The fallback fails at once and the primary is stuck behind something that knows no
    deadline (a call shared with a job): the hedge ends when the deadline does, with the
    primary named as not answering, instead of waiting the primary out."""
    stuck = asyncio.Event()

    async def primary() -> str:
        await stuck.wait()
        return "late"

    async def fallback() -> str:
        raise NoKeyError("coinapi", "quote", "COINAPI_API_KEY is not set")

    with answer_within(0.4, hedge_after=0.1), pytest.raises(BothFailed) as both:
        await asyncio.wait_for(hedged("OKX", primary, fallback, fallback_name="CoinAPI"), 2)
    assert isinstance(both.value.primary, VendorTimeoutError)
    assert both.value.primary.vendor == "OKX"
    assert isinstance(both.value.fallback, NoKeyError)
