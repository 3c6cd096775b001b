"""Every chat's settings, read once per update and once per delivery batch.

Kept in memory for a minute, so that is not a database read per message, and so other replicas
see a change within a minute (the replica that made it sees it at once). Reads are batched and
singleflighted: a burst of first messages from a thousand chats is one query, and a chat's
messages waiting on its read share it. While the database does not answer, a chat not in memory
gets the defaults (not remembered, so its own settings are back as soon as the database is)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiocache import SimpleMemoryCache
from loguru import logger

from services.chats.desk import ChatSettings, Defaults, Mode, Mute
from services.chats.setting_specs import SETTINGS
from services.kernel.alerts import AlertType
from services.storage.chat_settings import ChatSettingsStore, ConflictError, StoredSettings
from services.storage.chats import ChatInfo, ChatRepository
from services.storage.errors import StorageUnavailableError

CACHE_SECONDS = 60
KINDS = frozenset(k.value for k in AlertType)
WRITE_TRIES = 3  # optimistic writes: two admins changing one group at once both land


def _parsed(stored: StoredSettings) -> ChatSettings:
    try:
        settings = ChatSettings.from_stored(stored.data)
    except ValueError:  # a document no model of ours reads: the chat starts over, said once
        logger.warning("chat settings unreadable; the defaults apply until changed")
        settings = ChatSettings()
    pushes = {AlertType(k): Mode(m) for k, m in stored.modes.items() if k in KINDS}
    return settings.model_copy(update={"pushes": pushes, "seen_language": stored.seen_language})


class ChatSettingsService:
    def __init__(
        self, store: ChatSettingsStore, defaults: Defaults, chats: ChatRepository | None = None
    ) -> None:
        self._store = store
        self._chats = chats
        self.defaults = defaults
        self._cache = SimpleMemoryCache()
        # Chats being read: a hand-written batcher, as aiocache has no multi-key singleflight.
        self._waiting: dict[int, asyncio.Future[ChatSettings]] = {}
        self._reading: set[asyncio.Task[None]] = set()

    @property
    def store(self) -> ChatSettingsStore:
        return self._store

    async def get(self, chat_id: int) -> ChatSettings:
        return (await self.many([chat_id]))[chat_id]

    async def many(
        self, chat_ids: list[int] | set[int], *, strict: bool = False
    ) -> dict[int, ChatSettings]:
        """Each chat's settings, from memory or one batched read; for a chat the database cannot
        be asked about now, the defaults (an answer to a message), or with `strict` the
        StorageUnavailableError (a delivery, which waits rather than ignore quiet hours)."""
        asked = list(chat_ids)
        cached = await self._cache.multi_get(asked) if asked else []
        found = {c: s for c, s in zip(asked, cached, strict=True) if s is not None}
        missing = [c for c in asked if c not in found]
        if missing:
            read = await asyncio.gather(*(self._read(c) for c in missing), return_exceptions=True)
            for chat_id, result in zip(missing, read, strict=True):
                if isinstance(result, StorageUnavailableError) and not strict:
                    found[chat_id] = ChatSettings()  # the outage is logged where noticed
                elif isinstance(result, BaseException):
                    raise result
                else:
                    found[chat_id] = result
        return found

    async def _read(self, chat_id: int) -> ChatSettings:
        waiting = self._waiting.get(chat_id)
        if waiting is None:
            waiting = self._waiting[chat_id] = asyncio.get_running_loop().create_future()
            # Its failure is read by whoever still waits; none left must not log an error.
            waiting.add_done_callback(lambda f: f.cancelled() or f.exception())
            if len(self._waiting) == 1:  # the first of a batch reads for all that join it
                asyncio.get_running_loop().call_soon(self._start_batch)
        return await asyncio.shield(waiting)

    def _start_batch(self) -> None:
        task = asyncio.create_task(self._read_batch(), name="chat-settings")
        self._reading.add(task)  # kept: a task only the loop references may be collected
        task.add_done_callback(self._reading.discard)

    async def aclose(self) -> None:
        """Lets a read under way finish before the database closes under it."""
        if self._reading:
            await asyncio.gather(*self._reading, return_exceptions=True)

    async def _read_batch(self) -> None:
        batch, self._waiting = self._waiting, {}
        try:
            stored = await self._store.read(list(batch))
        except Exception as exc:  # every waiter gets the failure (StorageUnavailableError)
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for chat_id, future in batch.items():
            settings = await self._remember(chat_id, stored[chat_id])
            if not future.done():
                future.set_result(settings)

    async def _remember(self, chat_id: int, stored: StoredSettings) -> ChatSettings:
        settings = _parsed(stored)
        await self._cache.set(chat_id, settings, ttl=CACHE_SECONDS)
        return settings

    async def audience(self, kind: AlertType, chat_ids: list[int]) -> dict[int, ChatSettings]:
        """The settings of a push's subscribers (`chat_ids`) whose mode lets `kind` through,
        read fresh in one pass (a job's fan-out: thousands of chats, not a lookup)."""
        chats = await self.fresh(chat_ids)
        return {c: s for c, s in chats.items() if s.mode(kind) is not Mode.OFF}

    async def fresh(self, chat_ids: list[int]) -> dict[int, ChatSettings]:
        """Read now, not from memory nor bounded like a lookup: a job's chats (its fan-out,
        the briefs and releases it decides). Raises StorageUnavailableError."""
        stored = await self._store.read_all(chat_ids)
        return {chat_id: _parsed(s) for chat_id, s in stored.items()}

    async def change(self, chat_id: int, name: str, value: Any, now: datetime) -> ChatSettings:
        """One setting of the registry set to a parsed value, written at once (an admin's
        change must hold across replicas): returns the settings as they now are."""
        spec = SETTINGS[name]
        return await self._update(chat_id, lambda old: spec.apply(old, value), now)

    async def mute(self, chat_id: int, target: str, until: datetime, now: datetime) -> None:
        """A kind or a coin muted until `until` (a mute of the same target replaces it; those
        expired go)."""

        def muted(old: ChatSettings) -> ChatSettings:
            kept = [m for m in old.mutes if m.until > now and m.target != target]
            return old.model_copy(update={"mutes": [*kept, Mute(target=target, until=until)]})

        await self._update(chat_id, muted, now)

    async def _update(
        self, chat_id: int, apply: Callable[[ChatSettings], ChatSettings], now: datetime
    ) -> ChatSettings:
        """Read, change, write at the version read; another writer first: read again."""
        for _ in range(WRITE_TRIES):
            stored = await self._before_write(chat_id)
            old = _parsed(stored)
            try:
                return await self._write(chat_id, stored.version, old, apply(old), now)
            except ConflictError:
                continue
        raise StorageUnavailableError("chat settings kept changing", writing=True)

    async def _before_write(self, chat_id: int) -> StoredSettings:
        """The document as it is, to change: the database failing here fails the change (the
        user reads "couldn't save", not "couldn't read")."""
        try:
            return (await self._store.read([chat_id]))[chat_id]
        except StorageUnavailableError as exc:
            raise exc.as_write() from exc

    async def _write(
        self, chat_id: int, version: int, old: ChatSettings, new: ChatSettings, now: datetime
    ) -> ChatSettings:
        zone = new.zone(self.defaults)
        local = now.astimezone(zone)
        minute = new.brief.hour * 60 + new.brief.minute if new.brief else None
        # A brief set (or moved to a zone) where its time already passed today starts
        # tomorrow: not at once, and not a second one today.
        taken = (
            local.date().isoformat()
            if minute is not None
            and (new.brief != old.brief or new.tz != old.tz)
            and local.hour * 60 + local.minute >= minute
            else None
        )
        modes = {k.value: m.value for k, m in new.pushes.items() if old.pushes.get(k) != m}
        await self._store.write(chat_id, version, new.stored(), new.tz, minute, taken, modes)
        await self._cache.set(chat_id, new, ttl=CACHE_SECONDS)
        return new

    async def subscribed_by(
        self, chat_id: int, kind: str, title: str | None, language: str | None
    ) -> None:
        """A group's pushes speak the language of the admin who subscribed it, until it chooses
        one (answers to commands still follow each user's own language)."""
        if language and self._chats is not None:
            await self._chats.seen(
                ChatInfo(chat_id=chat_id, kind=kind, title=title, language=language)
            )
            await self.forget(chat_id)

    async def forget(self, chat_id: int) -> None:
        """Read again next time (its subscriptions changed behind the cache)."""
        await self._cache.delete(chat_id)
