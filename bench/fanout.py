"""Each chat its own desk, at scale: 10,000 subscribed chats with different watchlists, push
modes, time zones, quiet hours, mutes and brief times (SQLite, or the PostgreSQL of
DATABASE_URL when it is set).

Prints one JSON line:
- `decide_cpu_ms`: the CPU the bias job spends deciding one push's recipients (the subscribers,
  their settings read and parsed, their watchlists). Target < 1,000 ms. `queue_cpu_ms`: queueing
  the push to them (one delivery row each, narrowed to their watchlists), beside
  `baseline_queue_cpu_ms`, the same push queued to every subscriber without settings (the path
  before per-chat settings) in the same run; `ratio`: deciding and queueing over the baseline.
- `brief_scan_cpu_ms` p50/p95: one minute of the desk job with briefs spread over the day (the
  held pushes that may be due, the scan of who is due, and the due chats' briefs read and
  queued: ~7 a minute), with the push above held in ~700 chats' quiet hours. Target < 1,000 ms
  of CPU per minute.
- `delivery`: the push through the sender to the fake Bot API enforcing a global limit (scaled
  to 500 messages/s so the run is short): sent, held, muted, dropped; chats whose verdict was
  to send that got nothing (`lost`) or more than one message (`doubled`), 429s, rate achieved.
  Target: 0 lost, 0 doubled.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger
from sqlalchemy import insert, select

from bench.burst import serve_in_thread
from bot.app import make_bot
from bot.delivery.sender import Sender
from bot.i18n import make_i18n
from services.chats.desk import ChatSettings, Mute, QuietHours
from services.container import Services, build_services
from services.delivery.deliveries import DeliveryStatus
from services.delivery.gate import Action, decide
from services.delivery.models import BiasPush
from services.jobs.desk_job import DeskJob
from services.kernel.alerts import AlertType, Job
from services.storage.tables import ChatSettingsRow, DeliveryRow, SubscriptionRow
from tests.conftest import vendor_settings
from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram

CHATS = int(os.environ.get("BENCH_CHATS", "10000"))
COINS = ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE", "ADA", "AVAX", "LINK", "TON"]
ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/London", "America/New_York"]
LIMIT = 500.0
PACE = LIMIT * 0.95
MINUTES = 10  # desk-job minutes measured


def desk_of(rng: random.Random, now: datetime) -> tuple[ChatSettings, str]:
    """A chat's settings, drawn; and its bias mode (its subscription row)."""
    zone = rng.choice(ZONES)
    local = now.astimezone(ZoneInfo(zone))
    quiet = None
    if rng.random() < 0.3:  # a third keep quiet hours; about half of those are quiet now
        start = local - timedelta(hours=rng.choice([1, 10]))
        quiet = QuietHours(
            start=start.time().replace(second=0, microsecond=0),
            end=(start + timedelta(hours=8)).time().replace(second=0, microsecond=0),
        )
    mutes = []
    if rng.random() < 0.1:
        target = rng.choice(["kind:bias", "coin:SOL", "coin:ETH"])
        mutes.append(Mute(target=target, until=now + timedelta(hours=4)))
    settings = ChatSettings(
        watchlist=rng.sample(COINS, rng.randint(1, 5)),
        tz=zone,
        quiet=quiet,
        brief=(datetime.min + timedelta(minutes=rng.randrange(1440))).time(),
        mutes=mutes,
    )
    return settings, rng.choices(["on", "silent", "off"], weights=[6, 3, 1])[0]


async def seed(services: Services, now: datetime) -> dict[int, ChatSettings]:
    rng = random.Random(7)
    desks: dict[int, ChatSettings] = {}
    settings_rows: list[dict[str, Any]] = []
    subscription_rows: list[dict[str, Any]] = []
    for chat in range(1_000_000, 1_000_000 + CHATS):
        desk, mode = desk_of(rng, now)
        zone = ZoneInfo(desk.tz or "UTC")
        local = now.astimezone(zone)
        brief = desk.brief
        assert brief is not None
        minute = brief.hour * 60 + brief.minute
        # Briefs whose time passed today were sent; the rest come later today.
        done = local.date().isoformat() if minute < local.hour * 60 + local.minute else None
        settings_rows.append(
            {
                "chat_id": chat,
                "version": 1,
                "data": desk.stored(),
                "tz": desk.tz,
                "brief_minute": minute,
                "brief_on": done,
                "updated_at": now,
            }
        )
        subscription_rows.append(
            {
                "chat_id": chat,
                "kind": "bias",
                "active": mode != "off",
                "silent": mode == "silent",
                "updated_at": now,
            }
        )
        desks[chat] = desk.model_copy(update={"pushes": {AlertType.BIAS: mode}})
    async with services.db.sessions() as session, session.begin():
        for start in range(0, CHATS, 1000):
            await session.execute(insert(ChatSettingsRow), settings_rows[start : start + 1000])
            await session.execute(insert(SubscriptionRow), subscription_rows[start : start + 1000])
    return desks


