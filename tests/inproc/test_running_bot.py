"""`bot.app.run()` in process, as `python -m bot` runs it once its configuration is read: the
start-up calls, /healthz and /metrics on HTTP_PORT, the jobs that run at start, and a start
while Redis is down. (Was in tests/e2e: test_telegram_e2e.py, test_jobs_e2e.py,
test_redis_e2e.py; the process's own exits stay there.)"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from bot.registry import COMMANDS
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import FullLog, bot_settings, run_bot


async def test_startup_deletes_webhook_then_publishes_commands_in_both_languages(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path)
    async with run_bot(settings, telegram, monkeypatch):
        await telegram.wait_for(lambda: len(telegram.calls_to("setMyCommands")) == 2)
        methods = [c.method for c in telegram.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    published = {
        c.params.get("language_code"): c.params["commands"]
        for c in telegram.calls_to("setMyCommands")
    }
    assert set(published) == {None, "id"}
    names = [c.name for c in COMMANDS if not c.admin_only]
    assert [c["command"] for c in published[None]] == names
    assert [c["command"] for c in published["id"]] == names
    assert published["id"][0]["description"] != published[None][0]["description"]


async def test_a_restart_sends_the_menu_only_when_it_changed(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path)
    telegram.menus["id"] = [{"command": "ticker", "description": "an older menu"}]
    async with run_bot(settings, telegram, monkeypatch):
        await telegram.wait_for(lambda: len(telegram.calls_to("setMyCommands")) == 2)
    async with run_bot(settings, telegram, monkeypatch):  # the same menu: nothing to send
        await telegram.wait_for(lambda: len(telegram.calls_to("getMyCommands")) == 4)
        telegram.push_command("/help", chat_id=42)
        await telegram.wait_for_messages(1, chat_id=42)
    assert len(telegram.calls_to("setMyCommands")) == 2
    telegram.menus["id"] = [{"command": "ticker", "description": "changed by hand"}]
    async with run_bot(settings, telegram, monkeypatch):  # only the changed language again
        await telegram.wait_for(lambda: len(telegram.calls_to("setMyCommands")) == 3)
    assert telegram.calls_to("setMyCommands")[-1].params.get("language_code") == "id"


async def test_healthz_and_metrics_are_served(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bot_settings(telegram, vendors, tmp_path)
    async with run_bot(settings, telegram, monkeypatch):
        telegram.push_command("/ticker SOL", chat_id=41)
        await telegram.wait_for_messages(1, chat_id=41)
        base = f"http://127.0.0.1:{settings.http_port}"
        async with httpx.AsyncClient(base_url=base) as client:
            health = (await client.get("/healthz")).json()
            metrics = (await client.get("/metrics")).text
    assert health["status"] == "ok" and health["modules"]["ticker"]["status"] == "ok"
    assert 'upstream_requests_total{endpoint="tickers",status="200",vendor="okx"} 1.0' in metrics
    assert 'command_seconds_count{command="ticker"} 1.0' in metrics
    assert "cache_events_total" in metrics and "telegram_api_errors_total" in metrics


async def test_probe_and_poll_run_at_start_without_any_command(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    log: FullLog,
) -> None:
    settings = bot_settings(
        telegram, vendors, tmp_path, probe_interval_seconds=600, liquidation_poll_seconds=90
    )
    async with run_bot(settings, telegram, monkeypatch):
        await telegram.wait_for(lambda: "capability probe:" in log, timeout=30)
        assert vendors.count("/api/v5/public/liquidation-orders") >= 1  # the poll job ran too
        telegram.push_command("/status", chat_id=1601)
        [status] = await telegram.wait_for_messages(1, chat_id=1601)
    assert "not used yet" not in status  # every module was tried by the probe
    # No CoinGlass key is a set-up, not a fault: the free sources read ok, the rest neutral.
    assert "Status: all systems ok" in status
    assert "🟢 <b>Sentiment data</b>: ok (free source) · alternative.me" in status
    assert "⚪ <b>ETF flow data</b>: needs a CoinGlass key (ask the bot's operator)" in status
    assert "🟢 <b>Order book data</b>: ok · OKX" in status


async def test_a_bot_started_while_redis_is_down_runs_on_its_own_cache(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    log: FullLog,
) -> None:
    """Redis keeps nothing the bot cannot rebuild: down at start-up, it is one warning (with
    the password masked), not an exit; the bot answers from its in-process cache meanwhile.
    The log read here is what the bot logs before any redaction: the password must not be in
    it at all."""
    redis_url = "redis://:redis-secret-password@127.0.0.1:1/0"
    settings = bot_settings(telegram, vendors, tmp_path, redis_url=redis_url)
    async with run_bot(settings, telegram, monkeypatch):
        telegram.push_command("/ticker SOL", chat_id=52)
        [text] = await telegram.wait_for_messages(1, chat_id=52)
    assert "142.35" in text
    assert "Cannot use Redis at" in log and "connection refused" in log
    assert "Starting with in-process cache and limits meanwhile." in log
    assert "redis-secret-password" not in log.text


@pytest.mark.redis
async def test_ticker_is_cached_in_redis(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_url: str,
) -> None:
    """With REDIS_URL the bot keeps its cache in Redis (the several-replica set-up)."""
    client = redis.from_url(redis_url)
    await client.delete("cryptobot:ticker:SOL-USDT")
    settings = bot_settings(
        telegram, vendors, tmp_path, redis_url=redis_url, ticker_cache_ttl_ms=60000
    )
    async with run_bot(settings, telegram, monkeypatch):
        telegram.push_command("/ticker SOL", chat_id=51)
        [text] = await telegram.wait_for_messages(1, chat_id=51)
    assert "142.35" in text
    stored = await client.get("cryptobot:ticker:SOL-USDT")
    await client.aclose()
    assert stored is not None and b"142.35" in stored


@pytest.mark.parametrize("in_flight", [1, 500])
async def test_updates_beyond_the_bound_wait_their_turn(
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    in_flight: int,
) -> None:
    """With one update in flight, /help waits for the slow /ob before it; with room, the
    instant answer overtakes the slow one."""
    settings = bot_settings(telegram, vendors, tmp_path, updates_in_flight=in_flight)
    async with run_bot(settings, telegram, monkeypatch):
        vendors.latency = 0.5
        telegram.push_command("/ob SOL", chat_id=51)
        telegram.push_command("/help", chat_id=52)
        await telegram.wait_for_messages(2, timeout=30)
    answers = sorted(
        (c for c in telegram.calls if c.method in ("sendMessage", "sendPhoto")),
        key=lambda c: c.at,
    )
    assert {str(c.params["chat_id"]) for c in answers} == {"51", "52"}
    first = str(answers[0].params["chat_id"])
    assert first == ("51" if in_flight == 1 else "52")
