"""Whether Telegram still accepts BOT_TOKEN while the bot runs.

A token revoked (or regenerated) at @BotFather makes every Bot API call answer 401. Retrying
sends then only spends deliveries and floods the log, so the first 401 flips this state: it is
said once, the alert sender and polling wait on it, /healthz reports it, and a getMe probe
every `probe_seconds` flips it back (once) when the token works again.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramUnauthorizedError
from loguru import logger

if TYPE_CHECKING:
    from aiogram import Bot

PROBE_SECONDS = 30.0


class TelegramAuth:
    def __init__(self, probe_seconds: float = PROBE_SECONDS, *, armed: bool = True) -> None:
        self._probe_seconds = probe_seconds
        # Before the start-up getMe has passed, a 401 is the start-up's to report (and exit on).
        self._armed = armed
        self._accepted = asyncio.Event()
        self._accepted.set()
        self._since: datetime | None = None
        self._last_probe: datetime | None = None
        self._error: str | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def authorized(self) -> bool:
        return self._accepted.is_set()

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> None:
        self._armed = True

    def revoked(self, bot: Bot, description: str) -> bool:
        """Records a 401; returns whether the bot now waits for the token (False before start)."""
        if not self._armed:
            return False
        if not self.authorized:
            return True
        self._accepted.clear()
        self._since = datetime.now(UTC)
        self._error = description
        logger.critical(
            "Telegram refuses BOT_TOKEN (401 {}): it was revoked or replaced at @BotFather. "
            "Alerts are held (none is lost) and no updates are fetched until it works again; "
            "checking every {:g}s.",
            description,
            self._probe_seconds,
        )
        self._probe = asyncio.create_task(self._probing(bot), name="telegram-token-probe")
        return True

    async def wait(self) -> None:
        await self._accepted.wait()

    async def _probing(self, bot: Bot) -> None:
        while not self.authorized:
            await asyncio.sleep(self._probe_seconds)
            self._last_probe = datetime.now(UTC)
            try:
                await bot.get_me()
            except TelegramUnauthorizedError:
                continue
            except Exception as exc:  # Telegram unreachable says nothing about the token
                logger.debug("token probe: {}", type(exc).__name__)
                continue
            self._accepted_again()

    def _accepted_again(self) -> None:
        since = self._since or datetime.now(UTC)
        minutes = (datetime.now(UTC) - since).total_seconds() / 60
        self._since = None
        self._error = None
        self._accepted.set()
        logger.warning(
            "Telegram accepts BOT_TOKEN again after {:.1f} min: sending the held alerts and "
            "fetching updates.",
            minutes,
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "authorized": self.authorized,
            "since": self._since.isoformat() if self._since else None,
            "last_probe": self._last_probe.isoformat() if self._last_probe else None,
            "error": self._error,
        }

    async def aclose(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
