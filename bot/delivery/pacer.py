"""Spacing under Telegram's limits, for pushes and replies alike (one bot token, one budget):
one global gap between messages, one per chat (1/s private, 3 s in groups for 20/min), and a
global pause when Telegram answers 429.

Our own code: Telegram counts messages per window, so what keeps it quiet is an even gap per
key; aiolimiter's leaky bucket and `limits`' windows both allow a burst at the window's start.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from services.kernel.settings import Settings


class Pacer:
    def __init__(
        self,
        per_second: float,
        chat_per_second: float,
        group_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gap = 1 / per_second
        self._chat_gap = 1 / chat_per_second
        self._group_gap = 60 / group_per_minute
        self._clock = clock
        self._next_global = 0.0
        self._paused_until = 0.0
        self._next: dict[int, float] = {}

    def ready(self, chat_id: int) -> bool:
        return self._next.get(chat_id, 0.0) <= self._clock()

    def soonest(self, chat_ids: list[int]) -> float:
        """Seconds until the first of these chats may get a message again."""
        now = self._clock()
        return max(0.0, min((self._next.get(c, 0.0) for c in chat_ids), default=now) - now)

    async def turn(self, chat_id: int) -> None:
        """A reply's turn: its chat's own gap (reserved at once, so two replies to one chat
        queue), then the global gap. A push's sender picks chats that are ready itself."""
        now = self._clock()
        start = max(now, self._next.get(chat_id, 0.0))
        self._next[chat_id] = start + self._gap_of(chat_id)
        if start > now:
            await asyncio.sleep(start - now)
        sent = await self._global_turn()
        # From when it really goes (the global gap may have held it a little longer). The
        # sender may have forgotten idle chats meanwhile (forget_idle): this one among them.
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), sent + self._gap_of(chat_id))

    def _gap_of(self, chat_id: int) -> float:
        return self._group_gap if chat_id < 0 else self._chat_gap

    async def _global_turn(self) -> float:
        while True:
            now = self._clock()
            booked = max(self._next_global, self._paused_until)
            if booked <= now:
                break
            await asyncio.sleep(booked - now)
        if now - booked >= self._gap:
            booked = now
        self._next_global = booked + self._gap
        return now

    async def slot(self, chat_id: int) -> None:
        """Waits for the global gap (and any 429 pause), then books the chat's own gap.

        The next gap counts from the booked time, so oversleeping by a fraction of a gap is
        made up on the next send (a long broadcast keeps its rate); a send later than a whole
        gap (idle, or a stall) starts afresh, so nothing is made up with a burst."""
        now = await self._global_turn()
        self._next[chat_id] = now + self._gap_of(chat_id)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def aclose(self) -> None:
        """Nothing to close in the process's own pacer (the fleet's has a Redis client)."""

    def forget_idle(self) -> None:
        now = self._clock()
        self._next = {c: t for c, t in self._next.items() if t > now}


def pacer_for(settings: Settings) -> Pacer:
    return Pacer(
        settings.telegram_global_per_second,
        settings.telegram_chat_per_second,
        settings.telegram_group_per_minute,
    )
