"""The hedge's race: whichever source loses, its outcome is collected, not left behind."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from services.kernel.deadline import answer_within
from services.kernel.errors import NoKeyError
from services.kernel.hedge import hedged


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
        result = await hedged("okx", primary, fallback)
    assert result.value == "primary" and result.primary_error is None
    gc.collect()  # a task's unretrieved error is reported when the task is collected
    await asyncio.sleep(0)
    assert stray == []
