"""`ModuleSpec.vendors` is what error texts and /status name as a module's sources ("OKX/CoinAPI"):
it must hold every vendor the module's service can answer from. Read from the service modules
themselves: each vendor's SOURCE its package imports (directly, or through a reader of its own
package or the across-exchanges reader) is in its spec. Another module it asks (the price, for
a heatmap) answers for its own sources."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from services.kernel.modules import MODULES, Module
from services.kernel.vendors import VENDORS

NAMES = {spec.name for spec in VENDORS.values()}


def sources_of(module: ModuleType, package: str, seen: set[str]) -> set[str]:
    """The vendor names a service module holds, following its imports within its package."""
    if module.__name__ in seen:
        return set()
    seen.add(module.__name__)
    found = {
        v for k, v in vars(module).items() if k.isupper() and isinstance(v, str) and v in NAMES
    }
    for value in vars(module).values():
        owner = getattr(value, "__module__", None) or getattr(value, "__name__", "")
        own = isinstance(owner, str) and (
            owner.startswith(f"services.market.{package}.") or owner == "services.market.across"
        )
        if own:
            found |= sources_of(importlib.import_module(str(owner)), package, seen)
    return found


@pytest.mark.parametrize("module", list(MODULES), ids=[m.value for m in MODULES])
def test_a_modules_vendors_name_every_source_its_service_answers_from(module: Module) -> None:
    spec = MODULES[module]
    service = importlib.import_module(f"services.market.{spec.package}.service")
    assert sources_of(service, spec.package, set()) <= set(spec.vendors)
