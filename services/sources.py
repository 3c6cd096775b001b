"""The chain every paid-with-free-fallback module follows, and what it reports to /status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from services.errors import DataUnavailableError, NoKeyError, Reason, VendorError
from services.resilience.cache import ResilientCache
from services.status import StatusRegistry

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Sourced(Generic[T]):
    value: T
    source: str
    fallback_reason: str | None  # "CoinGlass plan" when the free source stood in after a failure


@dataclass(frozen=True)
class Source(Generic[T]):
    name: str
    fetch: Callable[[], Awaitable[T]]


async def paid_then_free(
    status: StatusRegistry, module: str, paid: Source[T], free: Source[T] | None
) -> Sourced[T]:
    """Paid source first; the free one when it fails. No key is the normal free set-up: the
    module is then `degraded (no_key)` and the answer is not labelled a fallback."""
    try:
        value = await paid.fetch()
    except VendorError as paid_error:
        if free is None:
            status.unavailable(module, paid_error.reason, f"{paid.name} {paid_error.reason}")
            raise DataUnavailableError(module, [(paid.name, paid_error.reason)]) from None
        try:
            value = await free.fetch()
        except VendorError as free_error:
            status.unavailable(module, free_error.reason, f"{free.name} {free_error.reason}")
            raise DataUnavailableError(
                module, [(paid.name, paid_error.reason), (free.name, free_error.reason)]
            ) from None
        if isinstance(paid_error, NoKeyError):
            status.degraded(module, free.name, f"no {paid.name} key", Reason.NO_KEY)
            return Sourced(value, free.name, None)
        reason = f"{paid.name} {paid_error.reason.value}"
        status.degraded(module, free.name, f"fallback: {reason}", paid_error.reason)
        return Sourced(value, free.name, reason)
    status.ok(module, paid.name)
    return Sourced(value, paid.name, None)


async def read_through(
    cache: ResilientCache,
    status: StatusRegistry,
    module: str,
    key: str,
    model: type[M],
    ttl: float,
    fetch: Callable[[], Awaitable[M]],
) -> M:
    """The module's cached read; a value served stale says so (its `stale` field and /status)."""
    cached = await cache.get_or_fetch(module, key, model, ttl, fetch)
    if not cached.stale:
        return cached.value
    status.degraded(module, getattr(cached.value, "source", None), f"stale: {cached.error}")
    return cached.value.model_copy(update={"stale": True})
