"""The language a chat chose with /lang, read on every message: kept in memory for a minute so
that is not a database read per message, and so other replicas see a change within a minute.
While the database does not answer, a chat not in memory gets the default (not remembered, so
its choice is back as soon as the database is)."""

from __future__ import annotations

import asyncio

from aiocache import SimpleMemoryCache

from services.kernel.errors import ArgumentError
from services.storage.chats import ChatInfo, ChatRepository
from services.storage.errors import StorageUnavailableError

LANGUAGES = ("en", "id")
CACHE_SECONDS = 60
_NONE = ""  # cached "no choice", told apart from "not cached"


def parse_language(text: str) -> str:
    value = text.strip().lower()
    if value not in LANGUAGES:
        raise ArgumentError(text, list(LANGUAGES))
    return value


class ChatLanguages:
    def __init__(self, chats: ChatRepository) -> None:
        self._chats = chats
        self._cache = SimpleMemoryCache()
        # Chats whose choice is being read: a burst of first messages is one query for all
        # of them (and one per chat however many of its messages wait on it), not a pooled
        # connection each. A hand-written batcher: aiocache has no multi-key singleflight.
        self._waiting: dict[int, asyncio.Future[str]] = {}
        self._reading: set[asyncio.Task[None]] = set()

    async def chosen(self, chat_id: int) -> str | None:
        cached = await self._cache.get(chat_id)
        if cached is None:
            try:
                cached = await self._read(chat_id)
            except StorageUnavailableError:
                return None  # the outage itself is logged once, where it was noticed
        return str(cached) or None

    async def _read(self, chat_id: int) -> str:
        waiting = self._waiting.get(chat_id)
        if waiting is None:
            waiting = self._waiting[chat_id] = asyncio.get_running_loop().create_future()
            # Its failure is read by whoever still waits; none left must not log an error.
            waiting.add_done_callback(lambda f: f.cancelled() or f.exception())
            if len(self._waiting) == 1:  # the first of a batch reads for all that join it
                asyncio.get_running_loop().call_soon(self._start_batch)
        return await asyncio.shield(waiting)

    def _start_batch(self) -> None:
        task = asyncio.create_task(self._read_batch(), name="chat-languages")
        self._reading.add(task)  # kept: a task only the loop references may be collected
        task.add_done_callback(self._reading.discard)

    async def aclose(self) -> None:
        """Lets a read under way finish before the database closes under it."""
        if self._reading:
            await asyncio.gather(*self._reading, return_exceptions=True)

    async def _read_batch(self) -> None:
        batch, self._waiting = self._waiting, {}
        try:
            found = await self._chats.chosen_languages(list(batch))
        except Exception as exc:  # every waiter gets the failure (StorageUnavailableError)
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for chat_id, future in batch.items():
            language = found.get(chat_id) or _NONE
            await self._cache.set(chat_id, language, ttl=CACHE_SECONDS)
            if not future.done():
                future.set_result(language)

    async def subscribed_by(
        self, chat_id: int, kind: str, title: str | None, language: str | None
    ) -> None:
        """A group's pushes speak the language of the admin who subscribed it, until /lang
        chooses one (answers to commands still follow each user's own language)."""
        if language:
            await self._chats.seen(
                ChatInfo(chat_id=chat_id, kind=kind, title=title, language=language)
            )

    async def choose(self, chat_id: int, kind: str, title: str | None, language: str) -> None:
        await self._chats.choose_language(chat_id, kind, title, language)
        await self._cache.set(chat_id, language, ttl=CACHE_SECONDS)
