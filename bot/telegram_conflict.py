"""Another process polling with the same BOT_TOKEN (Telegram answers getUpdates with 409).

Telegram gives updates to one poller per token; a second copy of the bot (a forgotten
terminal, a second replica in polling mode) makes every getUpdates of both fail with 409
Conflict. aiogram would log two lines per failed poll, forever. Here the first conflict is one
clear line naming the cause and the fix, the polls are retried with a growing pause (5 s up to
a minute) inside this session middleware (so aiogram sees no error to log), /status and
/healthz report it, and the end of the conflict is one line too.

Two pollers take turns: Telegram ends the older long poll with 409 when the newer one comes, so
each copy still gets a poll through now and then. The conflict therefore ends only after QUIET
seconds without a 409, not at the first poll that answers; otherwise every turn would be a new
conflict, with its own log line and admin message. A lone 409 is not a conflict: a copy that
has just stopped (a restart, a deploy) leaves its long poll for Telegram to end; a conflict is
a second 409 within QUIET of the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from loguru import logger

from services.kernel.modules import N_

if TYPE_CHECKING:
    from aiogram import Bot

FIRST_PAUSE = 5.0
MAX_PAUSE = 60.0
QUIET = 180.0  # seconds without a 409 before the other poller is taken to be gone


class PollingConflict(BaseRequestMiddleware):
    def __init__(
        self,
        first_pause: float | None = None,
        max_pause: float | None = None,
        quiet: float | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_conflict: Callable[[], Coroutine[Any, Any, None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sleep = sleep
        self._on_conflict = on_conflict  # told once per conflict (the admins, by message)
        self._telling: set[asyncio.Task[None]] = set()
        self._first_pause = FIRST_PAUSE if first_pause is None else first_pause
        self._max_pause = MAX_PAUSE if max_pause is None else max_pause
        self._quiet = QUIET if quiet is None else quiet
        self._pause = self._first_pause  # grows across polls while the conflict lasts
        self._now = now
        self.since: datetime | None = None  # when the current conflict began
        self.last: datetime | None = None  # the latest 409
        self.retries = 0

    @property
    def conflicted(self) -> bool:
        return self.since is not None

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        polling = isinstance(method, GetUpdates)
        if not polling:
            return await make_request(bot, method)
        while True:
            try:
                response = await make_request(bot, method)
            except TelegramConflictError as exc:
                self._conflict(exc.message)
                await self._sleep(self._pause)
                self._pause = min(self._pause * 2, self._max_pause)
                continue
            self._answered()
            return response

    def _conflict(self, description: str) -> None:
        self.retries += 1
        now, previous = self._now(), self.last
        self.last = now
        if self.since is not None:
            return
        if previous is None or (now - previous).total_seconds() >= self._quiet:
            # One 409 alone is a copy that has just stopped (a restart, a deploy) whose long
            # poll Telegram ended: said quietly, and a conflict only if another one follows.
            logger.info("Telegram answered a poll with 409 ({}); polling again", description)
            return
        self.since = previous
        logger.error(
            "Another process is fetching updates with this BOT_TOKEN (409 {}): Telegram gives "
            "updates to one poller per token, so the two copies take turns and each misses "
            "messages. Stop the other copy, or run several replicas in webhook mode "
            "(WEBHOOK_URL). Asking again every {:g}s, up to every {:g}s.",
            description,
            self._pause,
            self._max_pause,
        )
        if self._on_conflict is not None:
            task = asyncio.create_task(self._on_conflict(), name="conflict-notice")
            self._telling.add(task)  # kept: a task only the loop references may be collected
            task.add_done_callback(self._telling.discard)

    def _answered(self) -> None:
        if self.last is None or (self._now() - self.last).total_seconds() < self._quiet:
            return  # no 409 yet, or the other copy's turn may come again
        self._pause = self._first_pause
        self.retries = 0
        if self.since is None:
            return  # a lone 409, long past
        minutes = (self.last - self.since).total_seconds() / 60
        logger.warning(
            "The other poller is gone (no 409 for {:g}s, after {:.1f} min of them): fetching "
            "updates again",
            self._quiet,
            minutes,
        )
        self.since = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "conflict": self.conflicted,
            "since": self.since.isoformat() if self.since else None,
            "last": self.last.isoformat() if self.last else None,
            "retries": self.retries,
        }


# A bot admin's private chat is where the copy losing the updates is sure to be read: it sends
# as before, but receives only the polls that get through between the other copy's.
CONFLICT_NOTICE = N_(
    "⚠️ Another copy of this bot is fetching its updates (Telegram: 409 Conflict): the two take "
    "turns, so each misses messages while both run. Stop the other copy, or run several copies "
    "in webhook mode (WEBHOOK_URL)."
)


async def tell_admins(bot: Bot, admins: list[int], text: str) -> None:
    for admin in admins:
        try:
            await bot.send_message(admin, text)
        except Exception as exc:  # an admin who never started the bot cannot be told
            logger.warning("could not tell admin {}: {}", admin, type(exc).__name__)
