"""What a data module is built from, and the building of every module in the registry.

Each module's package (`services/market/<package>/service.py`, named by its `ModuleSpec`)
has a `build(parts)` that makes its service, so a new module is built without a line in the
container. Modules are built in the registry's order; one that reads another (the heatmap
reads prices) finds it with `parts.module(TickerService)`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast, runtime_checkable

from services.kernel.cache import ResilientCache
from services.kernel.modules import MODULES, Module
from services.kernel.settings import Settings
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import FlagService
from services.storage.db import Database

T = TypeVar("T")


class Vendors:
    """Every vendor adapter the vendor table builds (services/kernel/vendors.py), by its class:
    a module asks `parts.vendors.get(OkxDerivs)`, and a new adapter is a row's entry, not a
    field here."""

    def __init__(self, adapters: Iterable[object]) -> None:
        self._by_kind = {type(adapter): adapter for adapter in adapters}

    def get(self, kind: type[T]) -> T:
        found = self._by_kind.get(kind)
        if found is None:
            raise LookupError(f"no {kind.__name__}: is it in a row of the vendor table?")
        return cast(T, found)


@runtime_checkable
class ModuleService(Protocol):
    """What every module's service offers besides its own questions."""

    async def probe(self, inst: Instrument) -> object:
        """One cheap question through the module's own sources (capability discovery)."""
        ...


class ModuleServices:
    """The built module services, found by their class (typed, unlike a lookup by name)."""

    def __init__(self, built: Mapping[Module, object]) -> None:
        self._built: dict[Module, ModuleService] = {}
        for module, service in built.items():
            if not isinstance(service, ModuleService):
                raise TypeError(f"{type(service).__name__} has no probe(inst)")
            self._built[module] = service

    def get(self, kind: type[T]) -> T:
        for service in self._built.values():
            if isinstance(service, kind):
                return service
        raise LookupError(f"no {kind.__name__} is built (is it before its reader in MODULES?)")

    def of(self, module: Module) -> ModuleService:
        return self._built[module]


@dataclass
class MarketParts:
    settings: Settings
    vendors: Vendors
    cache: ResilientCache
    status: StatusRegistry
    flags: FlagService
    db: Database
    built: dict[Module, object] = field(default_factory=dict)

    def module(self, kind: type[T]) -> T:
        """A module built before this one, by its service class."""
        return ModuleServices(self.built).get(kind)


def build_modules(parts: MarketParts) -> ModuleServices:
    for module, spec in MODULES.items():
        package = importlib.import_module(f"services.market.{spec.package}.service")
        parts.built[module] = package.build(parts)
    return ModuleServices(parts.built)
