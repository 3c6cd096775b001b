"""Leases: one replica at a time runs a scheduled job. Every replica runs the scheduler; the one
holding a job's lease runs it and renews it each run, and another takes over when it lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from services.storage.db import Database
from services.storage.tables import LeaseRow


class Leases:
    def __init__(self, db: Database, holder: str) -> None:
        """`holder` names this replica stably (host and HTTP port), so a replica restarted after
        a crash takes its own leases back at once instead of waiting for them to lapse."""
        self._db = db
        self.holder = holder

    async def take(self, name: str, seconds: float) -> bool:
        """True when this process holds (or now took) the lease for the next `seconds`."""
        now = datetime.now(UTC)
        statement = self._db.insert(LeaseRow).values(
            name=name, holder=self.holder, until=now + timedelta(seconds=seconds)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": self.holder, "until": statement.excluded.until},
            where=(LeaseRow.holder == self.holder) | (LeaseRow.until < now),
        ).returning(LeaseRow.holder)
        async with self._db.sessions() as session, session.begin():
            got = (await session.execute(statement)).scalar_one_or_none()
        return got == self.holder

    async def release(self) -> None:
        """On a clean stop: another replica need not wait for the leases to lapse."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(delete(LeaseRow).where(LeaseRow.holder == self.holder))
