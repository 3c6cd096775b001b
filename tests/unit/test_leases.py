"""Job leases on SQLite and PostgreSQL: one holder at a time, renewal, takeover, release."""

from __future__ import annotations

import asyncio

from services.storage.db import Database
from services.storage.leases import Leases


async def test_one_replica_holds_a_job_until_its_lease_lapses_or_is_released(
    db: Database,
) -> None:
    first, second = Leases(db, "host-a:8080"), Leases(db, "host-b:8080")
    assert await first.take("bias", 0.3)
    assert not await second.take("bias", 0.3)
    assert await first.take("bias", 0.3)  # the holder renews
    assert await second.take("sniper", 0.3)  # another job, another lease
    await asyncio.sleep(0.4)  # the first replica died: its lease lapses
    assert await second.take("bias", 0.3)
    assert not await first.take("bias", 0.3)
    again = Leases(db, "host-b:8080")  # the same replica restarted: its own lease at once
    assert await again.take("bias", 60)
    await again.release()
    assert await first.take("bias", 60)
