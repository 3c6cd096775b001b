"""Capability discovery: a 404 on the primary route is healed by a known alias, remembered;
no working route at all is `missing`, with the module's controlled code in the log."""

from __future__ import annotations

import asyncio
import io

import pytest

from services.discovery import probe
from services.kernel.errors import DataUnavailableError, Reason
from services.kernel.logging import setup_logging
from services.kernel.symbols import parse_symbol
from services.market.heatmap.service import HeatmapRange
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import Build

pytestmark = pytest.mark.usefixtures("fast_backoff")

ETF = "/api/etf/bitcoin/flow-history"
ETF_ALIAS = "/api/bitcoin/etf/flow-history"
HEATMAP = "/api/futures/liquidation/heatmap/model1"
AGGREGATED = "/api/futures/liquidation/aggregated-heatmap/model1"
NOT_FOUND = Fault(status=404, fixture=("coinglass", "error_404_endpoint_not_found.json"))


async def test_a_moved_route_is_found_among_aliases_and_remembered(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(ETF, NOT_FOUND)
    vendors.fail(ETF_ALIAS, Fault(fixture=("coinglass", "etf_bitcoin_flow_history.json")))
    services = await build(coinglass_api_key="k", etf_cache_ttl_seconds=0.001)
    flows = await services.etf.bitcoin()
    assert flows.days[-1].reported == 2
    assert services.routes.current("coinglass:etf_bitcoin") == ETF_ALIAS
    await asyncio.sleep(0.01)  # past the 1 ms TTL
    await services.etf.bitcoin()
    assert vendors.count(ETF) == 1  # the old route is not asked again
    assert vendors.count(ETF_ALIAS) == 2


async def test_an_alias_can_rewrite_its_parameters(build: Build, vendors: FakeVendors) -> None:
    vendors.fail(HEATMAP, NOT_FOUND)
    vendors.fail(
        AGGREGATED, Fault(fixture=("coinglass", "liquidation_heatmap_model1_SOLUSDT.json"))
    )
    services = await build(coinglass_api_key="k")
    report = await services.heatmap.heatmap(parse_symbol("SOL"), HeatmapRange.H12)
    assert report.modelled
    [call] = [c for c in vendors.calls if c.path == AGGREGATED]
    assert call.query == {"symbol": "SOL", "range": "12h"}  # a coin, and no exchange


async def test_no_route_answering_is_missing_with_its_code_in_the_log(
    build: Build, vendors: FakeVendors
) -> None:
    log = io.StringIO()
    setup_logging("INFO", [], stream=log)
    for path in (ETF, ETF_ALIAS, "/api/etf/bitcoin/flows"):
        vendors.fail(path, NOT_FOUND)
    services = await build(coinglass_api_key="k")
    with pytest.raises(DataUnavailableError) as info:
        await services.etf.bitcoin()
    assert info.value.failures == [("CoinGlass", Reason.MISSING)]
    assert "ETF_NOT_AVAILABLE" in log.getvalue()
    status = services.status.get("etf")
    assert status is not None and status.reason is Reason.MISSING


async def test_probe_checks_every_module_once_and_sets_their_status(
    build: Build, vendors: FakeVendors
) -> None:
    vendors.fail(HEATMAP, Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}))
    services = await build(coinglass_api_key="k", feature_options="off")
    results = await probe(services)
    assert set(results) == {
        "ticker", "spot_ob", "whale", "sentiment", "etf", "heatmap", "options", "funding", "oi"
    }  # fmt: skip
    assert results.pop("options") == "disabled"  # a disabled module is not called
    assert all(v == "ok" for v in results.values())  # the heatmap fell back to OKX
    heatmap = services.status.get("heatmap")
    assert heatmap is not None and heatmap.reason is Reason.PLAN and heatmap.source == "OKX"
    for module in ("ticker", "spot_ob", "whale", "sentiment", "etf"):
        status = services.status.get(module)
        assert status is not None and status.checked, module
