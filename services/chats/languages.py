"""The language a chat chose with /lang, read on every message: kept in memory for a minute so
that is not a database read per message, and so other replicas see a change within a minute.
While the database does not answer, a chat not in memory gets the default (not remembered, so
its choice is back as soon as the database is)."""

from __future__ import annotations

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

    async def chosen(self, chat_id: int) -> str | None:
        cached = await self._cache.get(chat_id)
        if cached is None:
            try:
                cached = await self._chats.chosen_language(chat_id) or _NONE
            except StorageUnavailableError:
                return None  # the outage itself is logged once, where it was noticed
            await self._cache.set(chat_id, cached, ttl=CACHE_SECONDS)
        return str(cached) or None

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
