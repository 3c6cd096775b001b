"""The input journal: what each job run saw, kept compact for replays (`python -m bot backtest`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select

from services.storage.db import Database, utc
from services.storage.tables import JournalRow


class Entry(BaseModel):
    job: str
    symbol: str
    at: datetime
    inputs: dict[str, Any]


class Journal:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def write(self, entries: list[Entry]) -> None:
        if not entries:
            return
        async with self._db.sessions() as session, session.begin():
            session.add_all(
                JournalRow(
                    job=e.job,
                    symbol=e.symbol,
                    at=e.at,
                    inputs=json.dumps(e.inputs, separators=(",", ":"), default=str),
                )
                for e in entries
            )

    async def read(self, since: datetime, job: str | None = None) -> list[Entry]:
        query = select(JournalRow).where(JournalRow.at >= since)
        if job is not None:
            query = query.where(JournalRow.job == job)
        async with self._db.sessions() as session:
            rows = await session.scalars(query.order_by(JournalRow.at, JournalRow.id))
            return [
                Entry(job=r.job, symbol=r.symbol, at=utc(r.at), inputs=json.loads(r.inputs))
                for r in rows
            ]

    async def prune(self, before: datetime) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(delete(JournalRow).where(JournalRow.at < before))
