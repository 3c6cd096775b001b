"""Whether one backing store (Redis, the database) answers. The first failure marks it down
(one warning, one status change, one notice); from then on callers take their fallback at once
instead of waiting on it each time, while a background probe asks it every few seconds; the
first answer marks it up again (one line, one notice).

Not a circuit breaker from services/kernel/breaker.py: that one counts vendor failures
and lets real requests through to test recovery, while a store's callers must never be the
ones to wait on a hung store, so only the probe touches it while it is down."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from loguru import logger

Listener = Callable[[bool, str], None]  # (up, why)


def describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


class Outage:
    def __init__(
        self,
        name: str,
        probe: Callable[[], Awaitable[object]],
        *,
        fallback: str,
        probe_seconds: float = 10.0,
        first_probe_seconds: float = 1.0,
    ) -> None:
        """`fallback` says in the log what runs instead while `name` is down. The first probe
        comes soon (a dropped connection is usually back at once), then every
        `probe_seconds`."""
        self.name = name
        self.fallback = fallback
        self.probe_seconds = probe_seconds
        self.first_probe_seconds = min(first_probe_seconds, probe_seconds)
        self.reason = ""
        self._probe = probe
        self._since: float | None = None
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.outages = 0  # how many times it went down (tests and /metrics read it)

    @property
    def down(self) -> bool:
        return self._since is not None

    def down_for(self) -> float:
        return 0.0 if self._since is None else time.monotonic() - self._since

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def failed(self, why: BaseException | str) -> None:
        """A call to the store failed or hung: down from now, until a probe answers."""
        if self._since is not None or self._closed:
            return
        self._since = time.monotonic()
        self.outages += 1
        self.reason = why if isinstance(why, str) else describe(why)
        logger.warning(
            "{} is not answering ({}): {} until it does; probing every {:g}s",
            self.name,
            self.reason,
            self.fallback,
            self.probe_seconds,
        )
        self._tell(False)
        with contextlib.suppress(RuntimeError):  # no running loop: whoever probes next decides
            if self._task is None or self._task.done():
                self._task = asyncio.get_running_loop().create_task(
                    self._probing(), name=f"probe-{self.name}"
                )

    def recovered(self) -> None:
        if self._since is None:
            return
        lasted = self.down_for()
        self._since = None
        self.reason = ""
        logger.info("{} answers again after {:.0f}s; back to using it", self.name, lasted)
        self._tell(True)

    async def check(self) -> bool:
        """Asks the store once, now; True when it answered."""
        try:
            await self._probe()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.failed(exc)
            return False
        self.recovered()
        return True

    def _tell(self, up: bool) -> None:
        for listener in self._listeners:
            try:
                listener(up, self.reason)
            except Exception as exc:  # a listener's bug must not hide the outage itself
                logger.opt(exception=exc).error("{} outage listener failed", self.name)

    async def _probing(self) -> None:
        delay = self.first_probe_seconds
        while self._since is not None and not self._closed:
            await asyncio.sleep(delay)
            delay = self.probe_seconds
            try:
                await self._probe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.debug("{} probe: still down ({})", self.name, describe(exc))
                continue
            self.recovered()

    async def close(self) -> None:
        self._closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
