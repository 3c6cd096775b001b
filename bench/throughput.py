"""The real bot against a bare aiogram echo bot, polling the same fake Bot API: 5,000 `/ticker
SOL` updates at once, one user per update, in interleaved rounds (echo, bot, echo, bot...).

Prints one JSON line: updates/s, CPU ms per update and RSS after the burst for both, for new
users (never seen) and known users (the same chats again), and the bot/echo ratios. Prices are
cached for the whole run: this is the cost of the bot itself. BENCH_UPDATES and BENCH_ROUNDS
shorten a run. Targets: bot/echo updates/s >= 0.5 for known users, >= 0.3 for new ones.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.processes import Pair, Polled, clock, cpu_seconds, rss_mb

UPDATES = int(os.environ.get("BENCH_UPDATES", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
TEXT = "/ticker SOL"
SETTLE = 0.3  # what a burst leaves running (a batched write) is its cost too
users = itertools.count(3_000_000)


async def burst(polled: Polled, chats: list[int]) -> dict[str, float]:
    polled.replies()  # forget what came before
    tg = polled.telegram
    for chat in chats:
        tg.push_command(TEXT, chat_id=chat)
    cpu_before = cpu_seconds(polled.pid)
    started = clock()
    waiting = set(chats)
    errors = 0
    last = started
    while waiting:
        await asyncio.sleep(0.005)
        for chat, at, text in polled.replies():
            if chat in waiting:
                waiting.discard(chat)
                last = max(last, at)
                errors += "went wrong" in text
        if clock() - started > 600:
            raise SystemExit(f"{polled.name}: {len(waiting)} of {len(chats)} never answered")
    await asyncio.sleep(SETTLE)
    cpu = cpu_seconds(polled.pid) - cpu_before
    return {
        "updates_per_s": len(chats) / (last - started),
        "cpu_ms": cpu * 1000 / len(chats),
        "rss_mb": rss_mb(polled.pid),
        "errors": errors,
    }


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "updates_per_s": round(statistics.median(r["updates_per_s"] for r in runs), 1),
        "cpu_ms_per_update": round(statistics.median(r["cpu_ms"] for r in runs), 3),
        "rss_mb": round(max(r["rss_mb"] for r in runs), 1),
        "errors": int(sum(r["errors"] for r in runs)),
    }


async def main() -> dict[str, Any]:
    async with Pair() as pair:
        startup = {"bot_s": pair.bot.startup_seconds, "echo_s": pair.echo.startup_seconds}
        warm = [next(users) for _ in range(50)]
        await burst(pair.bot, warm)  # the price, the catalogue, the connections
        await burst(pair.echo, warm)
        runs: dict[str, list[dict[str, float]]] = {"echo": [], "new": [], "known": []}
        for _ in range(ROUNDS):
            chats = [next(users) for _ in range(UPDATES)]
            runs["echo"].append(await burst(pair.echo, chats))
            runs["new"].append(await burst(pair.bot, chats))
            runs["echo"].append(await burst(pair.echo, chats))
            runs["known"].append(await burst(pair.bot, chats))
    echo, new, known = (summary(runs[k]) for k in ("echo", "new", "known"))
    speed_new = new["updates_per_s"] / echo["updates_per_s"]
    speed_known = known["updates_per_s"] / echo["updates_per_s"]
    return {
        "bench": "throughput",
        "updates": UPDATES,
        "rounds": ROUNDS,
        "echo": echo,
        "bot_new_users": new,
        "bot_known_users": known,
        "speed_ratio_new": round(speed_new, 3),
        "speed_ratio_known": round(speed_known, 3),
        "cpu_ratio_new": round(new["cpu_ms_per_update"] / echo["cpu_ms_per_update"], 2),
        "cpu_ratio_known": round(known["cpu_ms_per_update"] / echo["cpu_ms_per_update"], 2),
        "startup_to_first_poll": {k: round(v, 2) for k, v in startup.items()},
        "rss_ratio": round(max(new["rss_mb"], known["rss_mb"]) / echo["rss_mb"], 2),
        "target_met": speed_known >= 0.5 and speed_new >= 0.3 and new["errors"] == 0,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
