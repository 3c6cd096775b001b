"""The module registry builds every module: each entry's package makes the service of that
module, in the registry's order, and each switchable module has its FEATURE_ setting."""

from __future__ import annotations

import importlib
import sys

import pytest

from services.kernel.modules import MODULES, SWITCHABLE, Module
from services.kernel.settings import Settings
from services.market.parts import MarketParts, build_modules
from services.market.ticker.service import TickerService
from tests.conftest import make_settings
from tests.unit.conftest import Build


async def test_every_module_in_the_registry_is_built_by_its_own_package(build: Build) -> None:
    services = await build()
    for module, spec in MODULES.items():
        service = services.modules.of(module)
        package = importlib.import_module(f"services.market.{spec.package}.service")
        assert package.MODULE is module
        assert type(service).__module__ == package.__name__
    assert services.heatmap is services.modules.get(type(services.heatmap))
    assert services.modules.get(TickerService) is services.ticker


async def test_a_module_that_reads_another_must_come_after_it(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = await build()
    heatmap_first = {Module.HEATMAP: MODULES[Module.HEATMAP], **MODULES}
    monkeypatch.setattr(sys.modules["services.market.parts"], "MODULES", heatmap_first)
    parts = MarketParts(
        services.settings,
        services.vendors,
        services.cache,
        services.status,
        services.flags,
        services.db,
    )
    with pytest.raises(LookupError, match="TickerService"):
        build_modules(parts)


def test_every_switchable_module_has_its_feature_setting_and_only_those() -> None:
    features = {name for name in Settings.model_fields if name.startswith("feature_")}
    assert features == {f"feature_{module.value}" for module in SWITCHABLE}
    settings = make_settings(**{f"feature_{module.value}": "off" for module in SWITCHABLE})
    assert not any(settings.switch(module) for module in SWITCHABLE)
    assert all(make_settings().switch(module) for module in SWITCHABLE)
