"""Push alerts end to end: the real bot process, its scheduler and sender, the fake Bot API."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from services.chats.subscriptions import AlertKind
from tests.e2e.alerts import active, metric, subscribe, wait_metric, wait_sent, whales_buy
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault

COINGLASS_KEY = "cg-test-key-123456"


def per_chat(telegram: FakeTelegram) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in telegram.calls_to("sendMessage", ok=True)
        if int(c.params["chat_id"]) > 1000
    )


async def test_bias_push_comes_within_one_interval_and_not_again_while_unchanged(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    whales_buy(vendors)
    await subscribe(tmp_path, [2001], [AlertKind.BIAS])
    await subscribe(tmp_path, [2002], [AlertKind.SNIPER])  # not a bias subscriber
    bot = await start_bot(BIAS_INTERVAL_SECONDS="2")
    [push] = await telegram.wait_for_messages(1, chat_id=2001, timeout=10)
    parse_html(push)
    assert "Bias changed" in push
    assert "SOL institutional bias: LONG</b>" in push  # a whale buy + 73 Greed
    assert "whale buys: 1 in the last 60 min" in push
    assert "Missing: Spot-ETF flow: no API key set" in push
    # Three more runs see the same calls: nothing more is sent.
    await wait_metric(bot, 4, "job_runs_total", job="bias")
    await asyncio.sleep(0.5)  # a delivery queued by the last run would be out by now
    assert telegram.sent_texts(2001) == [push]
    assert telegram.sent_texts(2002) == []
    assert await metric(bot, "alert_lag_seconds_count", type="bias") == 1


async def test_rate_limited_and_blocked_chats_each_get_exactly_one_message(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    whales_buy(vendors)
    chats = list(range(3001, 3041))
    blocked = 3040
    await subscribe(tmp_path, chats, [AlertKind.BIAS])
    telegram.send_limit_per_second = 10  # the bot paces at 25/s: Telegram answers 429
    telegram.fail("sendMessage", "error_403_blocked.json", chat_id=blocked, times=1)
    bot = await start_bot(BIAS_INTERVAL_SECONDS="3600")
    await telegram.wait_for(lambda: len(per_chat(telegram)) == len(chats) - 1, timeout=30)
    await asyncio.sleep(1.5)  # anything sent twice would show by now
    assert telegram.rate_limited > 0  # the scenario did happen
    counts = per_chat(telegram)
    assert set(counts) == set(chats) - {blocked}
    assert set(counts.values()) == {1}
    assert "alert sender pauses 1" in bot.log()
    await bot.stop()
    assert await active(tmp_path, blocked) == []  # 403: deactivated
    assert await active(tmp_path, 3001) == ["bias"]


async def test_killed_mid_delivery_every_chat_ends_with_exactly_one_copy(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    whales_buy(vendors)
    chats = list(range(4001, 4201))
    await subscribe(tmp_path, chats, [AlertKind.BIAS])
    telegram.hold_sends_after = 80
    env = {
        "BIAS_INTERVAL_SECONDS": "3600",
        "TELEGRAM_GLOBAL_PER_SECOND": "100",
        "DELIVERY_CLAIM_SECONDS": "2",
    }
    bot = await start_bot(**env)
    await telegram.wait_for(lambda: telegram.held > 0, timeout=20)
    # The kill lands while sends hang unanswered, after what Telegram accepted is on record:
    # a kill between Telegram's answer and that commit (a few ms) would send those again,
    # which no Bot API call can prevent (there is no idempotency key).
    await wait_sent(tmp_path, 80)
    await bot.kill()  # SIGKILL: no shutdown code runs
    assert len(per_chat(telegram)) == 80
    telegram.release_sends()
    restarted = await start_bot(**env, HTTP_PORT=str(bot.http_port))
    await telegram.wait_for(lambda: len(per_chat(telegram)) == len(chats), timeout=30)
    await asyncio.sleep(1.5)
    counts = per_chat(telegram)
    assert set(counts) == set(chats)
    assert set(counts.values()) == {1}
    # The restarted replica ran the bias job again (its lease is its own) and, seeing the same
    # calls as before the kill, queued no second alert.
    assert await metric(restarted, "job_runs_total", job="bias") == 1
    assert await metric(restarted, "alert_lag_seconds_count", type="bias") == 1


async def test_etf_behind_a_paywall_the_sniper_still_maps_and_says_etf_was_missing(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    await subscribe(tmp_path, [5001], [AlertKind.SNIPER])
    vendors.fail(
        "/api/etf/bitcoin/flow-history",
        Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}),
    )
    bot = await start_bot(COINGLASS_API_KEY=COINGLASS_KEY, SNIPER_INTERVAL_SECONDS="2")
    [push] = await telegram.wait_for_messages(1, chat_id=5001, timeout=15)
    parse_html(push)
    assert "SOL sniper · 5m long setup" in push
    assert "{" not in push  # every placeholder filled
    # BTC whales bought (a long opened); SOL's whales sold, read on their own.
    assert (
        "✅ Net whale buying (BTC or SOL): BTC: whale buys: 1 in the last 60 min, "
        "largest $1.47M, total $1.47M" in push
    )
    assert "Entry: <b>141.88</b>" in push
    assert "TP1: <b>142.7</b>" in push and "TP2: <b>144.5</b>" in push
    assert "➖ BTC spot-ETF inflow (optional): not checked (module missing)" in push
    assert "Missing: Spot-ETF flow: needs a paid plan" in push
    assert await metric(bot, "sniper_soft_fail_total", module="etf") >= 1
    # The same setup on the next runs is not pushed again.
    await wait_metric(bot, 3, "job_runs_total", job="sniper")
    assert telegram.sent_texts(5001) == [push]
    # /sniper shows the same map on demand, in the asker's language.
    telegram.push_command("/sniper", chat_id=5002, language_code="id")
    [asked] = await telegram.wait_for_messages(1, chat_id=5002)
    assert "Sniper SOL · setup long 5m" in asked and "Entry: <b>141,88</b>" in asked


async def test_all_main_modules_failing_warns_the_admins_once_then_says_recovered_once(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    broken = (
        "/api/v5/market/trades",  # whales (no CoinGlass key: OKX trades)
        "/api/v5/public/liquidation-orders",  # heatmap (realized)
        "/api/v5/market/books",  # order book, then its Binance fallback
        "/api/v3/depth",
    )
    for path in broken:
        vendors.fail(path, Fault(status=500, body={"code": "50001", "msg": "Service unavailable"}))
    bot = await start_bot(
        SNIPER_INTERVAL_SECONDS="1",
        JOB_BACKOFF_MAX_SECONDS="1",
        BREAKER_OPEN_SECONDS="1",
        ADMIN_IDS="1,2",
    )
    await telegram.wait_for(
        lambda: len(telegram.sent_texts(1)) == len(telegram.sent_texts(2)) == 1, timeout=20
    )
    [warning] = telegram.sent_texts(1)
    assert "Sniper job</b> is unhealthy" in warning
    assert "Whales: error" in warning and "Order book data: error" in warning
    assert telegram.sent_texts(2) == [warning]  # every admin, in private
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.http_port}") as client:
        health = await client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["jobs"]["sniper"]["healthy"] is False
    failed_runs = await metric(bot, "job_runs_total", job="sniper", result="failed")
    await wait_metric(bot, failed_runs + 2, "job_runs_total", job="sniper", result="failed")
    assert len(telegram.sent_texts(1)) == 1  # still failing: no second warning
    vendors.clear()
    await telegram.wait_for(
        lambda: len(telegram.sent_texts(1)) == len(telegram.sent_texts(2)) == 2, timeout=20
    )
    assert "Sniper job</b> recovered" in telegram.sent_texts(1)[1]
    ok_runs = await metric(bot, "job_runs_total", job="sniper", result="ok")
    await wait_metric(bot, ok_runs + 2, "job_runs_total", job="sniper", result="ok")
    assert len(telegram.sent_texts(1)) == 2  # healthy again: nothing more
    assert await metric(bot, "job_healthy", job="sniper") == 1
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.http_port}") as client:
        assert (await client.get("/healthz")).json()["jobs"]["sniper"]["healthy"] is True
