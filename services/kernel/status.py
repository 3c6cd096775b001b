"""Module status registry: every module reports here; /status and /healthz read it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.errors import Reason
from services.kernel.modules import MODULES, Module

SET_UP = frozenset(
    {Reason.NO_KEY, Reason.PLAN, Reason.DISABLED, Reason.REGION}
)  # choices, not faults


class Health(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    UNAVAILABLE = "unavailable"


class Overall(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class ModuleStatus(BaseModel):
    name: str
    health: Health
    reason: Reason | None = None
    reason_by: str | None = None  # the source the reason is about ("CoinGlass" has no key)
    detail: str | None = None
    source: str | None = None
    last_success: datetime | None = None
    checked: bool = False  # False until the module has been used once


class StatusRegistry:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._modules: dict[str, ModuleStatus] = {}
        self._main: set[str] = set()

    def register(self, name: str, *, main: bool | None = None) -> None:
        """A data module's `main` comes from the module registry unless given."""
        self._modules.setdefault(name, ModuleStatus(name=name, health=Health.OK))
        if main is None:
            spec = MODULES.get(Module(name)) if name in Module.__members__.values() else None
            main = spec is not None and spec.main
        if main:
            self._main.add(name)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _update(self, name: str, **fields: object) -> None:
        current = self._modules.get(name) or ModuleStatus(name=name, health=Health.OK)
        self._modules[name] = current.model_copy(update={"checked": True, **fields})

    def ok(self, name: str, source: str) -> None:
        self._update(
            name,
            health=Health.OK,
            reason=None,
            reason_by=None,
            detail=None,
            source=source,
            last_success=self._now(),
        )

    def degraded(
        self,
        name: str,
        source: str | None,
        detail: str,
        reason: Reason | None = None,
        served: bool = True,
        by: str | None = None,
    ) -> None:
        """Answered, but not from the first choice (fallback) or not fresh (stale); `by` is
        the source `reason` is about."""
        fields: dict[str, object] = {
            "health": Health.DEGRADED,
            "reason": reason,
            "reason_by": by,
            "detail": detail,
            "source": source,
        }
        if served:
            fields["last_success"] = self._now()
        self._update(name, **fields)

    def unavailable(
        self, name: str, reason: Reason, detail: str = "", by: str | None = None
    ) -> None:
        self._update(
            name, health=Health.UNAVAILABLE, reason=reason, reason_by=by, detail=detail or None
        )

    def store(
        self,
        name: str,
        source: str,
        health: Health = Health.OK,
        reason: Reason | None = None,
        detail: str | None = None,
    ) -> None:
        """A backing store (database, Redis): whether it answers and what serves meanwhile;
        it has no "last success" worth showing (it is used all the time)."""
        self._update(
            name, health=health, reason=reason, detail=detail, source=source, last_success=None
        )

    def reset(self, name: str) -> None:
        """Back to "not used yet" (e.g. a module switched on again)."""
        previous = self._modules.get(name)
        self._modules[name] = ModuleStatus(
            name=name, health=Health.OK, last_success=previous.last_success if previous else None
        )

    def get(self, name: str) -> ModuleStatus | None:
        return self._modules.get(name)

    def snapshot(self) -> list[ModuleStatus]:
        return [self._modules[k] for k in sorted(self._modules)]

    def overall(self) -> Overall:
        modules = list(self._modules.values())
        main = [m for m in modules if m.name in self._main]
        if main and all(m.health is Health.UNAVAILABLE for m in main):
            return Overall.UNHEALTHY
        # No key, a plan wall or a switched-off module is how the install is set up: the free
        # sources are a configuration, not a degradation.
        if any(m.health is not Health.OK and m.reason not in SET_UP for m in modules):
            return Overall.DEGRADED
        return Overall.OK
