"""Bot API calls: wait out 429 `retry_after` a bounded number of times; count every error."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from loguru import logger

from bot.delivery.context import IN_SENDER
from services.metrics import Metrics

if TYPE_CHECKING:
    from aiogram import Bot

MAX_RETRY_AFTER_SECONDS = 60


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics, max_retries: int) -> None:
        self._metrics = metrics
        self._max_retries = max_retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if IN_SENDER.get():
                    raise  # the alert sender pauses itself as a whole and counts it
                self._count(name, 429)
                attempt += 1
                if attempt > self._max_retries or exc.retry_after > MAX_RETRY_AFTER_SECONDS:
                    logger.warning("telegram {}: 429, giving up after {} tries", name, attempt)
                    raise
                logger.warning("telegram {}: 429, waiting {}s", name, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramAPIError as exc:
                self._count(name, _code(exc))
                raise

    def _count(self, method: str, code: Any) -> None:
        self._metrics.telegram_errors.labels(method, str(code)).inc()


def _code(exc: TelegramAPIError) -> int | str:
    for cls in type(exc).__mro__:
        code = {
            "TelegramBadRequest": 400,
            "TelegramUnauthorizedError": 401,
            "TelegramForbiddenError": 403,
            "TelegramNotFound": 404,
            "TelegramConflictError": 409,
            "TelegramEntityTooLarge": 413,
            "TelegramServerError": 500,
        }.get(cls.__name__)
        if code is not None:
            return code
    return "other"
