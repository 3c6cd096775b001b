"""The chain every paid-with-free-fallback module follows, and what it reports to /status."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from services.kernel.cache import ResilientCache
from services.kernel.errors import (
    DataUnavailableError,
    NoKeyError,
    Reason,
    UpstreamError,
    VendorError,
    wait_asked,
)
from services.kernel.hedge import BothFailed, hedged
from services.kernel.models import Provenance
from services.kernel.modules import MODULES, Module
from services.kernel.status import SET_UP, StatusRegistry

T = TypeVar("T")
M = TypeVar("M", bound=Provenance)
A = TypeVar("A")  # a source's adapter


@dataclass(frozen=True)
class Sourced(Generic[T]):
    value: T
    source: str
    fallback_reason: str | None  # "CoinGlass plan" when the free source stood in after a failure


@dataclass(frozen=True)
class Source(Generic[T]):
    name: str
    fetch: Callable[[], Awaitable[T]]


def chain(
    module: Module, sources: Mapping[str, A], ask: Callable[[str, A], Awaitable[T]]
) -> tuple[Source[T], Source[T] | None]:
    """A module's sources in the order its `ModuleSpec.vendors` names them (first choice
    first), among those the service can ask for this question: the spec is the truth of who is
    asked first and who stands in."""
    named = [name for name in MODULES[module].vendors if name in sources]
    if not named:
        raise ValueError(f"{module.value}: none of {list(sources)} is in its spec's vendors")
    made = [Source(name, functools.partial(ask, name, sources[name])) for name in named]
    return made[0], (made[1] if len(made) > 1 else None)


def ask(_name: str, call: Callable[[], Awaitable[T]]) -> Awaitable[T]:
    """For a chain whose sources are the calls themselves ({"CoinGlass": paid, "OKX": free})."""
    return call()


async def read_chain(
    status: StatusRegistry,
    module: Module,
    sources: Mapping[str, A],
    ask: Callable[[str, A], Awaitable[T]],
    *,
    final: tuple[type[VendorError], ...] = (),
) -> Sourced[T]:
    """The module's chain run as every chain is: first choice, its fallback hedged beside it,
    the status told (paid_then_free)."""
    first, then = chain(module, sources, ask)
    return await paid_then_free(status, module, first, then, final=final)


async def paid_then_free(
    status: StatusRegistry,
    module: str,
    paid: Source[T],
    free: Source[T] | None,
    *,
    final: tuple[type[VendorError], ...] = (),
) -> Sourced[T]:
    """Paid source first; the free one when it fails (or the first choice, then its fallback:
    the chain is the same). No key is the normal free set-up: the module is then `degraded
    (no_key)` and the answer is not labelled a fallback. `final` errors of the first end it."""
    if free is None:
        try:
            value = await paid.fetch()
        except VendorError as failed:
            status.unavailable(module, failed.reason, f"{paid.name} {failed.reason}", by=paid.name)
            raise DataUnavailableError(
                module, [(paid.name, failed.reason)], wait_asked(failed)
            ) from None
        status.ok(module, paid.name)
        return Sourced(value, paid.name, None)
    try:
        got = await hedged(paid.name, paid.fetch, free.fetch, fallback_name=free.name, final=final)
    except BothFailed as both:
        status.unavailable(
            module, both.fallback.reason, f"{free.name} {both.fallback.reason}", by=free.name
        )
        raise DataUnavailableError(
            module,
            [(paid.name, both.primary.reason), (free.name, both.fallback.reason)],
            wait_asked(both.fallback, both.primary),
        ) from None
    paid_error = got.primary_error
    if paid_error is None:
        status.ok(module, paid.name)
        return Sourced(got.value, paid.name, None)
    if isinstance(paid_error, NoKeyError):
        status.degraded(module, free.name, f"no {paid.name} key", Reason.NO_KEY, by=paid.name)
        return Sourced(got.value, free.name, None)
    reason = f"{paid.name} {paid_error.reason.value}"
    status.degraded(module, free.name, f"fallback: {reason}", paid_error.reason, by=paid.name)
    return Sourced(got.value, free.name, reason)


async def read_through(
    cache: ResilientCache,
    status: StatusRegistry,
    module: str,
    key: str,
    model: type[M],
    ttl: float,
    fetch: Callable[[], Awaitable[M]],
) -> M:
    """The module's cached read; a value served stale says so (its `stale` field and /status),
    and so does a read that could not be answered, whichever layer gave up (the source chain,
    a shared refresh that outlasted the deadline): /status never says less than the answer."""
    try:
        cached = await cache.get_or_fetch(module, key, model, ttl, fetch)
    except DataUnavailableError as failed:
        report_unavailable(status, failed)
        raise
    if not cached.stale:
        return cached.value
    reason, by = stale_cause(cached.cause, cached.value.source)
    status.degraded(module, cached.value.source, f"stale: {cached.error}", reason, by=by)
    # As old as the copy is (its own time may be when it was fetched: a book stamped on
    # arrival), so "(1s ago)" never sits beside the mark.
    fetched = datetime.now(UTC) - timedelta(seconds=cached.age_seconds)
    return cached.value.model_copy(
        update={
            "stale": True,
            "stale_reason": reason,
            "stale_by": by,
            "as_of": min(cached.value.as_of, fetched),
        }
    )


def stale_cause(cause: UpstreamError | None, copied_from: str) -> tuple[Reason, str | None]:
    """Why only an old copy could be had, and the source that is about: a failure names its
    own; with none, the source the copy came from was too slow to answer in time."""
    telling = telling_failure(cause.failures) if isinstance(cause, DataUnavailableError) else None
    if telling is not None:
        source, reason = telling
        return reason, source or None
    if isinstance(cause, VendorError):
        return cause.reason, cause.source
    return Reason.TIMEOUT, copied_from


def telling_failure(failures: list[tuple[str, Reason]]) -> tuple[str, Reason] | None:
    """The failure that says what went wrong: the first one that is not how the install is
    set up (a paid source without its key, before the free one that failed), else the first."""
    for source, reason in failures:
        if reason not in SET_UP:
            return source, reason
    return failures[0] if failures else None


def report_unavailable(status: StatusRegistry, failed: DataUnavailableError) -> None:
    """What an answer is about to say, told to /status: the failure that tells what went wrong
    is the module's reason (the others are in the answer)."""
    telling = telling_failure(failed.failures)
    if telling is None:
        return
    source, reason = telling
    status.unavailable(failed.module, reason, f"{source} {reason.value}", by=source)
