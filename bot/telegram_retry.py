"""Bot API calls: wait out 429 `retry_after`, retry 5xx and broken answers with backoff, hold
polling while the token is refused; count every error.

A command's reply that meets a 5xx (or a proxy's HTML error page) in front of Telegram would
otherwise be lost: the user asked once and gets nothing. Retrying may rarely send a reply twice
(Telegram did the work but its answer was lost); a duplicate reply costs less than none.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from loguru import logger

from bot.telegram_auth import TelegramAuth
from services.kernel.metrics import Metrics

if TYPE_CHECKING:
    from aiogram import Bot

MAX_RETRY_AFTER_SECONDS = 60  # a longer flood wait is not worth holding a reply for
# All the 429 waits of one call together: a storm of replies drains at Telegram's rate, so the
# last of many waits several rounds; beyond this the chat has long moved on.
MAX_RETRY_AFTER_TOTAL_SECONDS = 180.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # then the last, for each further try
# aiogram's decode failure for a body that is not JSON at all (an edge proxy's HTML page); its
# other one, a JSON answer that does not fit the model, is not a transient fault.
NOT_JSON = "Failed to decode object"


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        metrics: Metrics,
        max_retries: int,
        auth: TelegramAuth | None = None,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        *,
        retries: bool = True,
        outage_seconds: float = 60.0,
    ) -> None:
        self._metrics = metrics
        # For 5xx and network faults: at most this many retries, and none that would start
        # more than `outage_seconds` after the first fault (an edge outage of a minute is
        # waited out; a longer one is given up). 429s are bounded by their own time.
        self._max_retries = max_retries
        self._outage_seconds = outage_seconds
        self._auth = auth
        self._backoff = tuple(backoff)
        # False on the alert sender's own session: it pauses itself on a 429 and keeps each
        # delivery's tries with the delivery, so its calls fail straight through to it.
        self._retries = retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        polling = isinstance(method, GetUpdates)
        waited = 0.0
        faults = 0
        first_fault = 0.0
        while True:
            if polling and self._auth is not None and not self._auth.authorized:
                await self._auth.wait()  # quiet until the probe finds the token accepted
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if not self._retries:
                    raise  # the alert sender pauses itself as a whole and counts it
                self._count(name, 429)
                waited += exc.retry_after
                if (
                    exc.retry_after > MAX_RETRY_AFTER_SECONDS
                    or waited > MAX_RETRY_AFTER_TOTAL_SECONDS
                ):
                    # Whoever made the call says it was given up, once, with whom it was for
                    # (bot/handlers/errors.py for a reply).
                    logger.info("telegram {}: 429, giving up after {:g}s", name, waited)
                    raise
                logger.warning("telegram {}: 429, waiting {}s", name, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramUnauthorizedError as exc:
                self._count(name, 401)
                held = self._auth is not None and self._auth.revoked(bot, exc.message)
                if not (held and polling):
                    raise
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as exc:
                fault = _transient(method, exc)
                if fault is None:
                    raise
                self._count(name, _code(fault))
                faults += 1
                now = time.monotonic()
                first_fault = first_fault or now
                delay = self._backoff[min(faults, len(self._backoff)) - 1]
                spent = faults > self._max_retries or (
                    now + delay - first_fault > self._outage_seconds
                )
                # The sender keeps its retries with the delivery, polling has aiogram's own, and
                # at start-up the one line that says Telegram is unreachable is what is needed.
                starting = self._auth is not None and not self._auth.armed
                if not self._retries or polling or starting or spent:
                    if spent:  # the caller says so once, with whom the call was for
                        logger.info(
                            "telegram {}: {}; giving up after {} tries in {:.0f}s",
                            name,
                            fault,
                            faults,
                            now - first_fault,
                        )
                    if fault is exc:
                        raise
                    raise fault from exc
                # One line per outage, not per try: the log throttles repeats of this line.
                logger.warning("telegram {}: {}; retrying with backoff", name, fault)
                await asyncio.sleep(delay)
            except TelegramAPIError as exc:
                self._count(name, _code(exc))
                raise

    def _count(self, method: str, code: Any) -> None:
        self._metrics.telegram_errors.labels(method, str(code)).inc()


def _transient(method: TelegramMethod[Any], exc: Exception) -> TelegramAPIError | None:
    """The fault as one of aiogram's transient errors (a non-JSON answer becomes a 5xx: it
    came from whatever stands in front of the Bot API), or None when it is not transient."""
    if isinstance(exc, ClientDecodeError):
        if exc.message != NOT_JSON:
            return None
        # Its own text would carry the whole HTML page into every log line.
        return TelegramServerError(method=method, message="Bad Gateway: the answer was not JSON")
    if isinstance(exc, TelegramServerError | TelegramNetworkError):
        return exc
    return None


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
