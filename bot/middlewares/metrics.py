"""Command latency histogram, labelled by command name."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from services.kernel.metrics import Metrics


class CommandMetricsMiddleware(BaseMiddleware):
    def __init__(self, metrics: Metrics, canonical: Callable[[str], str | None]) -> None:
        self._metrics = metrics
        self._canonical = canonical  # an alias or any spelling -> the registry's name

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Message) or not (event.text or "").startswith("/"):
            return await handler(event, data)
        name = (event.text or "/").split()[0][1:].split("@")[0]
        label = self._canonical(name) or "other"
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            self._metrics.command_latency.labels(label).observe(time.perf_counter() - started)
