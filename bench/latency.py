"""Time the bot adds over a bare aiogram echo bot, per reply, at 1 and 50 users at a time.

Each simulated user sends `/ticker SOL`, waits for the reply, and sends again; the time is from
the update entering the fake Bot API's queue to the reply reaching it (both stamped with the
same clock). Prices are cached for the whole run, so no vendor time is in the bot's figures.
Rounds alternate echo and bot. Prints one JSON line: p50/p95/p99 of both and the bot's added
time (bot minus echo) at each concurrency. BENCH_REQUESTS shortens a run.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.processes import Pair, Polled, clock, percentile

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "600"))  # per level, per bot, per half
LEVELS = (1, 50)
TEXT = "/ticker SOL"
users = itertools.count(4_000_000)


async def user(polled: Polled, chat: int, asks: int, out: list[float], inbox: Inbox) -> None:
    for _ in range(asks):
        polled.telegram.push_command(TEXT, chat_id=chat)
        sent = clock()
        answered = await inbox.reply_for(chat)
        out.append((answered - sent) * 1000)


class Inbox:
    """Replies of one bot, by chat, as they reach its fake Bot API."""

    def __init__(self, polled: Polled) -> None:
        self._polled = polled
        self._waiting: dict[int, asyncio.Future[float]] = {}
        self._task = asyncio.create_task(self._watch())

    async def reply_for(self, chat: int) -> float:
        future = self._waiting[chat] = asyncio.get_running_loop().create_future()
        return await asyncio.wait_for(future, 60)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(0.0005)
            for chat, at, _text in self._polled.replies():
                future = self._waiting.pop(chat, None)
                if future is not None and not future.done():
                    future.set_result(at)

    def close(self) -> None:
        self._task.cancel()


async def measure(polled: Polled, concurrency: int) -> list[float]:
    inbox = Inbox(polled)
    out: list[float] = []
    chats = [next(users) for _ in range(concurrency)]
    # Known users, as most are: each chat has been answered once before it is timed.
    await asyncio.gather(*(user(polled, c, 1, [], inbox) for c in chats))
    asks = max(1, REQUESTS // concurrency)
    await asyncio.gather(*(user(polled, c, asks, out, inbox) for c in chats))
    inbox.close()
    return out


def figures(values: list[float]) -> dict[str, float]:
    return {f"p{q}": round(percentile(values, q / 100), 2) for q in (50, 95, 99)}


async def main() -> dict[str, Any]:
    result: dict[str, Any] = {"bench": "latency", "requests": REQUESTS}
    async with Pair() as pair:
        await measure(pair.bot, 5)  # the price, the catalogue, the connections
        await measure(pair.echo, 5)
        for level in LEVELS:
            echo: list[float] = []
            bot: list[float] = []
            for _ in range(2):  # interleaved halves
                echo += await measure(pair.echo, level)
                bot += await measure(pair.bot, level)
            e, b = figures(echo), figures(bot)
            result[f"users_{level}"] = {
                "echo_ms": e,
                "bot_ms": b,
                "added_ms": {k: round(b[k] - e[k], 2) for k in b},
            }
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
