"""Push alerts in process: the bot's scheduler and its jobs (bot/scheduler.py), the alert Sender
running its loop, the real Bot session to the fake Bot API. (Was tests/e2e/test_alerts_e2e.py;
the kill -9 mid-delivery test stays there: a SIGKILL needs a process.)

Where the process test waited for the scheduler's next runs (an interval of seconds each), the
runs here are the scheduler's own jobs (its function and arguments) called at once: the same
lease, the same run, the same outcome, without the wait."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.kernel.alerts import AlertType
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.inproc.helpers import (
    QUIET_JOBS,
    FullLog,
    http_get,
    metric,
    per_chat,
    run_scheduled,
    scheduled,
    sender_for,
    sending,
    wait_until,
    whales_buy,
)
from tests.unit.conftest import MakeDispatch

COINGLASS_KEY = "cg-test-key-123456"


async def test_bias_push_comes_within_one_interval_and_not_again_while_unchanged(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    whales_buy(vendors)
    dispatch = await make_dispatch(**{**QUIET_JOBS, "bias_interval_seconds": 2})
    services = dispatch.services
    await services.subscriptions.set(2001, [AlertType.BIAS], active=True)
    await services.subscriptions.set(2002, [AlertType.SNIPER], active=True)  # not bias
    async with sending(sender_for(dispatch)):
        async with scheduled(services):  # the first run is at start
            [push] = await telegram.wait_for_messages(1, chat_id=2001, timeout=10)
        parse_html(push)
        assert "Bias changed" in push
        assert "SOL institutional bias: LONG</b>" in push  # a whale buy + 73 Greed
        assert "whale buys: 1 in the last 60 min" in push
        assert "Missing: Spot-ETF flow: needs a CoinGlass key (ask the bot's operator)" in push
        # The pushed call says what it is checked from, and the record keeps that price.
        assert "Called at <b>142.35</b> (OKX)" in push and "/performance bias" in push
        stored = [
            c
            for c in await services.calls.store.between(datetime.now(UTC) - timedelta(hours=1))
            if c.kind == "bias" and c.symbol == "SOL"
        ]
        assert stored and {c.price for c in stored} == {Decimal("142.35")}
        # Three more runs see the same calls: nothing more is sent.
        for _ in range(3):
            await run_scheduled(services, "bias")
        assert metric(services, "job_runs_total", job="bias") == 4
        await asyncio.sleep(0.5)  # a delivery queued by the last run would be out by now
    assert telegram.sent_texts(2001) == [push]
    assert telegram.sent_texts(2002) == []
    assert metric(services, "alert_lag_seconds_count", type="bias") == 1


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_rate_limited_and_blocked_chats_each_get_exactly_one_message(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors, log: FullLog
) -> None:
    whales_buy(vendors)
    chats = list(range(3001, 3041))
    blocked = 3040
    dispatch = await make_dispatch(**{**QUIET_JOBS, "bias_interval_seconds": 3600})
    services = dispatch.services
    for chat in chats:
        await services.subscriptions.set(chat, [AlertType.BIAS], active=True)
    telegram.send_limit_per_second = 10  # the bot paces at 25/s: Telegram answers 429
    telegram.fail("sendMessage", "error_403_blocked.json", chat_id=blocked, times=1)
    async with sending(sender_for(dispatch)):
        await run_scheduled(services, "bias")  # the one run of a 3600 s interval
        await telegram.wait_for(lambda: len(per_chat(telegram)) == len(chats) - 1, timeout=30)
        await asyncio.sleep(1.5)  # anything sent twice would show by now
    assert telegram.rate_limited > 0  # the scenario did happen
    counts = per_chat(telegram)
    assert set(counts) == set(chats) - {blocked}
    assert set(counts.values()) == {1}
    assert "alert sender pauses 1" in log
    assert await services.subscriptions.of_chat(blocked) == []  # 403: deactivated
    assert await services.subscriptions.of_chat(3001) == [AlertType.BIAS]


async def test_etf_behind_a_paywall_the_sniper_still_maps_and_says_etf_was_missing(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/etf/solana/flow-history",
        Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}),
    )
    dispatch = await make_dispatch(
        **{**QUIET_JOBS, "sniper_interval_seconds": 2}, coinglass_api_key=COINGLASS_KEY
    )
    services = dispatch.services
    await services.subscriptions.set(5001, [AlertType.SNIPER], active=True)
    async with sending(sender_for(dispatch)):
        async with scheduled(services):  # the first run is at start
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
        assert "➖ Spot-ETF inflow (optional): not checked (module missing)" in push
        assert "Missing: Spot-ETF flow: not in your CoinGlass plan" in push
        assert metric(services, "sniper_soft_fail_total", module="etf") >= 1
        # The same setup on the next runs is not pushed again.
        for _ in range(2):
            await run_scheduled(services, "sniper")
        assert metric(services, "job_runs_total", job="sniper") == 3
        await asyncio.sleep(0.5)  # a delivery queued by the last run would be out by now
    assert telegram.sent_texts(5001) == [push]
    # /sniper shows the same map on demand, in the asker's language.
    await dispatch.command("/sniper", chat_id=5002, language_code="id")
    [asked] = telegram.sent_texts(5002)
    assert "Sniper SOL · setup long 5m" in asked and "Entry: <b>141,88</b>" in asked


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_all_main_modules_failing_warns_the_admins_once_then_says_recovered_once(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """The scheduler's own clock here (1 s interval, 1 s backoff cap): how often the job runs
    while it backs off is part of what is tested."""
    broken = (
        "/api/v5/market/trades",  # whales (no CoinGlass key: OKX trades)
        "/api/v5/rubik/stat/contracts/open-interest-history",  # heatmap (the free estimate)
        "/api/v5/market/books",  # order book, then its Binance fallback
        "/api/v3/depth",
    )
    for path in broken:
        vendors.fail(path, Fault(status=500, body={"code": "50001", "msg": "Service unavailable"}))
    dispatch = await make_dispatch(
        **{**QUIET_JOBS, "sniper_interval_seconds": 1},
        job_backoff_max_seconds=1,
        breaker_open_seconds=1,
        admin_ids=[1, 2],
    )
    services = dispatch.services

    def sniper_runs(result: str) -> float:
        return metric(services, "job_runs_total", job="sniper", result=result)

    async with sending(sender_for(dispatch)), scheduled(services):
        await telegram.wait_for(
            lambda: len(telegram.sent_texts(1)) == len(telegram.sent_texts(2)) == 1, timeout=20
        )
        [warning] = telegram.sent_texts(1)
        assert "Sniper job</b> is unhealthy" in warning
        assert "Whales: OKX is having trouble on its side" in warning  # its 500s
        assert "Order book data: Binance is having trouble on its side" in warning  # the last
        assert telegram.sent_texts(2) == [warning]  # every admin, in private
        code, health = await http_get(services, "/healthz")
        assert code == 503
        assert health["jobs"]["sniper"]["healthy"] is False
        failed_runs = sniper_runs("failed")
        await wait_until(lambda: sniper_runs("failed") >= failed_runs + 2, timeout=20)
        assert len(telegram.sent_texts(1)) == 1  # still failing: no second warning
        vendors.clear()
        await telegram.wait_for(
            lambda: len(telegram.sent_texts(1)) == len(telegram.sent_texts(2)) == 2, timeout=20
        )
        assert "Sniper job</b> recovered" in telegram.sent_texts(1)[1]
        ok_runs = sniper_runs("ok")
        await wait_until(lambda: sniper_runs("ok") >= ok_runs + 2, timeout=20)
        assert len(telegram.sent_texts(1)) == 2  # healthy again: nothing more
        assert metric(services, "job_healthy", job="sniper") == 1
        code, health = await http_get(services, "/healthz")
        assert health["jobs"]["sniper"]["healthy"] is True


async def test_a_pushed_call_carries_its_chart_and_its_track_record(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """📈 draws the coin with the call's own price marked (not today's live map); 📊 is the
    record of that kind of call, as /performance bias shows it."""
    whales_buy(vendors)
    now = int(datetime.now(UTC).timestamp()) // 60 * 60_000
    vendors.set_candles("SOL-USDT", [(now - n * 60_000, 142, 143, 141, 142.35) for n in range(300)])
    dispatch = await make_dispatch(**{**QUIET_JOBS, "bias_interval_seconds": 2})
    services = dispatch.services
    await services.subscriptions.set(2101, [AlertType.BIAS], active=True)
    async with sending(sender_for(dispatch)), scheduled(services):
        await telegram.wait_for_messages(1, chat_id=2101, timeout=10)
    [push] = [c for c in telegram.calls_to("sendMessage", ok=True) if c.params["chat_id"] == "2101"]
    buttons = dispatch.buttons(push)
    assert set(buttons) >= {"📈 SOL", "📊 Track record"}
    await dispatch.press_button("📈 SOL", push, user_id=2101)
    [photo] = [c for c in telegram.calls_to("sendPhoto", ok=True) if c.params["chat_id"] == "2101"]
    assert "Marked: the LONG call of " in photo.params["caption"]
    assert ", at 142.35." in photo.params["caption"]
    await dispatch.press_button("📊 Track record", push, user_id=2101)
    record = telegram.sent_texts(2101)[-1]
    assert record.startswith("<b>Institutional bias · track record</b>")
    assert "Calls: 1 made · 1 pushed · 1 still being graded" in record  # the call just pushed
    assert not dispatch.logs.errors


async def test_a_forged_call_on_a_chart_button_is_a_plain_chart(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch()
    await dispatch.press("ch:SOL-USDT:1h:<script>", chat_id=2102)
    await dispatch.press("ch:SOL-USDT:1h:s99999999999999", chat_id=2102)
    assert not dispatch.logs.errors
    for answer in dispatch.answers():
        assert "went wrong" not in str(answer.params.get("text", ""))
