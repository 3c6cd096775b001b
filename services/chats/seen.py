"""The chats the bot answers in, recorded off the answer's path and in batches.

A burst of first messages from new chats used to be one awaited upsert each, and a thousand
of them queued on a pool of fifteen connections until some timed out: users got errors for a
bookkeeping write. Now a first message only notes its chat; one task writes what was noted
as a single multi-row statement, and keeps what it could not write for the next try, so
nothing is lost while the database is down.
"""

from __future__ import annotations

import asyncio
import contextlib

from loguru import logger

from services.storage.chats import ChatInfo, ChatRepository
from services.storage.errors import StorageUnavailableError

BATCH = 500  # rows per statement: far below any database's parameter limit
# Chats remembered as written. Past this the memory starts over: a chat seen again costs one
# row in the next batched upsert, and the process does not grow with every chat it ever met.
KNOWN_MAX = 100_000
RETRY_SECONDS = 5.0


class SeenChats:
    def __init__(self, chats: ChatRepository, known_max: int = KNOWN_MAX) -> None:
        self._chats = chats
        self._known_max = known_max
        self._known: set[int] = set()  # noted in this process: written, or about to be
        self._pending: dict[int, ChatInfo] = {}
        self._writer: asyncio.Task[None] | None = None
        self._failing = False  # one warning per outage, not one per batch

    def knows(self, chat_id: int) -> bool:
        return chat_id in self._known

    def note(self, chat: ChatInfo) -> None:
        """A message from `chat`: recorded soon, without waiting (once per process)."""
        if chat.chat_id in self._known:
            return
        if len(self._known) >= self._known_max:
            self._known.clear()
        self._known.add(chat.chat_id)
        self._pending[chat.chat_id] = chat
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="seen-chats")

    async def flush(self) -> None:
        """Writes what is pending now (tests, and a clean stop)."""
        while self._pending:
            if not await self._write_batch():
                return

    async def aclose(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        with contextlib.suppress(Exception):  # the database may be what is failing
            await self.flush()

    async def _write(self) -> None:
        await asyncio.sleep(0)  # let the burst note its chats: one statement for all of them
        while self._pending:
            if not await self._write_batch():
                await asyncio.sleep(RETRY_SECONDS)

    async def _write_batch(self) -> bool:
        batch = list(self._pending.values())[:BATCH]
        try:
            await self._chats.seen_many(batch)
        except StorageUnavailableError as exc:
            if not self._failing:
                self._failing = True
                logger.warning("chats not recorded while storage fails ({})", exc.detail)
            return False
        except Exception as exc:  # bookkeeping must never cost an answer or stop the writer
            logger.warning("could not record chats: {}", type(exc).__name__)
            return False
        for chat in batch:
            # A chat noted again while this batch was written keeps its newer note.
            if self._pending.get(chat.chat_id) is chat:
                del self._pending[chat.chat_id]
        if self._failing:
            self._failing = False
            logger.info("chats are recorded again")
        return True
