"""The free heatmap's memory: realized liquidations, deduplicated, pruned past a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from services.kernel.models import Liquidation
from services.storage.db import Database, utc
from services.storage.tables import LiquidationRow

KEEP = timedelta(hours=26)


class LiquidationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, events: list[Liquidation]) -> int:
        """Insert what is new; a row polled twice is stored once. Returns rows added."""
        if not events:
            return 0
        # One statement for every row, sent as an executemany: a multi-row VALUES would be
        # compiled again for each batch, and the live channel writes a batch a second.
        statement = (
            self._db.insert(LiquidationRow)
            .on_conflict_do_nothing(index_elements=["coin", "at", "price", "size_coin"])
            .returning(LiquidationRow.id)  # the rows kept: a row seen before returns none
        )
        rows = [
            {"coin": e.coin, "side": e.side, "price": e.price, "size_coin": e.size_coin,
             "usd": e.usd, "at": e.at}
            for e in events
        ]  # fmt: skip
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(statement, rows)
            return len(result.all())

    async def window(self, coin: str, since: datetime) -> list[Liquidation]:
        async with self._db.sessions() as session:
            rows = await session.scalars(
                select(LiquidationRow).where(
                    LiquidationRow.coin == coin, LiquidationRow.at >= since
                )
            )
            return [
                Liquidation(
                    coin=r.coin,
                    side=r.side,
                    price=r.price,
                    size_coin=r.size_coin,
                    usd=r.usd,
                    at=r.at,
                )
                for r in rows
            ]

    async def earliest(self, coin: str) -> datetime | None:
        async with self._db.sessions() as session:
            value = await session.scalar(
                select(func.min(LiquidationRow.at)).where(LiquidationRow.coin == coin)
            )
        return utc(value) if value is not None else None

    async def prune(self, now: datetime) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(delete(LiquidationRow).where(LiquidationRow.at < now - KEEP))
