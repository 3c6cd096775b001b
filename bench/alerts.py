"""The alerts chats set, at scale: 100,000 alerts over 300 symbols (SQLite, or the PostgreSQL of
DATABASE_URL when it is set), the alerts job (services/jobs/rules_job.py) against the fake OKX,
its messages through the outbox and the sender to the fake Bot API.

Prints one JSON line:
- `pass_cpu_ms` p50/p95: the CPU one evaluation pass costs the bot's own thread with nothing
  firing (reload, the bulk prices read and parsed, the engine, the pass's write), the fake OKX
  serving from another thread; `engine_cpu_ms`: the engine's evaluation alone. Target < 50 ms.
- `okx_calls_per_pass`: requests to OKX per pass. Target: 1 per instrument type (spot only
  here: 1).
- `lag_s` p50/p95: from a scripted crossing at the fake OKX to the message at the fake Bot API,
  with the job on its default 5 s interval and the sender running. Target p95 < 5 s.
- `burst`: 1,000 alerts of 200 chats crossed at once: messages, fires lost and doubled, 429s
  (the fake Bot API enforces 30 messages/s overall). Target: 200 messages (one per chat), 0
  lost, 0 doubled, 0 429s.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger
from sqlalchemy import func, insert, select

from bench.burst import serve_in_thread
from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.container import Services, build_services
from services.jobs.rules_job import RulesJob
from services.kernel.rule_model import RuleKind, Side, Status
from services.kernel.settings import Settings
from services.market.funding.service import FundingService
from services.market.oi.service import OiService
from services.signals.rules.readings import DerivReadings
from services.storage.tables import FireRow, RuleRow
from services.vendors.okx import OkxClient
from tests.conftest import vendor_settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

SYMBOLS = [f"C{n:03d}-USDT" for n in range(300)]
ALERTS = int(os.environ.get("BENCH_ALERTS", "100000"))
CHATS = 20_000
PASSES = 20
INTERVAL = 5.0  # ALERT_CHECK_SECONDS' default
CROSSINGS = int(os.environ.get("BENCH_CROSSINGS", "20"))
CROSSING_SPAN = 45.0  # the crossings land at random moments within this many seconds
BURST_ALERTS, BURST_CHATS = 1000, 200
TELEGRAM_LIMIT = 30.0
TICKER_TTL = 0.35  # past the bulk list's cache, so each pass asks OKX again


def rows(now: datetime) -> list[dict[str, Any]]:
    """Levels 5-55 % above or below 100: none fires while every price stays at 100."""
    made = []
    for n in range(ALERTS):
        above = n % 2 == 0
        away = Decimal(5 + n % 50) / 100
        made.append(
            {
                "chat_id": 1_000_000 + n % CHATS,
                "created_by": None,
                "symbol": SYMBOLS[n % len(SYMBOLS)],
                "kind": RuleKind.LEVEL.value,
                "direction": (Side.ABOVE if above else Side.BELOW).value,
                "level": Decimal(100) * (1 + away if above else 1 - away),
                "note": "",
                "expires_at": now + timedelta(days=30),
                "reminded": False,
                "status": Status.ACTIVE.value,
                "armed": True,
                "fires": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    return made


async def add(services: Services, made: list[dict[str, Any]]) -> None:
    async with services.db.sessions() as session, session.begin():
        for start in range(0, len(made), 5000):
            await session.execute(insert(RuleRow), made[start : start + 5000])


def job(services: Services) -> RulesJob:
    return RulesJob(
        services.rules.store,
        services.outbox,
        services.ticker,
        services.vendors.get(OkxClient),
        services.metrics,
        INTERVAL,
        services.settings.alert_max_per_minute,
        DerivReadings(services.modules.get(FundingService), services.modules.get(OiService)),
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def quiet_passes(alerts: RulesJob, vendors: FakeVendors) -> dict[str, Any]:
    await alerts.run()  # the first pass loads every alert
    cpu, engine, calls = [], [], []
    evaluate = alerts.engine.evaluate

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return evaluate(*args, **kwargs)
        finally:
            engine.append((time.thread_time() - started) * 1000)

    alerts.engine.evaluate = timed  # type: ignore[method-assign]
    for _ in range(PASSES):
        await asyncio.sleep(TICKER_TTL)
        before = vendors.count("/api/v5/market/tickers")
        started = time.thread_time()
        queued = await alerts.run()
        cpu.append((time.thread_time() - started) * 1000)
        calls.append(vendors.count("/api/v5/market/tickers") - before)
        assert queued == 0, "nothing was to fire"
    alerts.engine.evaluate = evaluate  # type: ignore[method-assign]
    return {
        "pass_cpu_ms": {"p50": round(pct(cpu, 0.5), 1), "p95": round(pct(cpu, 0.95), 1)},
        "engine_cpu_ms": {"p50": round(pct(engine, 0.5), 2), "p95": round(pct(engine, 0.95), 2)},
        "okx_calls_per_pass": max(calls),
        "alerts_loaded": len(alerts.engine),
    }


async def lag(
    services: Services, alerts: RulesJob, vendors: FakeVendors, telegram: FakeTelegram
) -> dict[str, Any]:
    """Crossings at random moments while the job runs every INTERVAL, as scheduled."""
    probes = random.Random(7).sample(SYMBOLS, CROSSINGS)
    chats = [9_000_000 + n for n in range(CROSSINGS)]
    for chat, symbol in zip(chats, probes, strict=True):
        await services.rules.create(chat, chat, False, f"{symbol} above 101")
    crossed: dict[int, float] = {}
    arrived: dict[int, float] = {}

    async def cross(chat: int, symbol: str, at: float) -> None:
        await asyncio.sleep(at)
        crossed[chat] = time.monotonic()
        vendors.set_last(symbol, "101.5")

    async def every_interval() -> None:
        while True:
            started = time.monotonic()
            await alerts.run()
            await asyncio.sleep(max(0.0, INTERVAL - (time.monotonic() - started)))

    rng = random.Random(11)
    loop = asyncio.create_task(every_interval())
    crossings = [
        asyncio.create_task(cross(c, s, rng.uniform(0, CROSSING_SPAN)))
        for c, s in zip(chats, probes, strict=True)
    ]
    await asyncio.gather(*crossings)
    deadline = time.monotonic() + 3 * INTERVAL
    while len(arrived) < CROSSINGS and time.monotonic() < deadline:
        for call in telegram.calls_to("sendMessage", ok=True):
            chat = int(call.params["chat_id"])
            if chat in crossed and chat not in arrived:
                arrived[chat] = call.at
        await asyncio.sleep(0.05)
    loop.cancel()
    lags = [arrived[c] - crossed[c] for c in arrived]
    return {
        "lag_s": {
            "p50": round(pct(lags, 0.5), 2) if lags else None,
            "p95": round(pct(lags, 0.95), 2) if lags else None,
            "n": len(lags),
            "missed": CROSSINGS - len(lags),
        }
    }


async def burst(
    services: Services, alerts: RulesJob, vendors: FakeVendors, telegram: FakeTelegram
) -> dict[str, Any]:
    symbol = "C299-USDT"
    chats = [8_000_000 + n for n in range(BURST_CHATS)]
    for n in range(BURST_ALERTS):
        chat = chats[n % BURST_CHATS]
        await services.rules.create(chat, chat, False, f"{symbol} above {100.2 + n % 5 / 10:.1f}")
    await asyncio.sleep(TICKER_TTL)
    await alerts.run()  # loads them
    before = len(telegram.calls_to("sendMessage", ok=True))
    limited = telegram.rate_limited
    vendors.set_last(symbol, "101.5")
    await asyncio.sleep(TICKER_TTL)
    queued = await alerts.run()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sent = [
            c
            for c in telegram.calls_to("sendMessage", ok=True)[before:]
            if int(c.params["chat_id"]) in chats
        ]
        if len(sent) >= queued:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # anything sent twice would arrive now
    sent = [
        c
        for c in telegram.calls_to("sendMessage", ok=True)[before:]
        if int(c.params["chat_id"]) in chats
    ]
    per_chat: dict[int, int] = {}
    for call in sent:
        per_chat[int(call.params["chat_id"])] = per_chat.get(int(call.params["chat_id"]), 0) + 1
    async with services.db.sessions() as session:
        fires = await session.scalar(
            select(func.count()).select_from(FireRow).where(FireRow.chat_id.in_(chats))
        )
        carried = await session.scalar(
            select(func.count())
            .select_from(FireRow)
            .where(FireRow.chat_id.in_(chats), FireRow.alert_id.is_not(None))
        )
    told = sum(call.params["text"].count("crossed above") for call in sent)
    return {
        "burst": {
            "alerts": BURST_ALERTS,
            "chats": BURST_CHATS,
            "messages": len(sent),
            "fires_recorded": fires,
            "fires_lost": BURST_ALERTS - min(told, int(carried or 0)),
            "fires_doubled": max(0, told - BURST_ALERTS),
            "chats_told_twice": sum(1 for n in per_chat.values() if n > 1),
            "http_429": telegram.rate_limited - limited,
        }
    }


async def main() -> dict[str, Any]:
    vendors, vendor_loop = serve_in_thread()
    vendors.list_spot(SYMBOLS)
    for symbol in SYMBOLS:
        vendors.set_last(symbol, "100")
    telegram = FakeTelegram(send_limit_per_second=TELEGRAM_LIMIT)
    await telegram.start()
    database = os.environ.get("DATABASE_URL", "")
    made = ""  # the PostgreSQL database this run made, dropped at the end
    with tempfile.TemporaryDirectory() as tmp:
        if not database.startswith("postgresql"):
            database = f"sqlite+aiosqlite:///{tmp}/alerts.db"
        else:
            from tests.postgres import temporary_database

            admin = database
            database, made = await temporary_database(database)
        services = build_services(
            vendor_settings(
                vendors.base_url,
                bot_token=telegram.token,
                telegram_api_base=telegram.base_url,
                database_url=database,
                # Telegram's pace as operators run it (the test settings lift it).
                telegram_global_per_second=Settings.model_fields[
                    "telegram_global_per_second"
                ].default,
                telegram_chat_per_second=Settings.model_fields["telegram_chat_per_second"].default,
            )
        )
        await services.start()
        await add(services, rows(datetime.now(UTC)))
        alerts = job(services)
        result: dict[str, Any] = {"bench": "alerts", "alerts": ALERTS, "symbols": len(SYMBOLS)}
        result["database"] = services.db.engine.dialect.name
        result.update(await quiet_passes(alerts, vendors))
        bot = make_bot(services.settings, services, retries=False)
        sender = Sender.for_services(bot, services, make_i18n("en"))
        sending = asyncio.create_task(sender.run())
        result.update(await lag(services, alerts, vendors, telegram))
        result.update(await burst(services, alerts, vendors, telegram))
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        await sender.finish()
        await bot.session.close()
        await services.aclose()
        if made:
            from tests.postgres import drop_database

            await drop_database(admin, made)
    await telegram.stop()
    asyncio.run_coroutine_threadsafe(vendors.stop(), vendor_loop).result(10)
    vendor_loop.call_soon_threadsafe(vendor_loop.stop)
    lag_p95 = result["lag_s"]["p95"]
    b = result["burst"]
    result["target_met"] = (
        result["pass_cpu_ms"]["p95"] < 50
        and result["okx_calls_per_pass"] == 1
        and lag_p95 is not None
        and lag_p95 < 5
        and result["lag_s"]["missed"] == 0
        and b["messages"] == BURST_CHATS
        and b["fires_lost"] == 0
        and b["fires_doubled"] == 0
        and b["chats_told_twice"] == 0
        and b["http_429"] == 0
    )
    return result


if __name__ == "__main__":
    logger.remove()  # one JSON line is the output
    logger.add(sys.stderr, level="ERROR")
    print(json.dumps(asyncio.run(main())))
