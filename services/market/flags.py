"""Module flags: FEATURE_* at start-up, an admin's toggle (persisted, audited) after that."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

from loguru import logger
from pydantic import BaseModel
from sqlalchemy import select

from services.kernel.errors import Reason
from services.kernel.modules import SWITCHABLE, Module
from services.kernel.settings import Settings
from services.kernel.status import StatusRegistry
from services.storage.db import Database
from services.storage.errors import StorageUnavailableError
from services.storage.tables import FlagAudit, FlagRow

# Other replicas see a toggle within this many seconds (each re-reads the table).
REFRESH_SECONDS = 5.0


# A module's on/off switch is named by the module; only SWITCHABLE ones have one.
Flag = Module


class FlagChange(BaseModel):
    flag: Flag
    old: bool
    new: bool
    actor_id: int
    at: datetime


class ModuleDisabledError(Exception):
    def __init__(self, flag: Flag) -> None:
        self.flag = flag
        super().__init__(f"module {flag.value} is disabled")


def defaults(settings: Settings) -> dict[Flag, bool]:
    return {flag: settings.switch(flag) for flag in SWITCHABLE}


class FlagService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        status: StatusRegistry,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._defaults = defaults(settings)
        self._status = status
        self._clock = clock
        self._values = dict(self._defaults)
        self._loaded_at: float | None = None
        self._loading: asyncio.Future[list[FlagRow]] | None = None

    async def _refresh(self) -> None:
        """Every command asks; one read per REFRESH_SECONDS answers them all. While the
        database does not answer, the values last read (at first FEATURE_*) stay in force."""
        if self._loaded_at is not None and self._clock() - self._loaded_at < REFRESH_SECONDS:
            return
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self._load())
        try:
            rows = await self._db.quick(self._loading)
        except StorageUnavailableError as exc:
            logger.debug("flags: kept as they were ({})", exc.detail)
            self._loaded_at = self._clock()  # asked again after REFRESH_SECONDS, not per command
            return
        values = dict(self._defaults)
        for row in rows:
            if row.name in SWITCHABLE:
                values[Flag(row.name)] = row.enabled
        self._values = values
        self._loaded_at = self._clock()
        for flag, enabled in values.items():
            if not enabled:
                self._status.unavailable(flag.value, Reason.DISABLED)

    async def _load(self) -> list[FlagRow]:
        async with self._db.sessions() as session:
            return list((await session.scalars(select(FlagRow))).all())

    async def all(self) -> dict[Flag, bool]:
        await self._refresh()
        return dict(self._values)

    async def enabled(self, flag: Flag) -> bool:
        await self._refresh()
        return self._values[flag]

    async def require(self, flag: Flag) -> None:
        """Raise ModuleDisabledError (and say so in the status) when the flag is off."""
        if not await self.enabled(flag):
            self._status.unavailable(flag.value, Reason.DISABLED)
            raise ModuleDisabledError(flag)

    async def set(self, flag: Flag, enabled: bool, actor_id: int) -> FlagChange:
        if flag not in SWITCHABLE:
            raise ValueError(f"{flag.value} has no switch")
        now = datetime.now(UTC)
        async with self._db.saving() as session:
            row = await session.get(FlagRow, flag.value, with_for_update=True)
            old = row.enabled if row is not None else self._defaults[flag]
            if row is None:
                session.add(
                    FlagRow(name=flag.value, enabled=enabled, updated_at=now, updated_by=actor_id)
                )
            else:
                row.enabled, row.updated_at, row.updated_by = enabled, now, actor_id
            session.add(FlagAudit(name=flag.value, old=old, new=enabled, actor_id=actor_id, at=now))
        self._values[flag] = enabled
        if enabled:
            self._status.register(flag.value)
            self._status.reset(flag.value)
        else:
            self._status.unavailable(flag.value, Reason.DISABLED)
        logger.info("flag {} {} -> {} by user {}", flag.value, old, enabled, actor_id)
        return FlagChange(flag=flag, old=old, new=enabled, actor_id=actor_id, at=now)

    async def audit(self, limit: int = 20) -> list[FlagAudit]:
        async with self._db.sessions() as session:
            query = select(FlagAudit).order_by(FlagAudit.id.desc()).limit(limit)
            return list((await session.scalars(query)).all())
