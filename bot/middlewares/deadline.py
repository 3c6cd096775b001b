"""Every chat update is answered within CHAT_DEADLINE_SECONDS: its handler's vendor calls see
how long is left (services/kernel/deadline.py) and settle for a fallback, a stale value or
a plain "unavailable" in time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from services.kernel.deadline import answer_within

# Kept back from the deadline for what follows the data: rendering, a chart, the reply itself.
ANSWER_RESERVE_SECONDS = 0.5


class DeadlineMiddleware(BaseMiddleware):
    def __init__(self, seconds: float, hedge_after: float) -> None:
        self._data_seconds = max(0.25, seconds - ANSWER_RESERVE_SECONDS)
        self._hedge_after = min(hedge_after, self._data_seconds)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        with answer_within(self._data_seconds, self._hedge_after):
            return await handler(event, data)
