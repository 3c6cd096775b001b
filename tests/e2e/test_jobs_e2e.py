"""Background jobs: the capability probe and the liquidation poll run on their own at start."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors


async def test_probe_and_poll_run_at_start_without_any_command(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    bot = await start_bot(PROBE_INTERVAL_SECONDS="600", LIQUIDATION_POLL_SECONDS="90")
    await telegram.wait_for(lambda: "capability probe:" in bot.log(), timeout=30)
    assert vendors.count("/api/v5/public/liquidation-orders") >= 1  # the poll job ran too
    telegram.push_command("/status", chat_id=1601)
    [status] = await telegram.wait_for_messages(1, chat_id=1601)
    assert "not used yet" not in status  # every module was tried by the probe
    assert "sentiment</b>: degraded (no API key set) · alternative.me" in status
    assert "etf</b>: unavailable (no API key set)" in status
    assert "spot_ob</b>: ok · OKX" in status
