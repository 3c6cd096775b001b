"""kill -9 in the middle of a broadcast, with the default DELIVERY_CLAIM_SECONDS (120): the
same instance (same host, same HTTP_PORT), restarted, sends the rest within seconds, because
it takes its own claims back at once; before, the rest waited up to two minutes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

from services.kernel.alerts import AlertType
from tests.e2e.alerts import subscribe, wait_sent, whales_buy
from tests.e2e.conftest import StartBot
from tests.fakes.outage_matrix import Matrix, matrix_fixture, seconds
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

matrix = matrix_fixture("kill -9 mid-broadcast, default DELIVERY_CLAIM_SECONDS (120 s)")


def per_chat(telegram: FakeTelegram) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in telegram.calls_to("sendMessage", ok=True)
        if int(c.params["chat_id"]) > 1000
    )


async def test_a_restarted_bot_resends_what_it_was_sending_within_seconds(
    start_bot: StartBot,
    telegram: FakeTelegram,
    vendors: FakeVendors,
    tmp_path: Path,
    matrix: Matrix,
) -> None:
    whales_buy(vendors)
    chats = list(range(9001, 9061))
    await subscribe(tmp_path, chats, [AlertType.BIAS])
    telegram.hold_sends_after = 20  # later sends hang unanswered: claimed, in flight
    env = {"BIAS_INTERVAL_SECONDS": "3600", "TELEGRAM_GLOBAL_PER_SECOND": "100"}
    bot = await start_bot(**env)
    await telegram.wait_for(lambda: telegram.held > 0, timeout=20)
    await wait_sent(tmp_path, 20)
    await bot.kill()  # SIGKILL: its claims stay in the database, nothing released
    telegram.release_sends()
    started = time.monotonic()
    await start_bot(**env, HTTP_PORT=str(bot.http_port))  # the same instance
    await telegram.wait_for(lambda: len(per_chat(telegram)) == len(chats), timeout=30)
    took = time.monotonic() - started
    await asyncio.sleep(1.5)
    counts = per_chat(telegram)
    assert set(counts) == set(chats) and set(counts.values()) == {1}
    assert took < 20, f"resumed after {took:.1f}s"  # start-up included; was up to 120 s
    matrix.record("kill -9", "rest sent after restart", seconds(took) + " (start-up included)")
    matrix.record("kill -9", "lost / twice", "0 / 0")
