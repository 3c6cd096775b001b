"""At most N commands per minute per user; the first excess gets one notice, the rest silence.

Uses the same `limits` storage as the vendor budgets, so replicas sharing Redis share it too
(and, while Redis does not answer, the in-process twin that storage falls back to).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from loguru import logger

from bot.render.errors import render_throttled
from bot.reply import reply

NOTICE = RateLimitItemPerMinute(1)


class ThrottleMiddleware(BaseMiddleware):
    def __init__(self, storage: Storage, per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerMinute(per_minute)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Message) or not (event.text or "").startswith("/"):
            return await handler(event, data)
        user = event.from_user
        if user is None or await self._allowed(user.id):
            return await handler(event, data)
        # Over the limit: one polite notice per window, then silence.
        if await self._limiter.hit(NOTICE, "notice", str(user.id)):
            stats = await self._limiter.get_window_stats(self._item, "user", str(user.id))
            wait = max(1, int(stats.reset_time - time.time()) + 1)
            logger.info("throttled user {} for {}s", user.id, wait)
            await reply(event, render_throttled(wait))
        return None

    async def _allowed(self, user_id: int) -> bool:
        try:
            return await self._limiter.hit(self._item, "user", str(user_id))
        except Exception as exc:  # a limits store failing must cost an answer nothing
            logger.warning("throttle store failed ({}): command let through", type(exc).__name__)
            return True
