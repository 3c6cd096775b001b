"""The read-only JSON API on the running bot: keys, a per-key limit, the chat's models with
their provenance, problems with the chat's reasons, one upstream call for a burst, and an
OpenAPI document generated from the same models."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bot.api.alert_routes import ChatAlerts
from bot.api.problems import Problem
from bot.api.routes import API_ROUTES
from services.kernel.models import Ticker
from services.signals.rules.service import RuleService
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors, Fault
from tests.inproc.api_server import KEY  # in tests/conftest.py SECRETS: never logged
from tests.inproc.helpers import bot_settings, run_bot

BULK = "/api/v5/market/tickers"


async def get(settings: Any, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
        return await client.get(path, headers=headers)


async def test_a_key_is_required_and_a_refusal_costs_no_vendor_call(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY)
    async with run_bot(settings, telegram, monkeypatch):
        before = len(vendors.calls)
        missing = await get(settings, "/api/v1/ticker/SOL")
        wrong = await get(settings, "/api/v1/ticker/SOL", **{"X-API-Key": "nope"})
        assert len(vendors.calls) == before
        by_header = await get(settings, "/api/v1/ticker/SOL", **{"X-API-Key": KEY})
        by_bearer = await get(settings, "/api/v1/ticker/sol", Authorization=f"Bearer {KEY}")
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["status"] == 401
    for answer in (by_header, by_bearer):
        assert answer.status_code == 200
        ticker = Ticker.model_validate(answer.json())  # the chat's own model
        assert str(ticker.last) == "142.35" and ticker.source == "OKX" and not ticker.stale


async def test_each_key_has_its_own_limit_and_is_told_when_to_come_back(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(
        telegram, vendors, tmp_path, api_keys=f"{KEY},other-key-77", api_rate_per_minute=3
    )
    async with run_bot(settings, telegram, monkeypatch):
        codes = [
            (await get(settings, "/api/v1/status", **{"X-API-Key": KEY})).status_code
            for _ in range(4)
        ]
        refused = await get(settings, "/api/v1/status", **{"X-API-Key": KEY})
        other = await get(settings, "/api/v1/status", **{"X-API-Key": "other-key-77"})
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61
    assert other.status_code == 200


async def test_problems_carry_the_reasons_and_a_burst_is_one_upstream_call(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = {"api_rate_per_minute": 500, "ticker_cache_ttl_ms": 60_000}
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY, **quiet)
    auth = {"X-API-Key": KEY}
    async with run_bot(settings, telegram, monkeypatch):
        asks = [get(settings, "/api/v1/ticker/BTC", **auth) for _ in range(50)]
        burst = await asyncio.gather(*asks)
        after_burst = vendors.count(BULK)
        unknown = await get(settings, "/api/v1/ticker/NOTACOIN", **auth)
        vendors.fail(BULK, Fault(status=500))
        down = await get(settings, "/api/v1/ticker/SOL-PERP", **auth)  # the swap list: not kept
    assert {r.status_code for r in burst} == {200}
    assert after_burst == 1  # fifty API calls, one upstream call
    assert unknown.status_code == 404 and unknown.json()["title"] == "unknown symbol"
    assert down.status_code == 503
    assert down.json()["failures"][0] == {"source": "OKX", "reason": "error"}


async def test_without_keys_there_is_no_api(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path)
    async with run_bot(settings, telegram, monkeypatch):
        assert (await get(settings, "/api/v1/ticker/SOL", **{"X-API-Key": KEY})).status_code == 404
        assert (await get(settings, "/openapi.json")).status_code == 404


async def test_the_openapi_document_is_generated_from_the_served_models(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY)
    async with run_bot(settings, telegram, monkeypatch):
        document = (await get(settings, "/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/ticker/{symbol}", "/api/v1/status", "/api/v1/jobs"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    ticker = document["paths"]["/api/v1/ticker/{symbol}"]["get"]
    ref = ticker["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/Ticker"
    assert {"last", "source", "as_of", "stale"} <= set(schemas["Ticker"]["properties"])
    for path in document["paths"].values():  # every reference resolves
        for operation in path.values():
            bodies = [*operation["responses"].values(), operation.get("requestBody", {})]
            for content in (c for body in bodies for c in body.get("content", {}).values()):
                schema = content["schema"]
                refs = (
                    [schema["$ref"]] if "$ref" in schema else [s["$ref"] for s in schema["oneOf"]]
                )
                assert all(ref.split("/")[-1] in schemas for ref in refs)
    compat = document["paths"]["/advanced/liquidation/heatmap/{symbol}"]["get"]
    assert {p["name"] for p in compat["parameters"]} == {"symbol", "timeframe"}  # its names
    assert "/gpts/advanced" in document["paths"]


GARBAGE = ["SOL", "<b>SOL</b>", "%20", "x" * 300, "SOL;DROP TABLE chats", "🚀", "BTC-USDT-SWAP"]


async def test_every_documented_endpoint_answers_its_model_or_a_documented_problem(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a property-based runner would do with the document, by hand: every endpoint with
    good and hostile values in each parameter; a 200 is its model, anything else a problem
    whose status the document lists, and never a 5xx but 503 (a source failing)."""
    # OKX's own pace (20 requests per 2 s) is not what this test is about: 70 hostile requests
    # in a couple of seconds used it up on a fast run, and the whales' 200 became a 503 "paced".
    settings = bot_settings(
        telegram,
        vendors,
        tmp_path,
        api_keys=KEY,
        api_rate_per_minute=10_000,
        okx_requests_per_2s=1000,
    )
    auth = {"X-API-Key": KEY}
    seen: list[tuple[str, int]] = []
    async with run_bot(settings, telegram, monkeypatch):
        document = (await get(settings, "/openapi.json")).json()
        for route in API_ROUTES:
            operation = document["paths"]["/api/v1" + route.path]["get"]
            documented = {int(code) for code in operation["responses"]}
            for value in GARBAGE:
                path = "/api/v1" + route.path.replace("{symbol}", quote(value, safe=""))
                hostile = value != "SOL"  # the good case: a symbol, query left to its defaults
                query = {p.name: value for p in route.params if p.where == "query" and hostile}
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{settings.http_port}"
                ) as client:
                    answer = await client.get(path, params=query, headers=auth)
                seen.append((route.operation_id, answer.status_code))
                assert answer.status_code in documented, (path, query, answer.text[:300])
                assert answer.status_code < 500 or answer.status_code == 503
                if answer.status_code == 200:
                    route.model.model_validate_json(answer.text)
                else:
                    assert answer.headers["content-type"].startswith("application/problem+json")
                    Problem.model_validate_json(answer.text)
    answered = {op for op, code in seen if code == 200}
    assert answered >= {"getTicker", "getOrderBook", "getWhales", "getSniper", "getStatus"}
    assert answered >= {"getFunding", "getFundingScreen", "getOpenInterest", "getDerivatives"}


