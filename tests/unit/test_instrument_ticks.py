"""Each instrument's price tick comes from OKX's catalogue, and the sniper's levels use it."""

from __future__ import annotations

from decimal import Decimal

from services.kernel.models import InstrumentIds
from services.kernel.symbols import parse_symbol
from tests.fakes.vendors import FakeVendors
from tests.unit.conftest import Build


async def test_the_tick_is_okxs_tick_size_and_unknown_when_unlisted(
    build: Build, vendors: FakeVendors
) -> None:
    services = await build()
    assert await services.instruments.tick(parse_symbol("SOL")) == Decimal("0.001")
    assert await services.instruments.tick(parse_symbol("SOL-USDT-SWAP")) == Decimal("0.001")
    assert await services.instruments.tick(parse_symbol("NOPE")) is None
    read = await services.sniper.read(parse_symbol("SOL"))
    assert read.inputs.tick == Decimal("0.001")  # journaled with the inputs, for replays


async def test_a_tick_that_is_not_a_positive_number_is_no_tick(build: Build) -> None:
    services = await build()
    for nonsense in ("NaN", "0", "-0.01", "abc", "Infinity"):
        listed = InstrumentIds(inst_ids=["SOL-USDT"], ticks={"SOL-USDT": nonsense})

        async def cached(*_: object) -> InstrumentIds:
            return listed  # noqa: B023 - read at once, inside this iteration

        services.instruments._list = cached  # type: ignore[method-assign]
        assert await services.instruments.tick(parse_symbol("SOL")) is None, nonsense
