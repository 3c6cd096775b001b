"""OKX 1-minute candles kept for grading: fetched once, read by every grade and replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from services.kernel.models import Candle
from services.storage.db import Database, utc
from services.storage.tables import CandleRow

CHUNK = 500  # rows per INSERT: under SQLite's bound-parameter limit at 6 columns


class CandleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, symbol: str, candles: list[Candle]) -> int:
        added = 0
        async with self._db.sessions() as session, session.begin():
            for start in range(0, len(candles), CHUNK):
                rows = [
                    {
                        "symbol": symbol,
                        "ts": c.ts,
                        "open": c.open,
                        "high": c.high,
                        "low": c.low,
                        "close": c.close,
                    }
                    for c in candles[start : start + CHUNK]
                ]
                result = await session.execute(
                    self._db.insert(CandleRow)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["symbol", "ts"])
                )
                added += max(0, int(getattr(result, "rowcount", 0) or 0))
        return added

    async def load(self, symbol: str, start: datetime, end: datetime) -> list[Candle]:
        """Oldest first, start <= ts < end."""
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(CandleRow.ts, CandleRow.open, CandleRow.high, CandleRow.low, CandleRow.close)
                .where(CandleRow.symbol == symbol, CandleRow.ts >= start, CandleRow.ts < end)
                .order_by(CandleRow.ts)
            )
            return [
                Candle(ts=utc(ts), open=o, high=h, low=low, close=c) for ts, o, h, low, c in rows
            ]

    async def bounds(self, symbol: str) -> tuple[datetime, datetime] | None:
        """The oldest and newest candle held for `symbol`."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(
                    select(func.min(CandleRow.ts), func.max(CandleRow.ts)).where(
                        CandleRow.symbol == symbol
                    )
                )
            ).one()
        if row[0] is None:
            return None
        return utc(row[0]), utc(row[1])

    async def prune(self, before: datetime) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(delete(CandleRow).where(CandleRow.ts < before))
