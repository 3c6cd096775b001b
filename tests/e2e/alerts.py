"""Helpers for the push-alert scenarios: subscribers written before the bot starts, metrics."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from services.chats.subscriptions import SubscriptionService
from services.kernel.alerts import AlertType
from services.signals.sniper.rule import EntryMap
from services.storage.db import Database, utc
from services.storage.tables import CallRow, DeliveryRow, GradeRow
from tests.e2e.harness import BotProcess
from tests.fakes.metrics import sample
from tests.fakes.vendors import FakeVendors


def whales_buy(vendors: FakeVendors) -> None:
    """A whale bought ~$1.28M of SOL perpetuals half a minute ago: with the fixtures' 73 Greed,
    the bias call on SOL turns LONG (net whale buying, greedy sentiment, no ETF key)."""
    vendors.set_trades("SOL-USDT-SWAP", [("buy", 9000, 142.1, 30)])


def db_url(workdir: Path) -> str:
    return f"sqlite+aiosqlite:///{workdir}/bot.db"  # the harness's DATABASE_URL


async def subscribe(workdir: Path | str, chats: list[int], kinds: list[AlertType]) -> None:
    """The chats subscribe before the bot starts, so its first job run already has them.
    `workdir`: the harness's, or the database URL of a fleet (tests/e2e/fleet.py)."""
    db = Database(db_url(workdir) if isinstance(workdir, Path) else workdir)
    try:
        await db.migrate()
        service = SubscriptionService(db)
        for chat in chats:
            await service.set(chat, kinds, active=True)
    finally:
        await db.close()


async def metric(bot: BotProcess, name: str, **labels: str) -> float:
    """One sample of /metrics (0 when absent)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.http_port}") as client:
        text = (await client.get("/metrics")).text
    return sample(text, name, **labels)


async def wait_sent(workdir: Path | str, count: int, timeout: float = 10.0) -> None:
    """Until the bot has recorded `count` deliveries as sent (`workdir`: as `subscribe`)."""
    db = Database(db_url(workdir) if isinstance(workdir, Path) else workdir)
    deadline = time.monotonic() + timeout
    try:
        while True:
            async with db.sessions() as session:
                sent = await session.scalar(
                    select(func.count())
                    .select_from(DeliveryRow)
                    .where(DeliveryRow.status == "sent")
                )
            if (sent or 0) >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{sent} deliveries recorded as sent, wanted {count}")
            await asyncio.sleep(0.02)
    finally:
        await db.close()


async def sniper_call_moved_back(workdir: Path, minutes: float) -> EntryMap:
    """The sniper call the bot recorded, its time moved `minutes` into the past, so 1-minute
    candles can play it out in seconds instead of minutes; returns its map."""
    db = Database(db_url(workdir))
    try:
        async with db.sessions() as session, session.begin():
            row = (await session.scalars(select(CallRow).where(CallRow.kind == "sniper"))).one()
            row.made_at = utc(row.made_at) - timedelta(minutes=minutes)
            return EntryMap.model_validate_json(row.detail)
    finally:
        await db.close()


async def sniper_grades(workdir: Path) -> list[tuple[str, bool]]:
    db = Database(db_url(workdir))
    try:
        async with db.sessions() as session:
            rows = await session.execute(
                select(GradeRow.outcome, GradeRow.baseline)
                .join(CallRow, CallRow.id == GradeRow.call_id)
                .where(CallRow.kind == "sniper")
            )
            return [(outcome, baseline) for outcome, baseline in rows.all()]
    finally:
        await db.close()
