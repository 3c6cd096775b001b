"""At most N commands or button presses per minute per user; the first excess gets one
notice saying when to try again, the rest silence until then; one more after that wait is
answered, or told again (never silence after the time it was told).

Uses the same `limits` storage as the vendor budgets, so replicas sharing Redis share it too
(and, while Redis does not answer, the in-process twin that storage falls back to).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from loguru import logger

from bot.middlewares.callback_answer import answer_query
from bot.render.errors import render_throttled
from bot.render.text import html_to_plain
from bot.reply import reply

TOLD_MAX = 100_000  # users remembered as told to wait; the memory starts over past it


class ThrottleMiddleware(BaseMiddleware):
    def __init__(self, storage: Storage, per_minute: int) -> None:
        # Two counters per user, not a list of every hit: a per-user moving window kept a
        # timestamp per command and its in-process expiry walked every user's list through a
        # worker thread, one thread hop per user, after every burst.
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._item = RateLimitItemPerMinute(per_minute)
        # user -> time.monotonic() until which the notice told them to wait. In the process:
        # two replicas may each tell a user once, where one shared record would tell once.
        self._told: dict[int, float] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Commands, button presses and a private chat's text share one budget per user: a
        refresh button pressed in a loop costs the vendors what a typed command does."""
        if isinstance(event, CallbackQuery) or (
            # a coin alone in a private chat is a /ticker (bot/handlers/private.py)
            isinstance(event, Message)
            and ((event.text or "").startswith("/") or event.chat.type == "private")
        ):
            user = event.from_user
        else:
            return await handler(event, data)
        if user is None or await self._allowed(user.id):
            return await handler(event, data)
        # Over the limit: one polite notice, then silence until the time it gave (a press is
        # still answered, so its spinner stops). A command after that time that is still over
        # the limit (the window's weighting can outlast the estimate) is told again.
        now = time.monotonic()
        notice = now >= self._told.get(user.id, 0.0)
        wait = 1
        if notice:
            stats = await self._limiter.get_window_stats(self._item, "user", str(user.id))
            wait = max(1, int(stats.reset_time - time.time()) + 1)
            if len(self._told) >= TOLD_MAX:
                self._told.clear()
            self._told[user.id] = now + wait
            logger.info("throttled user {} for {}s", user.id, wait)
        if isinstance(event, CallbackQuery):
            await answer_query(event, html_to_plain(render_throttled(wait)) if notice else None)
        elif notice and isinstance(event, Message):
            await reply(event, render_throttled(wait))
        return None

    async def _allowed(self, user_id: int) -> bool:
        try:
            return await self._limiter.hit(self._item, "user", str(user_id))
        except Exception as exc:  # a limits store failing must cost an answer nothing
            logger.warning("throttle store failed ({}): command let through", type(exc).__name__)
            return True
