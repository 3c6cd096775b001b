"""One alert to 1,000 subscribed chats through the fake Bot API enforcing a global limit.

The limit is scaled (200 messages/s instead of Telegram's ~30) so the run is short. The sender
is set 5% under it, as an operator sets TELEGRAM_GLOBAL_PER_SECOND under Telegram's limit (the
default 25 under ~30): pacing at exactly a strict sliding window's limit trips it on any jitter.
Prints one JSON line: the achieved rate as a fraction of the
limit, 429s received, and messages lost or duplicated.
Target: >= 0.9 of the limit, no 429 storm, 0 lost, 0 duplicated.

It also counts what a SIGKILL at the worst moment could send twice: the sends asked of Telegram
and not yet answered (`in_flight_max`), and those answered whose "sent" mark is not committed
yet (`unrecorded_max`); `at_risk_max` is the most of both at once. The sender holds a send's
slot until its mark is committed, so `at_risk_max` stays within its IN_FLIGHT slots (target)."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from bot.app import make_bot
from bot.delivery.sender import IN_FLIGHT, Sender
from bot.i18n import make_i18n
from services.container import build_services
from tests.conftest import make_settings
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram

CHATS = 1000


class Window:
    """Counts sends at Telegram unanswered, and answered sends whose mark is not committed."""

    def __init__(self, sender: Sender) -> None:
        self.in_flight = self.unrecorded = self.in_flight_max = self.unrecorded_max = 0
        self.at_risk_max = 0
        deliveries = sender._deliveries
        ask, mark = sender._call_telegram, deliveries.sent

        async def asking(*args: Any, **kwargs: Any) -> Any:
            self.in_flight += 1
            self.in_flight_max = max(self.in_flight_max, self.in_flight)
            self.at_risk_max = max(self.at_risk_max, self.in_flight + self.unrecorded)
            try:
                return await ask(*args, **kwargs)
            finally:
                self.in_flight -= 1

        async def marking(d: Any, message_id: Any = None) -> Any:
            self.unrecorded += 1
            self.unrecorded_max = max(self.unrecorded_max, self.unrecorded)
            self.at_risk_max = max(self.at_risk_max, self.in_flight + self.unrecorded)
            try:
                return await mark(d, message_id)
            finally:
                self.unrecorded -= 1

        sender._call_telegram = asking  # type: ignore[method-assign]
        deliveries.sent = marking  # type: ignore[method-assign]


LIMIT = 200.0
PACE = LIMIT * 0.95


async def main() -> dict[str, object]:
    telegram = FakeTelegram(send_limit_per_second=LIMIT)
    await telegram.start()
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(
            make_settings(
                bot_token=telegram.token,
                telegram_api_base=telegram.base_url,
                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                telegram_global_per_second=PACE,
            )
        )
        await services.start()
        bot = make_bot(services.settings, services, retries=False)
        sender = Sender.for_services(bot, services, make_i18n("en"))
        watch = Window(sender)
        chats = list(range(10_000, 10_000 + CHATS))
        await services.outbox.publish(*bias_alert(), chats)
        await sender.drain()
        await bot.session.close()
        await services.aclose()
    await telegram.stop()
    accepted = telegram.calls_to("sendMessage", ok=True)
    counts = Counter(int(c.params["chat_id"]) for c in accepted)
    seconds = accepted[-1].at - accepted[0].at
    rate = (len(accepted) - 1) / seconds if seconds else 0.0
    return {
        "bench": "broadcast",
        "chats": CHATS,
        "limit_per_s": LIMIT,
        "paced_per_s": PACE,
        "seconds": round(seconds, 2),
        "rate_per_s": round(rate, 1),
        "fraction_of_limit": round(rate / LIMIT, 3),
        "http_429": telegram.rate_limited,
        "lost": sum(1 for c in chats if counts[c] == 0),
        "duplicated": sum(1 for c in chats if counts[c] > 1),
        "unrecorded_max": watch.unrecorded_max,
        "in_flight_max": watch.in_flight_max,
        "at_risk_max": watch.at_risk_max,
        "slots": IN_FLIGHT,
        "target_met": rate / LIMIT >= 0.9
        and telegram.rate_limited <= 3
        and len(counts) == CHATS
        and watch.at_risk_max <= IN_FLIGHT,
    }


if __name__ == "__main__":
    logger.remove()  # one JSON line is the output
    logger.add(sys.stderr, level="ERROR")
    print(json.dumps(asyncio.run(main())))
