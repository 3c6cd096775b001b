"""A primary source with a fallback, hedged when someone is waiting.

In a job the fallback is asked only after the primary failed. Under a chat answer's deadline a
primary still silent after `hedge_after` gets the fallback started beside it, and the first
good answer wins (the primary's, if both are in). Written here because the rule (prefer the
primary, keep both errors for the answer and /status) is ours; asyncio.wait does the racing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.kernel import deadline
from services.kernel.errors import VendorError, VendorTimeoutError

T = TypeVar("T")


@dataclass(frozen=True)
class Hedged(Generic[T]):
    value: T
    primary_error: VendorError | None  # None: the primary answered


class BothFailed(Exception):
    def __init__(self, primary: VendorError, fallback: VendorError) -> None:
        super().__init__(f"{primary}; {fallback}")
        self.primary = primary
        self.fallback = fallback


async def hedged(
    primary_name: str,
    primary: Callable[[], Awaitable[T]],
    fallback: Callable[[], Awaitable[T]],
    *,
    fallback_name: str,
    final: tuple[type[VendorError], ...] = (),
) -> Hedged[T]:
    """`final` errors from the primary end the chain (the vendor said the symbol does not
    exist: a fallback would only say so less reliably). Under a deadline the race ends with
    it: a source still silent then has timed out, whatever it is waiting on (a call shared
    with a job, a queue), and is named as such."""
    chat = deadline.current()
    first = asyncio.ensure_future(primary())
    second: asyncio.Future[T] | None = None
    try:
        if chat is not None:
            await asyncio.wait({first}, timeout=chat.hedge_after)
        if first.done() or chat is None:
            try:
                return Hedged(await first, None)
            except final:
                raise
            except VendorError as failed:
                try:
                    return Hedged(await fallback(), failed)
                except VendorError as also_failed:
                    raise BothFailed(failed, also_failed) from None
        second = asyncio.ensure_future(fallback())
        primary_error: VendorError | None = None
        fallback_error: VendorError | None = None
        pending: set[asyncio.Future[T]] = {first, second}
        while pending:
            done, pending = await asyncio.wait(
                pending, timeout=chat.remaining(), return_when=asyncio.FIRST_COMPLETED
            )
            if not done:  # the deadline: whoever has not answered by now is too slow
                late = "no answer within the deadline"
                if first in pending:
                    primary_error = VendorTimeoutError(primary_name, "hedge", late)
                if second in pending:
                    fallback_error = VendorTimeoutError(fallback_name, "hedge", late)
                break
            if first in done:
                try:
                    return Hedged(first.result(), None)
                except final:
                    raise
                except VendorError as exc:
                    primary_error = exc
            if second in done:
                try:
                    value = second.result()
                except VendorError as exc:
                    fallback_error = exc
                else:
                    slow = VendorTimeoutError(
                        primary_name, "hedge", f"no answer in {chat.hedge_after:.1f}s"
                    )
                    return Hedged(value, primary_error or slow)
        assert primary_error is not None and fallback_error is not None
        raise BothFailed(primary_error, fallback_error)
    finally:
        for task in (first, second):
            if task is None:
                continue
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            elif not task.cancelled():
                # The loser of a race that ended in one tick: its error is no news, but
                # unretrieved, asyncio would log it as an ERROR when the task is collected.
                task.exception()