async def recipients(services: Services, symbols: list[str]) -> dict[str, Any]:
    """CPU ms of the bias job's fan-out: deciding the recipients (subscribers, their settings,
    their watchlists), then queueing with them; and the same push queued to the same
    subscribers without settings (the baseline)."""
    made = [bias_alert(s) for s in symbols]
    calls = [call for alert, _signals in made for call in alert.payload.calls]  # type: ignore[union-attr]
    alert = made[0][0].model_copy(update={"payload": BiasPush(calls=calls)})
    signals = [signal for _alert, found in made for signal in found]

    started = time.thread_time()
    subscribers = await services.subscriptions.subscribers(AlertType.BIAS)
    audience = await services.chat_settings.audience(AlertType.BIAS, subscribers)
    defaults = services.chat_settings.defaults
    interests = {chat: set(desk.watch(defaults)) for chat, desk in audience.items()}
    decided = time.thread_time()
    published = await services.outbox.queue(alert, signals, list(audience), interests=interests)
    queued = time.thread_time()
    await services.outbox.queue(alert, signals, subscribers, remember=False)
    baseline = time.thread_time()
    return {
        "recipients": published.queued,
        "decide_cpu_ms": round((decided - started) * 1000, 1),
        "queue_cpu_ms": round((queued - decided) * 1000, 1),
        "baseline_queue_cpu_ms": round((baseline - queued) * 1000, 1),
    }


async def brief_minutes(services: Services, now: datetime) -> list[float]:
    """CPU ms of the desk job's minute, for MINUTES minutes from now (each minute's due
    briefs read from the fake vendors, in another thread, and queued; the held pushes looked
    at)."""
    job = services.jobs[Job.DESK]
    assert isinstance(job, DeskJob)
    cpu = []
    for minute in range(MINUTES):
        at = now + timedelta(minutes=minute)
        started = time.thread_time()
        await job._release(at)  # the night's held pushes, still inside their hours
        await job._briefs(at)
        cpu.append((time.thread_time() - started) * 1000)
    return cpu


async def deliver(
    services: Services, telegram: FakeTelegram, desks: dict[int, ChatSettings]
) -> dict[str, Any]:
    """The first push, queued above, through the sender; the second (the baseline's) is
    cleared first so each chat has one delivery."""
    async with services.db.sessions() as session:
        first = await session.scalar(select(DeliveryRow.alert_id).order_by(DeliveryRow.id))
    async with services.db.sessions() as session, session.begin():
        await session.execute(DeliveryRow.__table__.delete().where(DeliveryRow.alert_id != first))
    bot = make_bot(services.settings, services, retries=False)
    sender = Sender.for_services(bot, services, make_i18n("en"))
    async with services.db.sessions() as session:
        queued = dict(
            (await session.execute(select(DeliveryRow.chat_id, DeliveryRow.symbols))).all()
        )
    now = datetime.now(UTC)
    expected_send = {
        chat
        for chat, symbols in queued.items()
        if decide(
            desks[chat], services.chat_settings.defaults, AlertType.BIAS, json.loads(symbols), now
        ).action
        in (Action.SEND, Action.SILENT)
    }
    started = time.monotonic()
    await sender.drain()
    seconds = time.monotonic() - started
    await bot.session.close()
    accepted = telegram.calls_to("sendMessage", ok=True)
    counts = Counter(int(c.params["chat_id"]) for c in accepted)
    statuses = await services.outbox.deliveries.counts()
    return {
        "queued": len(queued),
        "sent": statuses.get(DeliveryStatus.SENT, 0),
        "held": statuses.get(DeliveryStatus.HELD, 0),
        "muted": statuses.get(DeliveryStatus.MUTED, 0),
        "dropped": statuses.get(DeliveryStatus.DROPPED, 0),
        "lost": sum(1 for chat in expected_send if counts[chat] == 0),
        "doubled": sum(1 for n in counts.values() if n > 1),
        "unexpected": sum(1 for chat in counts if chat not in expected_send),
        "http_429": telegram.rate_limited,
        "seconds": round(seconds, 1),
        "rate_per_s": round(len(accepted) / seconds, 1) if seconds else 0.0,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def main() -> dict[str, Any]:
    vendors, vendor_loop = serve_in_thread()
    telegram = FakeTelegram(send_limit_per_second=LIMIT)
    await telegram.start()
    with tempfile.TemporaryDirectory() as tmp:
        database = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/fanout.db"
        services = build_services(
            vendor_settings(
                vendors.base_url,
                bot_token=telegram.token,
                telegram_api_base=telegram.base_url,
                database_url=database,
                telegram_global_per_second=PACE,
            )
        )
        await services.start()
        now = datetime.now(UTC)
        desks = await seed(services, now)
        fanout = await recipients(services, ["SOL", "ETH"])
        delivery = await deliver(services, telegram, desks)
        minutes = await brief_minutes(services, now)
        await services.aclose()
    await telegram.stop()
    vendor_loop.call_soon_threadsafe(vendor_loop.stop)
    return {
        "bench": "fanout",
        "chats": CHATS,
        **fanout,
        # what the desks add to a push's fan-out, against queueing it to every subscriber
        "ratio": round(
            (fanout["decide_cpu_ms"] + fanout["queue_cpu_ms"]) / fanout["baseline_queue_cpu_ms"], 2
        ),
        "brief_scan_cpu_ms": {"p50": pct(minutes, 0.5), "p95": pct(minutes, 0.95)},
        "delivery": delivery,
        "target_met": fanout["decide_cpu_ms"] < 1000
        and pct(minutes, 0.95) < 1000
        and delivery["lost"] == 0
        and delivery["doubled"] == 0
        and delivery["unexpected"] == 0,
    }


if __name__ == "__main__":
    logger.remove()  # one JSON line is the output
    logger.add(sys.stderr, level="ERROR")
    print(json.dumps(asyncio.run(main())))