def test_query_parameters_are_held_to_what_the_document_says(api: str) -> None:
    """Each documented query parameter is read on its own and must be one of its values: a
    coin in `kind` is refused, not answered as that coin's record."""
    headers = {"X-API-Key": KEY}
    coin_as_kind = httpx.get(f"{api}/api/v1/performance?kind=SOL", headers=headers)
    assert coin_as_kind.status_code == 400
    assert coin_as_kind.json()["detail"] == "'SOL': one of bias, sniper, whale"
    blank = httpx.get(f"{api}/api/v1/whale?symbol=%20", headers=headers)
    assert blank.status_code == 400 and blank.json()["title"] == "empty parameter"
    asked = httpx.get(f"{api}/api/v1/performance?kind=sniper&period=7d", headers=headers)
    assert asked.status_code == 200
    assert [(r["kind"], r["days"]) for r in asked.json()["records"]] == [("sniper", 7)]


def test_a_method_the_api_does_not_serve_is_a_405_saying_which_it_does(api: str) -> None:
    answer = httpx.post(f"{api}/api/v1/ticker/SOL", headers={"X-API-Key": KEY})
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, HEAD"
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_chats_alerts_are_listed_nearest_first_with_the_price_now(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY)
    async with run_bot(settings, telegram, monkeypatch) as running:
        rules: RuleService = running.dispatcher["rules"]
        for text in ("SOL above 160 take profit", "SOL below 140", "SOL move 3% 15m"):
            await rules.create(428756321, 428756321, False, text)
        answer = await get(settings, "/api/v1/alerts/428756321", **{"X-API-Key": KEY})
        empty = await get(settings, "/api/v1/alerts/-1001234567890", **{"X-API-Key": KEY})
        garbage = await get(settings, "/api/v1/alerts/abc", **{"X-API-Key": KEY})
        huge = await get(settings, f"/api/v1/alerts/{2**70}", **{"X-API-Key": KEY})
        refused = await get(settings, "/api/v1/alerts/428756321")
    assert answer.status_code == 200
    body = ChatAlerts.model_validate(answer.json())
    assert (body.chat_id, body.count, body.limit, body.source) == (428756321, 3, 30, "OKX")
    # 142.35 now: 140 is 1.65% away, 160 is 12.4%; the move has no distance and comes last.
    assert [(a.kind, a.side, a.level or a.move_pct) for a in body.alerts] == [
        ("level", "below", Decimal(140)),
        ("level", "above", Decimal(160)),
        ("move", "both", Decimal(3)),
    ]
    assert body.alerts[0].distance_pct is not None and round(body.alerts[0].distance_pct, 2) == (
        Decimal("1.65")
    )
    assert body.alerts[1].note == "take profit" and body.alerts[0].price == Decimal("142.35")
    assert empty.status_code == 200 and empty.json()["alerts"] == [] and empty.json()["limit"] == 50
    for bad in (garbage, huge):
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
    assert refused.status_code == 401


async def test_derivatives_are_the_chats_models_and_a_failing_module_is_null_with_its_reason(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY)
    auth = {"X-API-Key": KEY}
    async with run_bot(settings, telegram, monkeypatch):
        funding = await get(settings, "/api/v1/funding/SOL", **auth)
        screen = await get(settings, "/api/v1/funding", **auth)
        oi = await get(settings, "/api/v1/oi/SOL?window=1h", **auth)
        vendors.fail("/api/v5/public/funding-rate", Fault(status=503))
        vendors.derivatives.binance_refused = True  # OKX alone, so its failure shows
        both = await get(settings, "/api/v1/deriv/BTC", **auth)
        vendors.fail("/api/v5/public/open-interest", Fault(status=503))
        neither = await get(settings, "/api/v1/deriv/ETH", **auth)
    assert funding.status_code == 200
    body = funding.json()
    assert body["now"]["instrument"]["market"] == "swap" and body["source"] == "OKX"
    assert Decimal(body["now"]["annualised"]) == Decimal("0.0000612253781406") * 1095
    assert screen.json()["contracts"] == 3
    assert oi.json()["window"] == "1h" and Decimal(oi.json()["coins"]) > 0
    assert both.status_code == 200
    assert both.json()["funding"] is None and both.json()["open_interest"]["coins"] == "25000"
    assert both.json()["missing"] == {"funding": "OKX error, Binance futures region"}
    assert neither.status_code == 503
    assert neither.headers["content-type"].startswith("application/problem+json")
