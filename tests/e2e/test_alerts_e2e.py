"""Push alerts and a SIGKILL: the real bot process killed mid-delivery, restarted, every chat
ends with exactly one copy. (The other push scenarios run in process:
tests/inproc/test_alert_pushes.py.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from services.kernel.alerts import AlertType
from tests.e2e.alerts import metric, subscribe, wait_sent, whales_buy
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors


def per_chat(telegram: FakeTelegram) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in telegram.calls_to("sendMessage", ok=True)
        if int(c.params["chat_id"]) > 1000
    )


async def test_killed_mid_delivery_every_chat_ends_with_exactly_one_copy(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    whales_buy(vendors)
    chats = list(range(4001, 4201))
    await subscribe(tmp_path, chats, [AlertType.BIAS])
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
