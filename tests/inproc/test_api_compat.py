"""The earlier version's routes, kept for the custom GPT action built on them: each answers as
its /api/v1 endpoint does (the same model, key, limit and problems), with the earlier
parameter names; POST /gpts/advanced runs one operation or up to ten in the earlier envelope,
and identical bodies within 500 ms are one run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.api.compat import ALIASES, OPERATIONS, GptsBatchResult, GptsResult
from services.kernel.models import Sentiment, Ticker
from services.market.heatmap.service import HeatmapReport
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors, Fault
from tests.inproc.api_server import KEY
from tests.inproc.helpers import bot_settings, run_bot

AUTH = {"X-API-Key": KEY}
BULK = "/api/v5/market/tickers"


async def get(settings: Any, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
        return await client.get(path, headers=headers)


async def post(settings: Any, body: Any, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
        if isinstance(body, bytes):
            return await client.post("/gpts/advanced", content=body, headers=headers)
        return await client.post("/gpts/advanced", json=body, headers=headers)


@pytest.fixture
def settings(telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path) -> Any:
    return bot_settings(telegram, vendors, tmp_path, api_keys=KEY, api_rate_per_minute=500)


async def test_each_alias_answers_as_its_endpoint_with_the_earlier_names(
    settings: Any, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with run_bot(settings, telegram, monkeypatch):
        ticker = await get(settings, "/advanced/ticker/SOL", **AUTH)
        same = await get(settings, "/api/v1/ticker/SOL", **AUTH)
        sentiment = await get(settings, "/advanced/market/sentiment", **AUTH)
        heatmap = await get(settings, "/advanced/liquidation/heatmap/SOL?timeframe=12h", **AUTH)
        jobs = await get(settings, "/api/scheduler/status", **AUTH)
        bias = await get(settings, "/api/signal/institutional/SOL", **AUTH)
    assert ticker.status_code == 200 and ticker.json() == same.json()
    assert str(Ticker.model_validate(ticker.json()).last) == "142.35"
    assert 0 <= Sentiment.model_validate(sentiment.json()).score <= 100
    assert HeatmapReport.model_validate(heatmap.json()).range.value == "12h"  # timeframe=range
    assert {j["job"] for j in jobs.json()["jobs"]} >= {"bias", "sniper"}
    assert bias.json()["direction"] in ("LONG", "SHORT", "NEUTRAL")


async def test_an_alias_keeps_the_key_the_limit_and_the_problems(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path, api_keys=KEY, api_rate_per_minute=3)
    async with run_bot(settings, telegram, monkeypatch):
        before = len(vendors.calls)
        keyless = await get(settings, "/advanced/ticker/SOL")
        assert len(vendors.calls) == before  # refused before anything runs
        unknown = await get(settings, "/advanced/ticker/SOLLL", **AUTH)
        not_btc = await get(settings, "/advanced/etf/flows?asset=ETH", **AUTH)
        bad_range = await get(settings, "/advanced/liquidation/heatmap/SOL?timeframe=9y", **AUTH)
        over = await get(settings, "/advanced/market/sentiment", **AUTH)
    assert keyless.status_code == 401
    assert unknown.status_code == 404 and unknown.json()["title"] == "unknown symbol"
    assert not_btc.status_code == 400 and "only BTC" in not_btc.json()["detail"]
    assert bad_range.status_code == 400 and "one of 1h, 4h, 12h, 24h" in bad_range.json()["detail"]
    assert over.status_code == 429 and over.headers["Retry-After"]  # the fourth with the key


async def test_one_operation_answers_in_the_earlier_envelope(
    settings: Any, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with run_bot(settings, telegram, monkeypatch):
        ticker = await post(settings, {"op": "ticker", "params": {"symbol": "SOL"}}, **AUTH)
        defaults = await post(settings, {"op": "funding_rate"}, **AUTH)
        dropped = await post(
            settings, {"op": "whale_alerts", "params": {"exchange": "hyperliquid"}}, **AUTH
        )
    one = GptsResult.model_validate(ticker.json())
    assert ticker.status_code == 200 and one.ok and one.op == "ticker"
    assert one.args == {"symbol": "SOL"} and one.data is not None
    assert str(Ticker.model_validate(one.data).last) == "142.35"
    funding = GptsResult.model_validate(defaults.json())
    assert funding.ok and funding.args == {"symbol": "SOL"}  # the earlier version's default
    assert funding.data is not None and funding.data["now"]["instrument"]["base"] == "SOL"
    whales = GptsResult.model_validate(dropped.json())
    assert whales.ok and whales.args == {}  # a parameter with no meaning here is not used


async def test_a_batch_answers_each_operation_and_one_failing_fails_only_itself(
    settings: Any, telegram: FakeTelegram, vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendors.fail("/fng/", Fault(status=503))
    ops = [
        {"op": "ticker", "params": {"symbol": "BTC"}},
        {"op": "market_sentiment"},
        {"op": "ticker", "params": {"symbol": "NOPE1"}},
        {"op": "moon_phase"},
    ]
    async with run_bot(settings, telegram, monkeypatch):
        answer = await post(settings, {"ops": ops}, **AUTH)
    batch = GptsBatchResult.model_validate(answer.json())
    assert answer.status_code == 200 and not batch.ok
    ok, sentiment, unknown, moon = batch.results
    assert ok.ok and ok.data is not None
    assert not sentiment.ok and sentiment.status == 503 and sentiment.error
    assert "Traceback" not in sentiment.error
    assert not unknown.ok and unknown.status == 404 and "unknown symbol" in (unknown.error or "")
    assert not moon.ok and moon.status == 400
    assert "unknown operation 'moon_phase': one of" in (moon.error or "")
    assert all(name in (moon.error or "") for name in OPERATIONS)  # says which exist


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "not JSON"),
        ({"ops": []}, 400, "ops"),
        ({"ops": [{"op": "ticker"}] * 11}, 400, "ops"),
        ({"params": {}}, 400, "op"),
        ({"op": "x" * 65}, 400, "op"),
        (b"[" + b"1," * 20_000 + b"1]", 413, "at most"),
    ],
)
async def test_a_body_that_is_no_operation_gets_one_plain_problem(
    settings: Any,
    telegram: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    body: Any,
    status: int,
    words: str,
) -> None:
    async with run_bot(settings, telegram, monkeypatch):
        answer = await post(settings, body, **AUTH)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert words in answer.json()["title"] + answer.json().get("detail", "")


async def test_identical_bodies_within_half_a_second_are_one_run(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ticker's own cache is off (1 ms): only the body cache can make them one call."""
    settings = bot_settings(
        telegram, vendors, tmp_path, api_keys=KEY, api_rate_per_minute=500, ticker_cache_ttl_ms=1
    )
    body = {"op": "ticker", "params": {"symbol": "ETH"}}
    async with run_bot(settings, telegram, monkeypatch):
        first = await post(settings, body, **AUTH)
        before = vendors.count(BULK)
        again = [await post(settings, body, **AUTH) for _ in range(3)]
        same_calls = vendors.count(BULK) - before
        await asyncio.sleep(0.6)
        await post(settings, body, **AUTH)
        later_calls = vendors.count(BULK) - before
        keyless = await post(settings, body)
    assert all(a.json() == first.json() for a in again)
    assert same_calls == 0 and later_calls >= 1
    assert keyless.status_code == 401  # the body cache never answers without a key


def test_every_alias_and_operation_names_an_endpoint_that_exists() -> None:
    for entry in (*ALIASES, *OPERATIONS.values()):
        assert entry.route.operation_id == entry.operation_id
        names = {p.name for p in entry.route.params}
        assert set(entry.renames.values()) <= names


async def test_a_hanging_source_is_an_operations_error_within_the_deadline_not_a_hang(
    settings: Any, telegram: FakeTelegram, vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old promise on the new path: OKX's ticker lists hanging, an operation answers when
    the chat's deadline says (CoinAPI has no key here: nothing to hedge to) with the reason,
    and the other operation of the batch is not held back by it."""
    for path in (BULK, "/api/v5/market/ticker"):
        vendors.fail(path, Fault(hang=True))
    ops = [{"op": "ticker", "params": {"symbol": "SOL"}}, {"op": "market_sentiment"}]
    async with run_bot(settings, telegram, monkeypatch):
        answer = await post(settings, {"ops": ops}, **AUTH)
    ticker, sentiment = GptsBatchResult.model_validate(answer.json()).results
    assert not ticker.ok and ticker.status == 503 and "timeout" in (ticker.error or "")
    assert sentiment.ok
