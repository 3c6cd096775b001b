"""A module's sources are asked in the order its `ModuleSpec.vendors` names them: the spec, which
/status and the error texts read, is also what the services follow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.kernel.modules import MODULES, Module
from services.kernel.sources import chain


async def ask(name: str, source: str) -> str:
    return f"{name}:{source}"


async def test_the_spec_orders_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = {"OKX": "okx-adapter", "Binance futures": "binance-adapter"}
    first, then = chain(Module.FUNDING, sources, ask)
    assert (first.name, then and then.name) == ("OKX", "Binance futures")
    assert await first.fetch() == "OKX:okx-adapter"
    flipped = replace(MODULES[Module.FUNDING], vendors=("Binance futures", "OKX"))
    monkeypatch.setitem(MODULES, Module.FUNDING, flipped)
    first, then = chain(Module.FUNDING, sources, ask)
    assert (first.name, then and then.name) == ("Binance futures", "OKX")


def test_a_source_the_spec_does_not_name_is_never_asked() -> None:
    first, then = chain(Module.OI, {"OKX": "a", "Somebody": "b"}, ask)
    assert first.name == "OKX" and then is None
    with pytest.raises(ValueError, match="spec"):
        chain(Module.OI, {"Somebody": "b"}, ask)
