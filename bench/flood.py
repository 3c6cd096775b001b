"""1,000 new users send /ticker SOL at once, through the real dispatcher and the fake Bot API
enforcing a per-second send limit (scaled to 200/s instead of Telegram's ~30 so the run is
short; replies paced 5% under it, as TELEGRAM_GLOBAL_PER_SECOND=25 sits under ~30).

Prints one JSON line: users answered, lost (no answer at all), answered with an error, the
429s Telegram had to send, and how long the burst took to drain.
Target: 1,000 answered, 0 lost, 0 errors, no 429 storm.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from services.container import build_services
from tests.conftest import vendor_settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import Dispatch

USERS = 1000
LIMIT = 200.0
PACE = LIMIT * 0.95


async def main() -> dict[str, object]:
    telegram = FakeTelegram(send_limit_per_second=LIMIT)
    vendors = FakeVendors()
    await telegram.start()
    await vendors.start()
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(
            vendor_settings(
                vendors.base_url,
                bot_token=telegram.token,
                telegram_api_base=telegram.base_url,
                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                telegram_global_per_second=PACE,
                telegram_chat_per_second=1.0,
                telegram_group_per_minute=20.0,
            )
        )
        await services.start()
        dispatch = await Dispatch.create(telegram, services)
        users = range(2_000_000, 2_000_000 + USERS)
        started = time.monotonic()
        await asyncio.gather(*(dispatch.command("/ticker SOL", chat_id=u) for u in users))
        seconds = time.monotonic() - started
        await dispatch.close()
        await services.aclose()
    await telegram.stop()
    await vendors.stop()
    answers = {u: telegram.sent_texts(u) for u in users}
    answered = sum(1 for texts in answers.values() if any("SOL/USDT" in t for t in texts))
    errors = sum(1 for texts in answers.values() if any("went wrong" in t for t in texts))
    lost = sum(1 for texts in answers.values() if not texts)
    return {
        "bench": "flood",
        "users": USERS,
        "limit_per_s": LIMIT,
        "paced_per_s": PACE,
        "answered": answered,
        "lost": lost,
        "errors": errors,
        "http_429": telegram.rate_limited,
        "seconds": round(seconds, 2),
        "target_met": answered == USERS
        and lost == 0
        and errors == 0
        and telegram.rate_limited <= 3,
    }


if __name__ == "__main__":
    logger.remove()  # one JSON line is the output
    logger.add(sys.stderr, level="ERROR")
    print(json.dumps(asyncio.run(main())))
